package io.jvmbus.bench.ring;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.GpaRange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our host writer ({@link OutgoingRing}) into our host reader ({@link IncomingRing}) over one ring in native memory,
 * on two threads that spin (then yield) instead of signalling. The writer publishes every {@code batch} packets (1 = per packet,
 * as Linux's writer does); the reader drains, copies each payload out (a consumer has to touch the bytes) and
 * publishes its read index when the ring is empty or a quarter of it has been consumed. Operations are not packets:
 * read the reader's {@code packets} and {@code payloadBytes} counters (packets/s and bytes/s).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class RingThroughputBenchmark {

    /** The ring and both ends, shared by the two threads of a group. */
    @State(Scope.Group)
    public static class Ring {
        /** Payload bytes per packet. */
        @Param({"64", "1024", "4096", "65536"})
        public int payload;

        /** Pages of the ring under test (control page + data pages). */
        @Param({"66"})
        public int ringPages;

        /** Packets per writer commit (1 = publish and decide on a signal per packet, as Linux's writer does). */
        @Param({"1", "16"})
        public int batch;

        Arena arena;
        OutgoingRing writer;
        IncomingRing reader;
        MemorySegment source;
        MemorySegment sink;
        final PacketView view = new PacketView();
        long writeSeq;
        int unpublished;
        long readSeq;
        long consumedSinceCommit;
        long commitEvery;
        int writerIdle;
        int readerIdle;

        /** Builds a guest->host ring of 2 unused pages and the ring under test. */
        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            final int pages = 2 + ringPages;
            final GuestMemory memory = GuestMemory.wrap(arena.allocate((long) pages * 4096, 4096));
            final long[] pfns = new long[pages];
            for (int i = 0; i < pages; i++) {
                pfns[i] = i;
            }
            final GpadlView gpadl = GpadlView.of(memory, List.of(new GpaRange(0, pages * 4096, pfns)))
                    .orElseThrow();
            writer = RingPair.forHost(gpadl, 2, 1 << 20).orElseThrow().outgoing();
            reader = RingPair.forGuest(gpadl, 2, 1 << 20).orElseThrow().incoming();
            if (payload > writer.maxPayloadLength()) {
                throw new IllegalArgumentException("payload=" + payload + " (expected: <= " + writer.maxPayloadLength()
                        + " for " + ringPages + " ring pages)");
            }
            source = arena.allocate(Math.max(8, payload), 8);
            for (int i = 0; i < payload; i++) {
                source.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
            }
            sink = arena.allocate(writer.maxPacketLength(), 8);
            commitEvery = reader.dataSize() / 4;
        }

        /** Frees the ring. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** The writer's counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class WriterCounters {
        /** Packets written. */
        public long writtenPackets;

        /** Resets per iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            writtenPackets = 0;
        }
    }

    /** The reader's counters. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ReaderCounters {
        /** Packets read. */
        public long packets;
        /** Payload bytes read. */
        public long payloadBytes;

        /** Resets per iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            packets = 0;
            payloadBytes = 0;
        }
    }

    /**
     * Back-off while the other side has to move: spin first, then give the core away, as the peer's waits do (on a
     * busy machine two spinning threads otherwise take turns by scheduler quantum, not by packet).
     */
    private static void idle(final int rounds) {
        if (rounds < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * Tries to write one packet.
     *
     * @param r the ring
     * @param c counters
     */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public void write(final Ring r, final WriterCounters c) {
        final WriteStatus s = r.writer.tryWrite(6, 0, r.writeSeq, r.source, 0, r.payload);
        if (s == WriteStatus.WRITTEN) {
            r.writerIdle = 0;
            r.writeSeq++;
            c.writtenPackets++;
            if (++r.unpublished >= r.batch) {
                r.writer.commitWrite();
                r.unpublished = 0;
            }
        } else if (s == WriteStatus.FULL) {
            r.writer.commitWrite();
            r.unpublished = 0;
            idle(++r.writerIdle);
        } else {
            throw new IllegalStateException("write " + s + " " + r.writer.corruption());
        }
    }

    /**
     * Tries to read one packet and copies its payload out.
     *
     * @param r the ring
     * @param c counters
     */
    @Benchmark
    @Group("ring")
    @GroupThreads(1)
    public void read(final Ring r, final ReaderCounters c) {
        final ReadStatus s = r.reader.poll(r.view);
        if (s == ReadStatus.PACKET) {
            r.readerIdle = 0;
            if (r.view.transactionId() != r.readSeq) {
                throw new IllegalStateException("trans_id " + r.view.transactionId() + " (expected " + r.readSeq + ")");
            }
            r.view.copyPayloadTo(r.sink, 0);
            r.readSeq++;
            c.packets++;
            c.payloadBytes += r.payload;
            r.consumedSinceCommit += r.view.length() + 8;
            if (r.consumedSinceCommit >= r.commitEvery) {
                r.reader.commitRead();
                r.consumedSinceCommit = 0;
            }
        } else if (s == ReadStatus.EMPTY) {
            r.reader.commitRead();
            r.consumedSinceCommit = 0;
            idle(++r.readerIdle);
        } else {
            throw new IllegalStateException("read " + r.reader.corruption());
        }
    }
}
