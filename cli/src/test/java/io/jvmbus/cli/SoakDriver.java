package io.jvmbus.cli;

import io.jvmbus.client.GuestChannel;
import io.jvmbus.client.GuestClient;
import io.jvmbus.client.GuestGpadl;
import io.jvmbus.client.GuestOptions;
import io.jvmbus.client.GuestRam;
import io.jvmbus.client.OpenOptions;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Random valid traffic against a running {@code jvmbus serve}: N concurrent VMs, each a {@link SocketGuestTransport}
 * (playing the VMM, answering a quarter of the server's deliveries "slot busy" and then freeing the slot) and a
 * {@link GuestClient} (playing Linux's {@code hv_vmbus}) over a real RAM file. Each VM lives through connect (a random
 * start in Linux's version fallback order), offers, GPADLs, opens and closes of echo channels, packet bursts whose
 * every echo is checked in order, unload and reconnect, and VM restarts (the transport closed, a new session).
 *
 * <p>Each VM's actions come from its own generator seeded with {@code seed + vm}: the action sequence of a VM is the
 * same on every run with the same seed (the interleaving of VMs is not). A failure names the seed and the VM.
 *
 * <p>Lost or reordered echoes are counted, not thrown, so a report can say "0"; any other failure (a refusal, a
 * timeout, a protocol error seen by the client) ends that VM with the failure recorded.
 */
final class SoakDriver {

    /** Echo channels offered to every VM. */
    static final int CHANNELS = 3;
    /** Guest RAM per VM: 2 MiB. */
    static final int RAM_PAGES = 512;
    /** Busy deliveries per mille (the 25 %). */
    static final int BUSY_PER_MILLE = 250;

    private static final String ECHO_INTERFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int HEADER = 16;

    /**
     * How to run.
     *
     * @param socket the server's Unix socket
     * @param ramDir where the VMs' RAM files go
     * @param vms concurrent VMs (sessions)
     * @param seed the base seed (VM i uses seed + i)
     * @param deadlineNanos when to stop starting new actions ({@link System#nanoTime()} scale), or 0 to run
     *     {@code livesPerVm} lives instead
     * @param livesPerVm lives per VM when there is no deadline
     * @param timeout the longest wait for any single answer
     */
    record Options(Path socket, Path ramDir, int vms, long seed, long deadlineNanos, int livesPerVm, Duration timeout) {

        static Options forDuration(
                final Path socket, final Path ramDir, final int vms, final long seed, final Duration d) {
            return new Options(socket, ramDir, vms, seed, System.nanoTime() + d.toNanos(), 0, Duration.ofSeconds(60));
        }

        static Options forLives(final Path socket, final Path ramDir, final int vms, final long seed, final int lives) {
            return new Options(socket, ramDir, vms, seed, 0, lives, Duration.ofSeconds(30));
        }
    }

    /**
     * What one VM (or all of them, summed) did.
     *
     * @param lives sessions (HELLO to close) the VM went through
     * @param connects guest connects (INITIATE_CONTACT accepted)
     * @param unloads guest unloads
     * @param opens channel opens
     * @param closes channel closes
     * @param gpadls GPADLs created (ring GPADLs not counted)
     * @param teardowns GPADLs torn down
     * @param packetsSent packets the guest wrote
     * @param packetsEchoed echoes received and checked
     * @param lost echoes that never came
     * @param reordered echoes that came out of order or with the wrong bytes
     * @param posts POST_MESSAGE frames answered
     * @param deliveries DELIVER_MESSAGE frames accepted
     * @param busy DELIVER_MESSAGE frames answered "slot busy"
     * @param failures failures, each naming the VM and seed
     */
    record Totals(
            long lives,
            long connects,
            long unloads,
            long opens,
            long closes,
            long gpadls,
            long teardowns,
            long packetsSent,
            long packetsEchoed,
            long lost,
            long reordered,
            long posts,
            long deliveries,
            long busy,
            List<String> failures) {

        Totals plus(final Totals o) {
            final List<String> f = new ArrayList<>(failures);
            f.addAll(o.failures);
            return new Totals(
                    lives + o.lives,
                    connects + o.connects,
                    unloads + o.unloads,
                    opens + o.opens,
                    closes + o.closes,
                    gpadls + o.gpadls,
                    teardowns + o.teardowns,
                    packetsSent + o.packetsSent,
                    packetsEchoed + o.packetsEchoed,
                    lost + o.lost,
                    reordered + o.reordered,
                    posts + o.posts,
                    deliveries + o.deliveries,
                    busy + o.busy,
                    f);
        }

        static Totals zero() {
            return new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, List.of());
        }

        /** Channel messages both ways plus packets both ways. */
        long messages() {
            return posts + deliveries + packetsSent + packetsEchoed;
        }

        @Override
        public String toString() {
            return "lives=" + lives + " connects=" + connects + " unloads=" + unloads + " opens=" + opens + " closes="
                    + closes + " gpadls=" + gpadls + " teardowns=" + teardowns + " posts=" + posts + " deliveries="
                    + deliveries + " busy=" + busy + " packetsSent=" + packetsSent + " packetsEchoed=" + packetsEchoed
                    + " lost=" + lost + " reordered=" + reordered + " failures=" + failures.size();
        }
    }

    private final Options options;

    SoakDriver(final Options options) {
        this.options = options;
    }

    /**
     * Runs every VM to the deadline (or its lives) and sums what they did.
     *
     * @return the totals
     * @throws InterruptedException if interrupted while waiting for the VMs
     */
    Totals run() throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(options.vms(), r -> {
            final Thread t = new Thread(r, "soak-vm");
            t.setDaemon(true);
            return t;
        });
        try {
            final List<Future<Totals>> vms = new ArrayList<>();
            for (int i = 0; i < options.vms(); i++) {
                final int vm = i;
                vms.add(pool.submit(() -> new Vm(vm).run()));
            }
            Totals sum = Totals.zero();
            for (final Future<Totals> f : vms) {
                sum = sum.plus(f.get());
            }
            return sum;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /** One VM: its lives one after another, until the deadline or its count of lives. */
    private final class Vm {

        private final int vm;
        private final long seed;
        private final SplittableRandom random;
        private final Duration timeout = options.timeout();
        private long lives;
        private long connects;
        private long unloads;
        private long opens;
        private long closes;
        private long gpadls;
        private long teardowns;
        private long packetsSent;
        private long packetsEchoed;
        private long lost;
        private long reordered;
        private long posts;
        private long deliveries;
        private long busy;
        private final List<String> failures = new ArrayList<>();

        Vm(final int vm) {
            this.vm = vm;
            this.seed = options.seed() + vm;
            this.random = new SplittableRandom(seed);
        }

        Totals run() {
            try {
                while (more()) {
                    life();
                }
            } catch (final RuntimeException | AssertionError e) {
                failures.add("vm " + vm + " (seed " + seed + ", life " + lives + "): " + e);
            }
            return new Totals(
                    lives,
                    connects,
                    unloads,
                    opens,
                    closes,
                    gpadls,
                    teardowns,
                    packetsSent,
                    packetsEchoed,
                    lost,
                    reordered,
                    posts,
                    deliveries,
                    busy,
                    List.copyOf(failures));
        }

        private boolean more() {
            return options.deadlineNanos() == 0
                    ? lives < options.livesPerVm()
                    : System.nanoTime() - options.deadlineNanos() < 0;
        }

        private boolean timeLeft() {
            return options.deadlineNanos() == 0 || System.nanoTime() - options.deadlineNanos() < 0;
        }

        /** HELLO, offers, a few guest connections, then the VM goes away (transport closed). */
        private void life() {
            lives++;
            final Path file = options.ramDir().resolve("vm-" + vm + ".ram");
            try (GuestRam ram = GuestRam.create(file, RAM_PAGES, true);
                    SocketGuestTransport transport =
                            SocketGuestTransport.connect(options.socket(), ram, 2, "soak-" + vm, timeout)) {
                transport.refuseDeliveriesAtRandom(BUSY_PER_MILLE, random.nextLong());
                for (int c = 0; c < CHANNELS; c++) {
                    final String r = transport.control("{\"op\":\"offer\",\"name\":\"echo" + c
                            + "\",\"device\":\"echo\",\"interface\":\"" + ECHO_INTERFACE + "\",\"instance\":\""
                            + Guid.ofData1(0x5000 + c) + "\"}");
                    check(r.contains("\"ok\":true"), "offer echo" + c + ": " + r);
                }
                final ProtocolVersion[] order = ProtocolVersion.linuxFallbackOrder();
                final int start = random.nextInt(order.length);
                final GuestClient client = new GuestClient(
                        transport,
                        ram,
                        GuestOptions.linux().withVersions(Arrays.copyOfRange(order, start, order.length)));
                try {
                    final int cycles = 1 + random.nextInt(3);
                    for (int cycle = 0; cycle < cycles && timeLeft(); cycle++) {
                        final boolean unloaded = guestConnection(client, ram, cycle == cycles - 1);
                        if (!unloaded) {
                            break; // the VM goes away with its guest connected
                        }
                    }
                    check(client.protocolErrors().isEmpty(), "client protocol errors: " + client.protocolErrors());
                    check(transport.errors().isEmpty(), "transport errors: " + transport.errors());
                } finally {
                    client.close();
                    posts += transport.postsAnswered();
                    deliveries += transport.deliveriesAccepted();
                    busy += transport.busyAnswers();
                }
            }
        }

        /**
         * One guest connection: connect, offers, random actions, then unload (or not, on the VM's last connection,
         * sometimes, or below 3.0 where Linux does not unload).
         *
         * @return whether the guest unloaded (a further connect may follow)
         */
        private boolean guestConnection(final GuestClient client, final GuestRam ram, final boolean last) {
            final GuestClient.Connection c = client.connect(timeout);
            connects++;
            final List<OfferChannel> offers = client.requestOffers(timeout);
            check(offers.size() == CHANNELS, "offers " + offers.size() + " (expected: " + CHANNELS + ")");
            final Map<Integer, GuestChannel> open = new HashMap<>();
            final Map<Integer, Long> nextSeq = new HashMap<>();
            final List<GuestGpadl> extra = new ArrayList<>();
            final int steps = 4 + random.nextInt(24);
            for (int s = 0; s < steps && timeLeft(); s++) {
                final OfferChannel offer = offers.get(random.nextInt(offers.size()));
                final int relid = offer.channelId();
                final int action = random.nextInt(100);
                if (action < 20) {
                    if (open.containsKey(relid)) {
                        client.close(open.remove(relid), timeout);
                        closes++;
                    } else {
                        final OpenOptions rings = OpenOptions.rings(2 + random.nextInt(3), 2 + random.nextInt(3));
                        open.put(relid, client.open(offer, rings, timeout));
                        nextSeq.putIfAbsent(relid, 0L);
                        opens++;
                    }
                } else if (action < 35) {
                    if (extra.isEmpty() || (extra.size() < 4 && random.nextBoolean())) {
                        final long[] pages = ram.allocate(1 + random.nextInt(40));
                        extra.add(client.createGpadl(relid, pages, timeout));
                        gpadls++;
                    } else {
                        final GuestGpadl g = extra.remove(random.nextInt(extra.size()));
                        client.teardownGpadl(g, timeout);
                        ram.free(g.pages());
                        teardowns++;
                    }
                } else if (!open.isEmpty()) {
                    final List<Integer> ids = new ArrayList<>(open.keySet());
                    ids.sort(null);
                    final int id = ids.get(random.nextInt(ids.size()));
                    nextSeq.put(id, burst(open.get(id), nextSeq.get(id), 1 + random.nextInt(64)));
                }
            }
            final boolean canUnload = c.version().atLeast(ProtocolVersion.WIN8_1);
            if (!canUnload || (last && random.nextInt(3) == 0)) {
                return false;
            }
            if (random.nextBoolean()) {
                for (final GuestChannel ch : open.values()) {
                    client.close(ch, timeout);
                    closes++;
                }
            }
            client.unload(timeout);
            unloads++;
            // the host dropped every GPADL at UNLOAD; their pages are the guest's again
            for (final GuestGpadl g : extra) {
                ram.free(g.pages());
            }
            return true;
        }

        /**
         * Sends {@code count} packets numbered from {@code first}, reading echoes whenever the ring is full, then reads
         * the rest; every echo must be the next number with the same bytes.
         *
         * @return the next number to use on this channel
         */
        private long burst(final GuestChannel ch, final long first, final int count) {
            final int max = Math.min(ch.maxPayload() - 8, 1500);
            long expect = first;
            long next = first;
            while (next < first + count) {
                final byte[] p = payload(ch.channelId(), next, random.nextInt(max - HEADER + 1) + HEADER);
                final WriteStatus w = ch.trySend(next, false, p);
                if (w == WriteStatus.WRITTEN) {
                    packetsSent++;
                    next++;
                } else if (w == WriteStatus.FULL && expect < next) {
                    expect = receive(ch, expect);
                } else if (w == WriteStatus.FULL) {
                    ch.send(next, false, p, timeout); // nothing of ours in flight: the host is still reading
                    packetsSent++;
                    next++;
                } else {
                    throw new AssertionError("channel " + ch.channelId() + ": send " + w);
                }
            }
            while (expect < next) {
                expect = receive(ch, expect);
            }
            return next;
        }

        private long receive(final GuestChannel ch, final long expect) {
            final GuestChannel.Packet p;
            try {
                p = ch.receive(timeout);
            } catch (final RuntimeException e) {
                lost++;
                throw new AssertionError("channel " + ch.channelId() + ": echo " + expect + " lost: " + e, e);
            }
            final ByteBuffer b = ByteBuffer.wrap(p.payload()).order(ByteOrder.LITTLE_ENDIAN);
            final long seq = b.getLong(8);
            if (p.transactionId() != expect || seq != expect || !intact(p.payload(), ch.channelId(), expect)) {
                reordered++;
                if (seq > expect) {
                    lost += seq - expect;
                }
                throw new AssertionError("channel " + ch.channelId() + ": echo transaction " + p.transactionId()
                        + " seq " + seq + " (expected: " + expect + ", intact)");
            }
            packetsEchoed++;
            return expect + 1;
        }

        /** u32 vm, u16 channel, u16 length, u64 sequence, then a filler derived from them. */
        private byte[] payload(final int channel, final long seq, final int length) {
            final byte[] p = new byte[length];
            final ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, vm)
                    .putShort(4, (short) channel)
                    .putShort(6, (short) length)
                    .putLong(8, seq);
            for (int i = HEADER; i < length; i++) {
                p[i] = filler(channel, seq, i);
            }
            return p;
        }

        /** The echo carries our bytes, padded with zeros to a multiple of 8 (the ring's packet granularity). */
        private boolean intact(final byte[] echo, final int channel, final long seq) {
            final ByteBuffer b = ByteBuffer.wrap(echo).order(ByteOrder.LITTLE_ENDIAN);
            final int length = Short.toUnsignedInt(b.getShort(6));
            if (b.getInt(0) != vm
                    || Short.toUnsignedInt(b.getShort(4)) != channel
                    || echo.length != ((length + 7) & ~7)) {
                return false;
            }
            for (int i = HEADER; i < echo.length; i++) {
                if (echo[i] != (i < length ? filler(channel, seq, i) : 0)) {
                    return false;
                }
            }
            return true;
        }

        private static byte filler(final int channel, final long seq, final int i) {
            return (byte) (seq * 31 + channel * 7 + i);
        }

        private void check(final boolean ok, final String what) {
            if (!ok) {
                throw new AssertionError(what);
            }
        }
    }
}
