package io.jvmbus.bench.ring;

import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.memory.ring.WriteStatus;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Both directions of one channel at once, against {@code linux-ring-peer bench} (two Linux guest threads: one writes
 * N packets guest&rarr;host, one reads and verifies N packets host&rarr;guest). {@link #linuxLoopback} is the
 * baseline with Linux's ring code at both ends ({@code bench --loopback}); {@link #jvmbusHost} plays the host with our
 * rings on two Java threads doing the same work as Linux's host threads: generate each payload with the peer's
 * generator, and verify each received payload byte for byte. Both use signals (no polling) and the same rings.
 *
 * <p>One invocation is one whole run of N packets each way (SingleShotTime). Each invocation prints one {@code
 * PEER_BENCH} line with the peer's own per-direction rates (packets/s and MB/s as Linux measured them) and, for our
 * host, the bytes our two host threads allocated per packet.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 3)
@Fork(1)
@State(Scope.Benchmark)
public class LinuxPeerBenchmark {

    private static final long SEED = 99;

    /** Payload bytes per packet. */
    @Param({"64", "1024", "4096", "65536"})
    public int payload;

    /** Pages per ring (both rings). */
    @Param({"66"})
    public int ringPages;

    /** Payload bytes per direction and run: about 256 MB, at least 20000 packets. */
    @Param({"268435456"})
    public long bytesPerRun;

    private long count() {
        return Math.max(20_000, Math.min(4_000_000, bytesPerRun / payload));
    }

    private int maxPacket() {
        return Math.max(4096, 16 + ((payload + 7) & ~7));
    }

    private List<String> args(final boolean loopback) {
        final List<String> a = new java.util.ArrayList<>(List.of(
                "bench",
                "--count",
                Long.toString(count()),
                "--size",
                Integer.toString(payload),
                "--seed",
                Long.toString(SEED),
                "--max-pkt",
                Integer.toString(maxPacket()),
                "--timeout",
                "60"));
        if (loopback) {
            a.add("--loopback");
        }
        return a;
    }

    private static void report(
            final String name, final int payload, final long count, final Map<String, String> r, final String extra) {
        System.out.printf(
                "PEER_BENCH %s payload=%d count=%d g2h_pkts_per_s=%s g2h_mb_per_s=%s h2g_pkts_per_s=%s h2g_mb_per_s=%s"
                        + " seconds=%s status=%s%s%n",
                name,
                payload,
                count,
                r.get("send_pkts_per_s"),
                r.get("send_mb_per_s"),
                r.get("recv_pkts_per_s"),
                r.get("recv_mb_per_s"),
                r.get("seconds"),
                r.get("status"),
                extra);
    }

    /**
     * Linux's ring code at both ends.
     *
     * @return the peer's RESULT values
     * @throws Exception if the peer fails
     */
    @Benchmark
    public Map<String, String> linuxLoopback() throws Exception {
        try (LinuxRingPeerProcess peer = LinuxRingPeerProcess.start(ringPages, ringPages, args(true))) {
            final int rc = peer.waitFor();
            if (rc != 0) {
                throw new IllegalStateException("loopback exit " + rc + ": " + peer.output());
            }
            final Map<String, String> r = peer.result();
            report("linux-loopback", payload, count(), r, "");
            return r;
        }
    }

    /**
     * Our host rings against Linux's guest rings.
     *
     * @return the peer's RESULT values
     * @throws Exception if either side fails
     */
    @Benchmark
    public Map<String, String> jvmbusHost() throws Exception {
        final long count = count();
        try (LinuxRingPeerProcess peer = LinuxRingPeerProcess.start(ringPages, ringPages, args(false))
                        .attach();
                Arena arena = Arena.ofShared()) {
            final RingPair rings = peer.hostRings(maxPacket());
            final HostReader reader = new HostReader(peer, rings.incoming(), arena, payload, count);
            final HostWriter writer = new HostWriter(peer, rings.outgoing(), arena, payload, count);
            final Thread rx = Thread.ofPlatform().name("host-rx").start(reader);
            final Thread tx = Thread.ofPlatform().name("host-tx").start(writer);
            peer.ctl32(LinuxRingPeerProcess.C_HOST_READY, 1);
            tx.join(TimeUnit.MINUTES.toMillis(2));
            rx.join(TimeUnit.MINUTES.toMillis(2));
            if (reader.failure != null || writer.failure != null) {
                peer.ctl32(LinuxRingPeerProcess.C_HOST_ERROR, 1);
                throw new IllegalStateException(
                        "host failed", reader.failure != null ? reader.failure : writer.failure);
            }
            final int rc = peer.waitFor();
            if (rc != 0) {
                throw new IllegalStateException("peer exit " + rc + ": " + peer.output());
            }
            final Map<String, String> r = peer.result();
            report(
                    "jvmbus-host",
                    payload,
                    count,
                    r,
                    String.format(
                            " host_rx_alloc_per_pkt=%.3f host_tx_alloc_per_pkt=%.3f host_signals=%d",
                            (double) reader.allocated / count,
                            (double) writer.allocated / count,
                            reader.signals + writer.signals));
            return r;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Reads guest->host like a driver: mask, drain, verify, commit, unmask and re-check, wait for a signal. */
    private static final class HostReader implements Runnable {
        private final LinuxRingPeerProcess peer;
        private final IncomingRing ring;
        private final MemorySegment buffer;
        private final PeerPayload expected = new PeerPayload();
        private final PacketView view = new PacketView();
        private final int payload;
        private final long count;
        volatile Throwable failure;
        long allocated;
        long signals;

        HostReader(
                final LinuxRingPeerProcess peer,
                final IncomingRing ring,
                final Arena arena,
                final int payload,
                final long count) {
            this.peer = peer;
            this.ring = ring;
            this.buffer = arena.allocate(payload + 8L, 8);
            this.payload = payload;
            this.count = count;
        }

        @Override
        public void run() {
            try {
                final long before = allocatedBytes();
                long got = 0;
                while (got < count) {
                    final long seen = peer.guestSignals();
                    ring.beginRead();
                    ReadStatus s;
                    while ((s = ring.poll(view)) == ReadStatus.PACKET) {
                        if (view.transactionId() != got
                                || view.payloadLength() != ((payload + 7) & ~7)
                                || view.type() != 6) {
                            throw new IllegalStateException("packet " + got + ": " + view);
                        }
                        view.copyPayloadTo(buffer, 0);
                        if (!expected.matches(SEED, got, payload, buffer)) {
                            throw new IllegalStateException("packet " + got + ": payload differs");
                        }
                        got++;
                    }
                    if (s == ReadStatus.CORRUPT) {
                        throw new IllegalStateException(String.valueOf(ring.corruption()));
                    }
                    if (ring.commitRead()) {
                        peer.signalGuest();
                        signals++;
                    }
                    if (!ring.endRead() && got < count) {
                        peer.awaitGuestSignal(seen);
                    }
                }
                allocated = allocatedBytes() - before;
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** Writes host->guest: generate the payload, write, publish per packet, wait with pending_send_sz when full. */
    private static final class HostWriter implements Runnable {
        private final LinuxRingPeerProcess peer;
        private final OutgoingRing ring;
        private final MemorySegment buffer;
        private final PeerPayload generator = new PeerPayload();
        private final int payload;
        private final long count;
        volatile Throwable failure;
        long allocated;
        long signals;

        HostWriter(
                final LinuxRingPeerProcess peer,
                final OutgoingRing ring,
                final Arena arena,
                final int payload,
                final long count) {
            this.peer = peer;
            this.ring = ring;
            this.buffer = arena.allocate(payload + 8L, 8);
            this.payload = payload;
            this.count = count;
        }

        @Override
        public void run() {
            try {
                final long before = allocatedBytes();
                final int packetLength = (int) OutgoingRing.packetLength(0, payload);
                for (long seq = 0; seq < count; seq++) {
                    generator.fill(SEED, seq, payload, buffer);
                    WriteStatus s = ring.tryWrite(6, 0, seq, buffer, 0, payload);
                    while (s == WriteStatus.FULL) {
                        final long seen = peer.guestSignals();
                        if (!ring.requestSpace(packetLength)) {
                            peer.awaitGuestSignal(seen);
                        }
                        s = ring.tryWrite(6, 0, seq, buffer, 0, payload);
                    }
                    if (s != WriteStatus.WRITTEN) {
                        throw new IllegalStateException("write " + s + " " + ring.corruption());
                    }
                    if (ring.commitWrite()) {
                        peer.signalGuest();
                        signals++;
                    }
                }
                allocated = allocatedBytes() - before;
            } catch (Throwable t) {
                failure = t;
            }
        }
    }
}
