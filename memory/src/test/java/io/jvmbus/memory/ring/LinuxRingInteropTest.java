package io.jvmbus.memory.ring;

import static io.jvmbus.memory.ring.LinuxRingPeer.C_G2H_SIGNALS;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_GUEST_DONE;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_GUEST_STATUS;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_GUEST_WAITING;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_GUEST_WAITS;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_HOST_DONE;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_HOST_READY;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_INTR_IN_FULL;
import static io.jvmbus.memory.ring.LinuxRingPeer.C_OUT_FULL_TOTAL;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.ring.LinuxRingPeer.Payloads;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our host rings against Linux's own {@code drivers/hv/ring_buffer.c} (the {@code linux-ring-peer} tool plays the
 * guest over a shared file): Linux writes and we verify every field; we write and Linux verifies every byte; round
 * trips through its echo mode; sizes from 1 byte to the ring's maximum, many wrap-arounds; and both sides' signal
 * counts against the rules. Runs in the default build (the tool is built on first use).
 */
@Tag("linux-interop")
@Timeout(180)
class LinuxRingInteropTest {

    private static final int IN_BAND = 6;
    private static final int COMPLETION = 11;

    @TempDir
    Path logs;

    /** What the host's reading loop saw. */
    private record ReadStats(long packets, long ringBytes, long unmaskWindows, long waits, long pendingSignals) {}

    /**
     * Drains the guest->host ring like a driver in batched mode: mask, poll until empty, commit (signalling Linux if
     * the pending_send_sz rule says so), unmask and re-check, then wait for Linux's signal. {@code check} verifies
     * each packet.
     */
    private static ReadStats readAll(
            final LinuxRingPeer peer, final IncomingRing ring, final long count, final PacketCheck check) {
        final PacketView view = new PacketView();
        long got = 0;
        long ringBytes = 0;
        // Linux's writer signals only while interrupt_mask == 0 and the published ring is empty; read_index does not
        // move while we are unmasked, so each unmasked window (the initial one, then one per endRead) allows at most
        // one signal.
        long unmaskWindows = 1;
        long waits = 0;
        while (got < count) {
            final long seen = peer.guestSignals(); // before draining: a signal from now on is not lost
            ring.beginRead();
            ReadStatus s;
            while (got < count && (s = ring.poll(view)) != ReadStatus.EMPTY) {
                assertThat(s).as("%s", ring.corruption()).isEqualTo(ReadStatus.PACKET);
                check.accept(got, view);
                ringBytes += view.length() + 8;
                got++;
            }
            if (ring.commitRead()) {
                peer.signalGuest();
            }
            unmaskWindows++;
            if (!ring.endRead() && got < count) {
                peer.awaitGuestSignal(seen, "waiting for guest packet " + got);
                waits++;
            }
        }
        if (ring.commitRead()) {
            peer.signalGuest();
        }
        return new ReadStats(got, ringBytes, unmaskWindows, waits, ring.signalsRaised());
    }

    @FunctionalInterface
    private interface PacketCheck {
        void accept(long index, PacketView view);
    }

    /**
     * What one {@link #write} cost: how often it waited for the guest's signal, and how often a full ring made it
     * publish early (each such commit may signal the guest once, beyond the one decision per batch).
     */
    private record WriteCost(int waits, int earlyCommits) {}

    /** Writes one packet, waiting for space with pending_send_sz and Linux's signal; returns what it cost. */
    private static WriteCost write(
            final LinuxRingPeer peer,
            final OutgoingRing ring,
            final int type,
            final int flags,
            final long id,
            final byte[] payload,
            final boolean commit) {
        final MemorySegment src = MemorySegment.ofArray(payload);
        int waits = 0;
        int earlyCommits = 0;
        WriteStatus s = ring.tryWrite(type, flags, id, src, 0, payload.length);
        while (s == WriteStatus.FULL) {
            earlyCommits++;
            if (ring.commitWrite()) {
                peer.signalGuest();
            }
            final long seen = peer.guestSignals();
            if (!ring.requestSpace((int) OutgoingRing.packetLength(0, payload.length))) {
                peer.awaitGuestSignal(seen, "waiting for space for packet " + id);
                waits++;
            }
            s = ring.tryWrite(type, flags, id, src, 0, payload.length);
        }
        assertThat(s)
                .as("packet %d of %d bytes: %s", id, payload.length, ring.corruption())
                .isEqualTo(WriteStatus.WRITTEN);
        if (commit && ring.commitWrite()) {
            peer.signalGuest();
        }
        return new WriteCost(waits, earlyCommits);
    }

    private static void checkGuestPacket(
            final PacketView v, final long seq, final byte[] want, final int type, final int flags) {
        assertThat(v.type()).as("seq %d type", seq).isEqualTo(type);
        assertThat(v.flags()).as("seq %d flags", seq).isEqualTo(flags);
        assertThat(v.transactionId()).as("seq %d trans_id", seq).isEqualTo(seq);
        assertThat(v.dataOffset()).as("seq %d offset8*8", seq).isEqualTo(16);
        assertThat(v.length()).as("seq %d len8*8", seq).isEqualTo(16 + ((want.length + 7) & ~7));
        final byte[] got = new byte[v.payloadLength()];
        v.copyPayloadTo(MemorySegment.ofArray(got), 0);
        assertThat(Arrays.copyOf(got, want.length)).as("seq %d payload", seq).isEqualTo(want);
        for (int i = want.length; i < got.length; i++) {
            assertThat(got[i]).as("seq %d padding byte %d", seq, i).isZero();
        }
        assertThat(v.trailer()).as("seq %d trailer", seq).isEqualTo((long) v.startOffset() << 32);
    }

    // ------------------------------------------------------------------------------------------ Linux -> host

    @ParameterizedTest(name = "send {0}/{1} pages, {2} packets of {3}..{4} bytes, flags {6}")
    @CsvSource({
        "4, 4, 5000, 1, 12256, 12, alt", // 1 byte up to the largest payload Linux writes into 12288 data bytes
        "2, 2, 20000, 1, 4064, 13, alt", // a 4096-byte ring: thousands of wrap-arounds
        "4, 4, 1000, 12256, 12256, 14, 1", // exactly the maximum, every time
        "3, 3, 30000, 0, 200, 15, 0" // small packets
    })
    void shouldReadEveryPacketLinuxWrites(
            final int s,
            final int r,
            final int count,
            final int min,
            final int max,
            final long seed,
            final String flags)
            throws Exception {
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "send",
                        LinuxRingPeer.ringFile(logs, "send"),
                        s,
                        r,
                        "--count",
                        "" + count,
                        "--size",
                        min + ":" + max,
                        "--seed",
                        "" + seed,
                        "--flags",
                        flags)
                .attach()) {
            final RingPair rings = peer.hostRings();
            assertThat(peer.raw(true).featureBits())
                    .as("Linux sets feat_pending_send_sz")
                    .isEqualTo(1);
            final ReadStats st = readAll(peer, rings.incoming(), count, (seq, v) -> {
                final int wantFlags = flags.equals("alt") ? (int) (seq & 1) : Integer.parseInt(flags);
                checkGuestPacket(v, seq, Payloads.of(seed, seq, min, max), IN_BAND, wantFlags);
            });

            final int rc = peer.waitFor();
            System.out.println(peer.output());
            assertThat(rc).as(peer.output()).isZero();
            assertThat(st.packets()).isEqualTo(count);
            assertThat(peer.resultLong("packets_sent")).isEqualTo(count);
            final long wraps = st.ringBytes() / rings.incoming().dataSize();
            if (s == 2) {
                assertThat(wraps).as("wrap-arounds").isGreaterThan(1000);
            }
            // Linux's signals: the writer rule only (it reads nothing in send mode), at most one per window in which
            // we had interrupts unmasked; and each of our waits ended with one.
            final long linuxSignals = peer.resultLong("guest_to_host_signals");
            assertThat(linuxSignals).isEqualTo(peer.ctl64(C_G2H_SIGNALS));
            assertThat(peer.resultLong("intr_in_full")).isZero();
            assertThat(peer.resultLong("intr_out_empty")).isEqualTo(linuxSignals);
            assertThat(linuxSignals).isLessThanOrEqualTo(st.unmaskWindows());
            assertThat(st.waits()).isLessThanOrEqualTo(linuxSignals);
            // our signals: only the pending_send_sz rule, at most once per time Linux asked for space
            assertThat(peer.resultLong("host_to_guest_signals")).isEqualTo(st.pendingSignals());
            assertThat(st.pendingSignals()).isLessThanOrEqualTo(peer.ctl64(C_OUT_FULL_TOTAL));
            System.out.printf(
                    "host read %d packets, %d ring bytes = %d wraps; Linux signalled %d times, host %d times%n",
                    count, st.ringBytes(), wraps, linuxSignals, st.pendingSignals());
        }
    }

    // ------------------------------------------------------------------------------------------ host -> Linux

    @ParameterizedTest(name = "recv {0}/{1} pages, {2} packets of {3}..{4} bytes, max-pkt {6}, batch {7} {8}")
    @CsvSource({
        "4, 4, 5000, 1, 12256, 22, 12288, 1, iter",
        "3, 3, 30000, 1, 4080, 23, 4096, 8, iter", // Linux's default max_pkt_size, batches of 8
        "2, 2, 20000, 1, 4064, 24, 4096, 1, iter", // many wrap-arounds
        "4, 4, 1000, 12256, 12256, 25, 12288, 1, iter", // exactly the maximum
        "3, 3, 20000, 0, 4080, 26, 4096, 3, read" // Linux's copying reader: one read_index update per packet
    })
    void shouldDeliverEveryPacketToLinux(
            final int s,
            final int r,
            final int count,
            final int min,
            final int max,
            final long seed,
            final int maxPkt,
            final int batch,
            final String reader)
            throws Exception {
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "recv",
                        LinuxRingPeer.ringFile(logs, "recv"),
                        s,
                        r,
                        "--count",
                        "" + count,
                        "--size",
                        min + ":" + max,
                        "--seed",
                        "" + seed,
                        "--max-pkt",
                        "" + maxPkt,
                        "--reader",
                        reader)
                .attach()) {
            final OutgoingRing ring = peer.hostRings().outgoing();
            assertThat(ring.maxPacketLength()).isEqualTo(Math.min(maxPkt, r * 4096 - 4096 - 16));
            long waits = 0;
            long earlyCommits = 0;
            long ringBytes = 0;
            for (long seq = 0; seq < count; seq++) {
                final byte[] p = Payloads.of(seed, seq, min, max);
                final WriteCost cost = write(peer, ring, IN_BAND, 0, seq, p, (seq + 1) % batch == 0);
                waits += cost.waits();
                earlyCommits += cost.earlyCommits();
                ringBytes += OutgoingRing.packetLength(0, p.length) + 8;
            }
            if (ring.commitWrite()) {
                peer.signalGuest();
            }
            final int rc = peer.waitFor();
            System.out.println(peer.output());
            assertThat(rc).as(peer.output()).isZero();
            assertThat(peer.resultLong("packets_received")).isEqualTo(count);
            assertThat(peer.resultLong("verify_errors")).isZero();
            // our signals: exactly what we counted, at most one per commit (one per batch, plus the early commits a
            // full ring forced); how many early commits signal depends on how fast Linux drains, not on the ring
            assertThat(peer.resultLong("host_to_guest_signals")).isEqualTo(ring.signalsRaised());
            assertThat(ring.signalsRaised()).isLessThanOrEqualTo((count + batch - 1) / batch + earlyCommits);
            // Linux's signals: only its reader's pending_send_sz rule (it writes nothing), and each of our waits for
            // space ended with one
            final long linuxSignals = peer.resultLong("guest_to_host_signals");
            assertThat(peer.resultLong("intr_out_empty")).isZero();
            assertThat(peer.resultLong("intr_in_full")).isEqualTo(linuxSignals);
            assertThat(waits).isLessThanOrEqualTo(linuxSignals);
            if (s == 2) {
                assertThat(ringBytes / ring.dataSize()).as("wrap-arounds").isGreaterThan(1000);
            }
            System.out.printf(
                    "host wrote %d packets, %d ring bytes = %d wraps; host signalled %d times, waited %d times;"
                            + " Linux signalled %d times%n",
                    count, ringBytes, ringBytes / ring.dataSize(), ring.signalsRaised(), waits, linuxSignals);
        }
    }

    @Test
    void shouldRefusePacketsLongerThanLinuxsMaxPacketSizeAndKeepFraming() throws Exception {
        // Linux truncates a packet longer than max_pkt_size and loses framing; the ring must never write one
        final long seed = 27;
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "recv",
                        LinuxRingPeer.ringFile(logs, "maxpkt"),
                        4,
                        4,
                        "--count",
                        "2000",
                        "--size",
                        "1:4080",
                        "--seed",
                        "" + seed,
                        "--max-pkt",
                        "4096")
                .attach()) {
            final OutgoingRing ring = peer.hostRings().outgoing();
            assertThat(ring.maxPacketLength()).isEqualTo(4096);
            for (long seq = 0; seq < 2000; seq++) {
                final byte[] tooLong = new byte[4081];
                assertThat(ring.tryWrite(IN_BAND, 0, seq, MemorySegment.ofArray(tooLong), 0, tooLong.length))
                        .isEqualTo(WriteStatus.TOO_LARGE);
                write(peer, ring, IN_BAND, 0, seq, Payloads.of(seed, seq, 1, 4080), true);
            }
            final int rc = peer.waitFor();
            assertThat(rc).as(peer.output()).isZero();
            assertThat(peer.resultLong("packets_received")).isEqualTo(2000);
            assertThat(peer.resultLong("verify_errors")).isZero();
        }
    }

    // ------------------------------------------------------------------------------------------ round trips

    @ParameterizedTest(name = "echo {0}/{1} pages, {2} round trips of {3}..{4} bytes")
    @CsvSource({"3, 3, 20000, 1, 200, 31, 4096", "4, 4, 3000, 1, 12256, 32, 12288"})
    void shouldRoundTripThroughLinuxEcho(
            final int s, final int r, final int count, final int min, final int max, final long seed, final int maxPkt)
            throws Exception {
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "echo",
                        LinuxRingPeer.ringFile(logs, "echo"),
                        s,
                        r,
                        "--count",
                        "" + count,
                        "--max-pkt",
                        "" + maxPkt)
                .attach()) {
            final RingPair rings = peer.hostRings();
            final OutgoingRing out = rings.outgoing();
            final IncomingRing in = rings.incoming();
            final PacketView view = new PacketView();
            long sent = 0;
            long got = 0;
            byte[] next = null;
            while (got < count) {
                final long seen = peer.guestSignals();
                boolean progress = false;
                while (sent < count) { // produce as much as fits
                    if (next == null) {
                        next = Payloads.of(seed, sent, min, max);
                    }
                    final int type = sent % 3 == 0 ? COMPLETION : IN_BAND;
                    final WriteStatus st =
                            out.tryWrite(type, (int) (sent & 1), sent, MemorySegment.ofArray(next), 0, next.length);
                    if (st != WriteStatus.WRITTEN) {
                        assertThat(st).isEqualTo(WriteStatus.FULL);
                        if (out.commitWrite()) {
                            peer.signalGuest();
                        }
                        if (out.requestSpace((int) OutgoingRing.packetLength(0, next.length))) {
                            continue; // freed meanwhile
                        }
                        break;
                    }
                    sent++;
                    next = null;
                    progress = true;
                }
                if (out.commitWrite()) {
                    peer.signalGuest();
                }
                in.beginRead();
                ReadStatus st;
                while ((st = in.poll(view)) == ReadStatus.PACKET) { // consume the echoes
                    final int type = got % 3 == 0 ? COMPLETION : IN_BAND;
                    checkGuestPacket(view, got, Payloads.of(seed, got, min, max), type, (int) (got & 1));
                    got++;
                    progress = true;
                }
                assertThat(st).as("%s", in.corruption()).isEqualTo(ReadStatus.EMPTY);
                if (in.commitRead()) {
                    peer.signalGuest();
                }
                if (!in.endRead() && !progress) {
                    peer.awaitGuestSignal(seen, "echo: waiting for the guest after " + got);
                }
            }
            final int rc = peer.waitFor();
            System.out.println(peer.output());
            assertThat(rc).as(peer.output()).isZero();
            assertThat(peer.resultLong("echoed")).isEqualTo(count);
            assertThat(peer.resultLong("host_to_guest_signals")).isEqualTo(peer.hostSignals());
        }
    }

    @Test
    void shouldPingPongUntilTheHostIsDone() throws Exception {
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs, "echo", LinuxRingPeer.ringFile(logs, "pingpong"), 2, 2, "--count", "0")
                .attach()) {
            final RingPair rings = peer.hostRings();
            final PacketView view = new PacketView();
            for (long seq = 0; seq < 2000; seq++) {
                final byte[] p = Payloads.of(33, seq, 1, 512);
                write(peer, rings.outgoing(), IN_BAND, 1, seq, p, true);
                long seen = peer.guestSignals();
                ReadStatus st;
                while ((st = rings.incoming().poll(view)) == ReadStatus.EMPTY) {
                    seen = peer.awaitGuestSignal(seen, "ping-pong " + seq);
                }
                assertThat(st).isEqualTo(ReadStatus.PACKET);
                checkGuestPacket(view, seq, p, IN_BAND, 1);
                if (rings.incoming().commitRead()) {
                    peer.signalGuest();
                }
            }
            // one packet in flight at a time: every host write found Linux idle on an empty, unmasked ring
            assertThat(rings.outgoing().signalsRaised()).isEqualTo(2000);
            peer.ctl32(C_HOST_DONE, 1);
            assertThat(peer.waitFor()).as(peer.output()).isZero();
            assertThat(peer.ctl32(C_GUEST_DONE)).isEqualTo(1);
            assertThat(peer.ctl32(C_GUEST_STATUS)).isZero();
        }
    }

    // ------------------------------------------------------------------------------------------ signalling rules

    @Test
    void shouldSeeLinuxSignalOnceWhenTheHostLeavesTheRingUnreadAndSignalBackWhenSpaceCrossesPending() throws Exception {
        // 2-page ring (4096 bytes): packets of 1000 bytes take 1024 with the trailer; three fit, the fourth waits
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "send",
                        LinuxRingPeer.ringFile(logs, "unread"),
                        2,
                        2,
                        "--count",
                        "40",
                        "--size",
                        "1000",
                        "--seed",
                        "41")
                .attach()) {
            final RawRing g2h = peer.raw(true);
            peer.awaitCondition(
                    () -> peer.ctl32(C_GUEST_WAITING) > 0 && g2h.pendingSendSize() != 0,
                    "Linux blocked on a full ring");
            assertThat(g2h.writeIndex()).isEqualTo(3 * 1024);
            assertThat(g2h.pendingSendSize())
                    .as("Linux asks for the 4th packet's footprint")
                    .isEqualTo(1024);
            assertThat(peer.guestSignals())
                    .as("one empty->non-empty transition")
                    .isEqualTo(1);

            final IncomingRing ring = peer.hostRings().incoming();
            final PacketView view = new PacketView();
            assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
            assertThat(ring.commitRead())
                    .as("free went from 1024 (<= pending 1024) to 2048 (> pending)")
                    .isTrue();
            peer.signalGuest();
            final ReadStats st = readAll(
                    peer,
                    ring,
                    39,
                    (seq, v) -> checkGuestPacket(v, seq + 1, Payloads.of(41, seq + 1, 1000, 1000), IN_BAND, 0));
            assertThat(st.packets()).isEqualTo(39);
            assertThat(peer.waitFor()).as(peer.output()).isZero();
        }
    }

    @Test
    void shouldSeeNoLinuxSignalWhileTheHostMasksInterrupts() throws Exception {
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "send",
                        LinuxRingPeer.ringFile(logs, "masked"),
                        2,
                        2,
                        "--count",
                        "40",
                        "--size",
                        "1000",
                        "--seed",
                        "42",
                        "--wait-host")
                .attach()) {
            final IncomingRing ring = peer.hostRings().incoming();
            ring.beginRead(); // interrupt_mask = 1 before Linux writes anything
            peer.ctl32(C_HOST_READY, 1);
            final RawRing g2h = peer.raw(true);
            peer.awaitCondition(
                    () -> peer.ctl32(C_GUEST_WAITING) > 0 && g2h.pendingSendSize() != 0,
                    "Linux blocked on a full ring");
            assertThat(peer.guestSignals()).as("masked: no writer signal").isZero();
            final ReadStats st = readAll(
                    peer, ring, 40, (seq, v) -> checkGuestPacket(v, seq, Payloads.of(42, seq, 1000, 1000), 6, 0));
            assertThat(st.pendingSignals()).isPositive();
            assertThat(peer.waitFor()).as(peer.output()).isZero();
        }
    }

    @Test
    void shouldSignalLinuxExactlyWhenItWaitsOnAnEmptyUnmaskedRing() throws Exception {
        final long seed = 43;
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs,
                        "recv",
                        LinuxRingPeer.ringFile(logs, "idle"),
                        3,
                        3,
                        "--count",
                        "32",
                        "--size",
                        "1:100",
                        "--seed",
                        "" + seed)
                .attach()) {
            final OutgoingRing ring = peer.hostRings().outgoing();
            final RawRing h2g = peer.raw(false);
            // 1) one packet at a time, each time after Linux has drained everything and gone to sleep
            for (long seq = 0; seq < 12; seq++) {
                final long waitsBefore = peer.ctl64(C_GUEST_WAITS);
                peer.awaitCondition(
                        () -> peer.ctl32(C_GUEST_WAITING) > 0
                                && h2g.readIndex() == h2g.writeIndex()
                                && h2g.interruptMask() == 0,
                        "Linux idle before packet");
                final byte[] p = Payloads.of(seed, seq, 1, 100);
                assertThat(ring.tryWrite(IN_BAND, 0, seq, MemorySegment.ofArray(p), 0, p.length))
                        .isEqualTo(WriteStatus.WRITTEN);
                assertThat(ring.commitWrite())
                        .as("packet %d into an empty ring, mask 0", seq)
                        .isTrue();
                peer.signalGuest();
                final long s = seq;
                peer.awaitCondition(
                        () -> peer.ctl64(C_GUEST_WAITS) > waitsBefore && h2g.readIndex() == h2g.writeIndex(),
                        "Linux to consume packet " + s);
            }
            // 2) a batch of 20 into an idle ring: one decision, one signal
            peer.awaitCondition(() -> peer.ctl32(C_GUEST_WAITING) > 0, "Linux idle before the batch");
            for (long seq = 12; seq < 32; seq++) {
                final byte[] p = Payloads.of(seed, seq, 1, 100);
                assertThat(ring.tryWrite(IN_BAND, 0, seq, MemorySegment.ofArray(p), 0, p.length))
                        .isEqualTo(WriteStatus.WRITTEN);
            }
            assertThat(ring.commitWrite()).isTrue();
            peer.signalGuest();
            assertThat(peer.waitFor()).as(peer.output()).isZero();
            assertThat(ring.signalsRaised()).isEqualTo(13);
            assertThat(peer.resultLong("packets_received")).isEqualTo(32);
        }
    }

    @Test
    void shouldNotSignalLinuxWhileItIsStillReading() throws Exception {
        // Linux sets interrupt_mask = 1 while it drains; a host write then must not signal. We hold Linux "inside"
        // its drain by making it wait for space in its own echo ring (guest->host) while it still has host packets.
        try (LinuxRingPeer peer = LinuxRingPeer.start(
                        logs, "echo", LinuxRingPeer.ringFile(logs, "busy"), 2, 3, "--count", "0")
                .attach()) {
            final RingPair rings = peer.hostRings();
            final RawRing h2g = peer.raw(false);
            final RawRing g2h = peer.raw(true);
            // six 1000-byte packets: Linux echoes three into its 4096-byte ring, then blocks with mask = 1
            for (long seq = 0; seq < 6; seq++) {
                write(peer, rings.outgoing(), IN_BAND, 0, seq, Payloads.of(44, seq, 1000, 1000), false);
            }
            assertThat(rings.outgoing().commitWrite()).isTrue();
            peer.signalGuest();
            peer.awaitCondition(
                    () -> peer.ctl32(C_GUEST_WAITING) > 0 && g2h.pendingSendSize() != 0,
                    "Linux blocked writing echoes");
            assertThat(h2g.interruptMask()).as("Linux is inside its drain").isEqualTo(1);
            write(peer, rings.outgoing(), IN_BAND, 0, 6, Payloads.of(44, 6, 1000, 1000), false);
            assertThat(rings.outgoing().commitWrite()).as("masked: no signal").isFalse();

            final PacketView view = new PacketView();
            long got = 0;
            while (got < 7) {
                final long seen = peer.guestSignals();
                while (rings.incoming().poll(view) == ReadStatus.PACKET) {
                    checkGuestPacket(view, got, Payloads.of(44, got, 1000, 1000), IN_BAND, 0);
                    got++;
                }
                if (rings.incoming().commitRead()) {
                    peer.signalGuest();
                }
                if (got < 7 && !rings.incoming().hasPackets()) {
                    peer.awaitGuestSignal(seen, "echoes after " + got);
                }
            }
            peer.ctl32(C_HOST_DONE, 1);
            assertThat(peer.waitFor()).as(peer.output()).isZero();
            assertThat(peer.ctl64(C_INTR_IN_FULL)).isZero();
        }
    }
}
