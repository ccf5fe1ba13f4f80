package io.jvmbus.memory.ring;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The incoming ring reader over guest memory the fuzzer controls completely: both indices, pending_send_sz, every
 * data byte, and changes the "guest" makes between reads (a schedule of writes the fuzzer interleaves with the
 * reader's steps: moving write_index, overwriting the host-owned read_index, rewriting descriptors and payload bytes
 * of a packet already handed out, pending_send_sz and the mask). The reader fetches each descriptor field once, so
 * a write between two of its steps is the race a guest on another CPU can make. The page of guest RAM outside the
 * GPADL is a canary: the host never writes it.
 * Whatever happens, the reader must return a status (never throw), stay inside the ring, keep its position aligned,
 * hand out only packets that fit in what was published, and keep CORRUPT sticky. Every run is bounded (at most
 * {@value #MAX_STEPS} operations), so a spin would show up as a timeout.
 *
 * <p>Input (little-endian): {@code [0]} ring pages - 2 (mod 3), bit 7 = scattered pages; {@code [1..4]} read_index,
 * {@code [5..8]} write_index, {@code [9..12]} pending_send_sz; {@code [13..14]} n; then n bytes of data placed at the
 * read position; then operations, one byte each plus arguments (see {@link #step}). Missing bytes read as 0.
 *
 * <p>Regression inputs live in {@code src/test/resources/io/jvmbus/memory/ring/IncomingRingFuzzTestInputs/}; plain
 * {@code ./mvnw verify} replays them. Fuzz with {@code JAZZER_FUZZ=1 ./mvnw -B -ntp -pl memory -am test
 * -Dtest=IncomingRingFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class IncomingRingFuzzTest {

    private static final int MAX_STEPS = 256;
    private static final byte CANARY = (byte) 0xA5;

    /** Whether the last packet polled may still be read (no commit since). */
    private static boolean viewFresh;

    /** Reads the input with zeros past its end. */
    private static final class Input {
        private final ByteBuffer b;

        Input(final byte[] data) {
            b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean more() {
            return b.hasRemaining();
        }

        int u8() {
            return b.hasRemaining() ? b.get() & 0xFF : 0;
        }

        int i32() {
            return u8() | u8() << 8 | u8() << 16 | u8() << 24;
        }

        long i64() {
            return (i32() & 0xFFFFFFFFL) | (long) i32() << 32;
        }

        byte[] bytes(final int n) {
            final byte[] out = new byte[Math.min(n, b.remaining())];
            b.get(out);
            return out;
        }
    }

    @FuzzTest(maxDuration = "60s")
    void readerSurvivesAnyRingContents(final byte[] data) {
        viewFresh = false;
        final Input in = new Input(data);
        final int first = in.u8();
        final int ringPages = 2 + (first & 0x7F) % 3;
        final boolean scattered = (first & 0x80) != 0;
        final int total = ringPages + 2;
        try (Arena arena = Arena.ofConfined()) {
            final GuestMemory memory = GuestMemory.wrap(arena.allocate((long) (total + 1) * 4096, 4096));
            final long[] pages = new long[total];
            for (int i = 0; i < total; i++) {
                pages[i] = scattered ? total - i : i;
            }
            // The one page of guest RAM outside the GPADL (page 0 when scattered, the last otherwise): a canary.
            final MemorySegment outside = memory.page(scattered ? 0 : total);
            outside.fill(CANARY);
            final RawRing guest = RawRing.of(memory, pages, 0, ringPages);
            final int size = guest.size;
            final int readIndex = in.i32();
            guest.readIndex(readIndex);
            guest.writeIndex(in.i32());
            guest.pendingSendSize(in.i32());
            final int n = in.u8() | in.u8() << 8;
            guest.bytes(Math.floorMod(readIndex, size) & ~7, in.bytes(Math.min(n, size)));

            final GpadlView gpadl = RawRing.gpadl(memory, pages);
            final IncomingRing ring =
                    RingPair.forHost(gpadl, ringPages, 4096).orElseThrow().incoming();
            final PacketView view = new PacketView();
            final MemorySegment buffer = arena.allocate(size);
            boolean corrupt = ring.corruption() != null;
            for (int s = 0; s < MAX_STEPS && in.more(); s++) {
                corrupt = step(in, guest, ring, view, buffer, corrupt);
                final int pos = ring.readPosition();
                if ((pos & 7) != 0 || pos < 0 || pos >= size) {
                    throw new AssertionError("read position " + pos + " outside the ring of " + size);
                }
            }
            for (long i = 0; i < 4096; i++) {
                if (outside.get(ValueLayout.JAVA_BYTE, i) != CANARY) {
                    throw new AssertionError("the ring wrote outside its GPADL, at byte " + i + " of the page after");
                }
            }
        }
    }

    /**
     * One operation: 0-3 poll, 4 commit, 5 move write_index, 6 rewrite a u64, 7 pending + mask toggles, 8 the guest
     * overwrites read_index (the host must keep using its own position), 9 read the last packet handed out again
     * (after whatever the guest rewrote since; the view must stay inside the ring).
     */
    private static boolean step(
            final Input in,
            final RawRing guest,
            final IncomingRing ring,
            final PacketView view,
            final MemorySegment buffer,
            final boolean wasCorrupt) {
        final int size = guest.size;
        switch (in.u8() % 10) {
            case 4 -> {
                ring.commitRead();
                viewFresh = false;
            }
            case 8 -> guest.readIndex(in.i32());
            case 9 -> {
                if (viewFresh) {
                    readView(view, buffer);
                }
            }
            case 5 -> guest.writeIndex(in.i32());
            case 6 -> guest.longAt(Math.floorMod(in.i32(), size) & ~7, in.i64());
            case 7 -> {
                guest.pendingSendSize(in.i32());
                ring.beginRead();
                ring.endRead();
                ring.hasPackets();
                ring.producerNeedsSignal();
            }
            default -> {
                final int before = ring.readPosition();
                final ReadStatus st = ring.poll(view);
                if (wasCorrupt && st != ReadStatus.CORRUPT) {
                    throw new AssertionError("corruption must be sticky, got " + st);
                }
                if (st == ReadStatus.CORRUPT) {
                    if (ring.corruption() == null) {
                        throw new AssertionError("CORRUPT without a corruption record");
                    }
                    return true;
                }
                if (st == ReadStatus.PACKET) {
                    checkPacket(view, before, size, ring);
                    readView(view, buffer);
                    viewFresh = true;
                }
            }
        }
        return wasCorrupt || ring.corruption() != null;
    }

    /** Every accessor of a packet view, over its whole length. */
    private static void readView(final PacketView view, final MemorySegment buffer) {
        view.copyTo(0, buffer, 0, view.length());
        view.copyPayloadTo(buffer, 0);
        view.getLong(0);
        view.getInt(view.length() - 4);
        view.getByte(view.length() - 1);
        view.trailer();
        view.sliceOrNull(0, view.length());
    }

    private static void checkPacket(final PacketView view, final int start, final int size, final IncomingRing ring) {
        if (view.startOffset() != start) {
            throw new AssertionError("packet at " + view.startOffset() + ", expected " + start);
        }
        if (view.dataOffset() < 16 || view.dataOffset() > view.length() || view.length() + 8 > size - 8) {
            throw new AssertionError("packet lengths escaped validation: " + view);
        }
        if (ring.readPosition() != (start + view.length() + 8) % size) {
            throw new AssertionError("read position " + ring.readPosition() + " after " + view);
        }
        if ((view.flags() & ~1) != 0) {
            throw new AssertionError("flags escaped validation: " + view);
        }
        final int t = view.type();
        if (t != 6 && t != 7 && t != 9 && t != 11) {
            throw new AssertionError("type escaped validation: " + view);
        }
    }
}
