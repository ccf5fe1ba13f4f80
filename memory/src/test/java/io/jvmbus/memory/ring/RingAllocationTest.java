package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The steady data path allocates nothing per packet: write, commit, poll, copy out, commit, signal decisions. */
class RingAllocationTest {

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldNotAllocatePerPacket() {
        try (Arena arena = Arena.ofConfined()) {
            final GuestMemory memory = RawRing.memory(arena, 8);
            final long[] pages = RawRing.pages(0, 6);
            final GpadlView gpadl = RawRing.gpadl(memory, pages);
            final OutgoingRing out =
                    RingPair.forHost(gpadl, 2, 4096).orElseThrow().outgoing();
            final IncomingRing in =
                    RingPair.forGuest(gpadl, 2, 4096).orElseThrow().incoming();
            final MemorySegment src = arena.allocate(1000, 8);
            final MemorySegment dst = arena.allocate(1008, 8);
            final PacketView view = new PacketView();
            run(out, in, src, dst, view, 10_000); // warm up (and let the JIT settle)
            final long before = allocated();
            final long packets = 50_000;
            run(out, in, src, dst, view, packets);
            final long bytes = allocated() - before;
            // one object per packet would be >= 16 * 50000 bytes; allow a few KiB of one-off JIT/OSR and MXBean noise
            assertThat(bytes).as("bytes allocated for %d packets", packets).isLessThan(4096);
        }
    }

    private static void run(
            final OutgoingRing out,
            final IncomingRing in,
            final MemorySegment src,
            final MemorySegment dst,
            final PacketView view,
            final long packets) {
        for (long i = 0; i < packets; i++) {
            final int len = (int) (i % 1000);
            if (out.tryWrite(6, 1, i, src, 0, len) != WriteStatus.WRITTEN) {
                throw new AssertionError("write " + i);
            }
            out.commitWrite();
            if (in.poll(view) != ReadStatus.PACKET || view.transactionId() != i) {
                throw new AssertionError("read " + i);
            }
            view.copyPayloadTo(dst, 0);
            in.commitRead();
            in.endRead();
        }
    }
}
