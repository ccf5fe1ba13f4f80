package io.jvmbus.bench.ring;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The ceiling: one {@link MemorySegment#copy} of each payload into a ring-sized native area at advancing, wrapping
 * offsets (packet by packet, as a ring writer places them), single-threaded, with no ring logic at all. One operation
 * is one payload copied.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class MemcpyBenchmark {

    /** Payload bytes per packet. */
    @Param({"64", "1024", "4096", "65536"})
    public int payload;

    /** Ring pages (the data area is one page less), as in the ring benchmarks. */
    @Param({"66"})
    public int ringPages;

    private Arena arena;
    private MemorySegment source;
    private MemorySegment ring;
    private long position;
    private long limit;
    private long step;

    /** Bytes copied, reported as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        /** Payload bytes copied. */
        public long bytes;

        /** Resets per iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    /** Allocates the source payload and the ring-sized destination. */
    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        source = arena.allocate(payload, 4096);
        for (int i = 0; i < payload; i++) {
            source.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
        }
        ring = arena.allocate((long) (ringPages - 1) * 4096, 4096);
        limit = ring.byteSize() - payload;
        step = 16 + ((payload + 7) & ~7) + 8; // where the next packet's payload would go
    }

    /** Frees the memory. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /**
     * Copies one payload.
     *
     * @param counters byte counter
     */
    @Benchmark
    public void copy(final Bytes counters) {
        long p = position;
        if (p > limit) {
            p = 0;
        }
        MemorySegment.copy(source, 0, ring, p, payload);
        position = p + step;
        counters.bytes += payload;
    }
}
