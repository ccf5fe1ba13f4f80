package io.jvmbus.server;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.ModifyConnectionResponse;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.PauseResponse;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Drives one {@link ChannelServer} with a seeded random mix of guest messages (valid and invalid), device completions
 * in random order, host answers, offers, revokes and resets, and checks invariants after every step. A violation
 * throws {@link AssertionError} naming the seed, the step and the last actions.
 *
 * <p>The oracle for "every guest request that expects an answer gets exactly one" counts, per request key, the
 * requests the core processed and the answers it queued. Keys are forgotten when their answer can legitimately no
 * longer come (the guest released the channel, the device was revoked, the connection ended, the VM was reset). After
 * every step no key may have more answers than requests; after a settle (every device request, host request and
 * message handled) every remaining key must have exactly as many.
 */
final class RandomActionDriver {

    private static final Set<ErrorKind> PRE_DISPATCH = EnumSet.of(
            ErrorKind.BUSY,
            ErrorKind.RESETTING,
            ErrorKind.QUEUE_FULL,
            ErrorKind.DECODE_FAILED,
            ErrorKind.UNTRUSTED_MESSAGE,
            ErrorKind.PAUSED,
            ErrorKind.INVALID_CONNECTION_ID);

    private static final ProtocolVersion[] VERSIONS = ProtocolVersion.values();

    /** A device request the random host has not answered yet. */
    private record Pending(OfferId offer, DeviceRequest request) {}

    /** Request/answer counts for one key. */
    private static final class Count {
        final int channelId;
        final boolean survivesDisconnect;
        final boolean atMostOnce;
        int requested;
        int answered;

        Count(final int channelId, final boolean survivesDisconnect, final boolean atMostOnce) {
            this.channelId = channelId;
            this.survivesDisconnect = survivesDisconnect;
            this.atMostOnce = atMostOnce;
        }
    }

    /** Recording effects: device and connection requests go to the random host's pending lists. */
    private final class Effects implements ServerEffects {
        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {
            (servicing ? reissuedDevice : devicePending).add(new Pending(offer, request));
        }

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {
            if (request.notifyRelay()) {
                (servicing ? reissuedRelay : relayPending).addLast(request);
            }
        }

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {
            (servicing ? reissuedHvsock : hvsockPending).add(request);
        }

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {}

        @Override
        public void unloadComplete() {}

        @Override
        public void resetComplete() {
            resetCompleted = true;
        }

        @Override
        public void messageQueued(final OutgoingMessage message) {
            if (!servicing) {
                queuedThisStep.add(message);
            }
        }
    }

    private final long seed;
    private final Random random;
    private final ServerConfig config;
    private ChannelServer server;
    private final List<Pending> devicePending = new ArrayList<>();
    private final ArrayDeque<ModifyConnectionRequest> relayPending = new ArrayDeque<>();
    private final List<HvsockConnectRequest> hvsockPending = new ArrayList<>();
    /** Handles the host holds, with the key each was issued for (a re-offer replaces the old handle). */
    private final Map<OfferId, OfferKey> liveOffers = new LinkedHashMap<>();

    private final List<OutgoingMessage> queuedThisStep = new ArrayList<>();
    private final Map<String, Count> counts = new LinkedHashMap<>();
    /** GPADL id → [channel id, words still to send] for multi-message GPADLs the core holds in progress. */
    private final Map<Integer, int[]> assembling = new LinkedHashMap<>();

    private final ArrayDeque<String> history = new ArrayDeque<>();
    private final List<Integer> forgetAfterStep = new ArrayList<>();
    /** The channel whose teardowns this step answers first (revoked, or just torn down on a revoked channel), or 0. */
    private int revokedThisStep;

    private boolean resetCompleted;
    /** Steps left during which nothing is delivered. */
    private int withholding;

    private boolean untracked;
    /** After an input the oracle could not interpret, answers are not checked until the next reset or settle. */
    private boolean lenient;

    private int nextOpenId = 1;
    private int nextKey = 1;
    private long step;
    private long settles;
    /** What the run reached: channel/GPADL/connection states (reserved variants spelled out) and action outcomes. */
    private final Map<String, Integer> coverage = new java.util.TreeMap<>();

    private final int[] phaseSeen = new int[ConnectionPhase.values().length];
    private final int[] channelSeen = new int[ChannelState.values().length * 2];
    private final int[] gpadlSeen = new int[GpadlState.values().length];
    private final int[] flagsSeen = new int[3];

    RandomActionDriver(final long seed) {
        this.seed = seed;
        this.random = new Random(seed);
        final int maxChannels = 3 + random.nextInt(8);
        final int offset = random.nextInt(4) == 0 ? ConnectionIds.MAX_CHANNEL_ID - maxChannels - 1 : 0;
        // Room for many GPADLs in flight, so that their answers can fill the queue while the guest withholds.
        final boolean bigGpadlLimits = random.nextInt(3) != 0;
        this.config = ServerConfig.builder()
                .maxVersion(random.nextInt(5) == 0 ? VERSIONS[4 + random.nextInt(7)] : ProtocolVersion.COPPER)
                .gpaPinning(random.nextBoolean())
                .requireServerAllocatedMonitorPages(random.nextInt(6) == 0)
                .absoluteChannelOrder(random.nextBoolean())
                .channelIdOffset(offset)
                .maxChannels(maxChannels)
                .maxGpadlsPerChannel(bigGpadlLimits ? 30 : 2 + random.nextInt(4))
                .maxGpadls(bigGpadlLimits ? 60 : 4 + random.nextInt(10))
                .maxGpadlPages(4 + random.nextInt(40))
                .maxGpadlBytesTotal(bigGpadlLimits ? 8192 : 256 + random.nextInt(4096))
                .maxQueuedMessages(maxChannels + 4 + ServerConfig.MIN_HOST_QUEUE_BUDGET + random.nextInt(24))
                .maxOutstandingHvsockRequests(1 + random.nextInt(3))
                .build();
        this.server = new ChannelServer(config, new Effects());
    }

    /** Runs {@code steps} random steps, checking invariants after each and exactly-once answers at every settle. */
    void run(final int steps) {
        for (int i = 0; i < steps; i++) {
            step++;
            final ServerSnapshot before = server.inspect();
            queuedThisStep.clear();
            untracked = false;
            try {
                act(before);
            } catch (final AssertionError e) {
                throw e;
            } catch (final RuntimeException e) {
                throw fail("exception " + e, e);
            }
            check(before, server.inspect());
            if (random.nextInt(400) == 0) {
                settle();
            }
        }
        settle();
    }

    long settles() {
        return settles;
    }

    /**
     * How often each state and each (action, outcome) pair was seen.
     *
     * @return a sorted copy
     */
    Map<String, Integer> coverage() {
        final Map<String, Integer> out = new java.util.TreeMap<>(coverage);
        for (final ConnectionPhase p : ConnectionPhase.values()) {
            addIfSeen(out, "phase " + p, phaseSeen[p.ordinal()]);
        }
        for (final ChannelState c : ChannelState.values()) {
            addIfSeen(out, "channel " + c, channelSeen[c.ordinal() * 2]);
            addIfSeen(out, "channel " + c + "_RESERVED", channelSeen[c.ordinal() * 2 + 1]);
        }
        for (final GpadlState g : GpadlState.values()) {
            addIfSeen(out, "gpadl " + g, gpadlSeen[g.ordinal()]);
        }
        addIfSeen(out, "paused", flagsSeen[0]);
        addIfSeen(out, "modifying connection", flagsSeen[1]);
        addIfSeen(out, "queue near its bound", flagsSeen[2]);
        return out;
    }

    private static void addIfSeen(final Map<String, Integer> out, final String key, final int count) {
        if (count > 0) {
            out.put(key, count);
        }
    }

    private void cover(final String what) {
        coverage.merge(what, 1, Integer::sum);
    }

    // ---- actions
    // -----------------------------------------------------------------------------------------------------

    private void act(final ServerSnapshot s) {
        if (withholding > 0) {
            withholding--;
        } else if (random.nextInt(800) == 0) {
            burst(s);
            withholding = 50 + random.nextInt(300);
            log("withholding delivery for " + withholding + " steps");
        }
        if (random.nextInt(800) == 0) {
            // A fresh picture: a burst may just have changed the state.
            service(server.inspect());
            return;
        }
        final int roll = random.nextInt(1000);
        if (roll < 500) {
            guestAction(s);
        } else if (roll < 720) {
            completeDevice();
        } else if (roll < 800) {
            answerRelay();
        } else if (roll < 815) {
            answerHvsock();
        } else if (roll < 840) {
            offer(s);
        } else if (roll < 855) {
            revoke(s);
        } else if (roll < 857) {
            reset();
        } else if (roll < 862) {
            stray();
        } else {
            deliver(1 + random.nextInt(random.nextInt(8) == 0 ? 50 : 6));
        }
    }

    /** Many GPADLs at once, so that their answers pile up while the guest stops consuming messages. */
    private void burst(final ServerSnapshot s) {
        deliver(Integer.MAX_VALUE);
        final List<Integer> ids = new ArrayList<>();
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            if (c.channelId() != 0 && c.reserved() == null) {
                ids.add(c.channelId());
            }
        }
        if (ids.isEmpty() || s.connection().phase() != ConnectionPhase.CONNECTED) {
            return;
        }
        for (int i = 0; i < 50; i++) {
            final int ch = ids.get(random.nextInt(ids.size()));
            final int g = 100 + i;
            request(
                    "gpadl:" + ch + ":" + g,
                    ch,
                    false,
                    false,
                    send("GPADL " + ch + "/" + g + " (burst)", GuestMessages.simpleGpadl(ch, g), null));
            deliver(Integer.MAX_VALUE);
        }
    }

    private void log(final String action) {
        final int arrow = action.indexOf(" -> ");
        final int space = action.indexOf(' ');
        if (arrow > 0) {
            cover("action " + action.substring(0, space > 0 && space < arrow ? space : arrow)
                    + action.substring(arrow));
        }
        history.addLast(step + ": " + action);
        if (history.size() > 40) {
            history.removeFirst();
        }
    }

    private int channelIdFor(final ServerSnapshot s) {
        final List<Integer> ids = new ArrayList<>();
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            if (c.channelId() != 0) {
                ids.add(c.channelId());
            }
        }
        if (ids.isEmpty() || random.nextInt(8) == 0) {
            return random.nextInt(8) == 0 ? random.nextInt() : config.channelIdOffset() + random.nextInt(14);
        }
        return ids.get(random.nextInt(ids.size()));
    }

    private int gpadlId() {
        return 1 + random.nextInt(6);
    }

    private ProtocolVersion negotiated(final ServerSnapshot s) {
        return s.connection().version() != null ? s.connection().version().version() : ProtocolVersion.COPPER;
    }

    private void guestAction(final ServerSnapshot s) {
        final ConnectionPhase phase = s.connection().phase();
        // Mostly a well-behaved client: connect when disconnected, ask for offers once connected.
        if (phase == ConnectionPhase.DISCONNECTED && random.nextInt(3) == 0) {
            initiateContact(s);
            return;
        }
        if (phase == ConnectionPhase.CONNECTED && !s.connection().offersSent() && random.nextBoolean()) {
            send("REQUEST_OFFERS", GuestMessages.requestOffers(), null);
            return;
        }
        final int roll = random.nextInt(100);
        final int ch = channelIdFor(s);
        if (roll < 2) {
            initiateContact(s);
        } else if (roll < 7) {
            send("REQUEST_OFFERS", GuestMessages.requestOffers(), null);
        } else if (roll < 22) {
            final int openId = nextOpenId++;
            final VersionInfo v = s.connection().version();
            final boolean long2 = v != null
                    && v.atLeast(ProtocolVersion.COPPER)
                    && (v.featureFlags() & 3) != 0
                    && random.nextInt(10) != 0;
            final int vp = random.nextInt(6) == 0 ? ConnectionIds.VP_INDEX_DISABLE_INTERRUPT : random.nextInt(4);
            final byte[] m = long2
                    ? GuestMessages.openChannel2(
                            ch,
                            openId,
                            gpadlId(),
                            vp,
                            1,
                            new byte[0],
                            random.nextInt(),
                            random.nextInt(0x10000),
                            random.nextInt(0x10000))
                    : GuestMessages.openChannel(ch, openId, gpadlId(), vp, 1);
            final Outcome o = send("OPEN " + ch + " id " + openId, m, null);
            if (processed(o) && o.errorKind() != ErrorKind.CHANNEL_REVOKED) {
                request("open:" + ch + ":" + openId, ch, false, false);
            }
        } else if (roll < 29) {
            final Outcome o = send("CLOSE " + ch, GuestMessages.closeChannel(ch), null);
            if (o.isOk() && random.nextInt(3) == 0) {
                // Re-open before the device finished closing (there is no close-complete message).
                final int openId = nextOpenId++;
                final Outcome r = send(
                        "OPEN " + ch + " id " + openId + " (racing the close)",
                        GuestMessages.openChannel2(ch, openId, gpadlId(), 1, 1, new byte[0], 0, 0, 0),
                        null);
                if (processed(r) && r.errorKind() != ErrorKind.CHANNEL_REVOKED) {
                    request("open:" + ch + ":" + openId, ch, false, false);
                }
            }
        } else if (roll < 41) {
            gpadlHeader(ch);
        } else if (roll < 46) {
            gpadlBody();
        } else if (roll < 52) {
            int tch = ch;
            int g = gpadlId();
            final List<ServerSnapshot.GpadlSnapshot> accepted = s.gpadls().stream()
                    .filter(x -> x.state() == GpadlState.ACCEPTED && x.channelId() != 0)
                    .toList();
            if (!accepted.isEmpty() && random.nextInt(4) != 0) {
                final ServerSnapshot.GpadlSnapshot x = accepted.get(random.nextInt(accepted.size()));
                tch = x.channelId();
                g = x.gpadlId();
            }
            final Outcome o = send("GPADL_TEARDOWN " + tch + "/" + g, GuestMessages.gpadlTeardown(tch, g), null);
            if (o.isOk()) {
                request("teardown:" + tch + ":" + g, tch, false, false);
                // On a revoked channel the answer comes at once: it is this request's.
                revokedThisStep = tch;
            }
        } else if (roll < 57) {
            final Outcome o = send("REL_ID_RELEASED " + ch, GuestMessages.relIdReleased(ch), null);
            if (o.isOk()) {
                forgetChannel(ch);
            }
        } else if (roll < 59) {
            final Outcome o = send("UNLOAD", GuestMessages.unload(), null);
            if (processed(o)) {
                request("unload", 0, true, true);
            }
        } else if (roll < 64) {
            final Outcome o = send(
                    "OPEN_RESERVED " + ch,
                    GuestMessages.openReservedChannel(ch, random.nextInt(4), 2 + random.nextInt(2), gpadlId(), 1),
                    null);
            if (processed(o) && o.errorKind() != ErrorKind.CHANNEL_REVOKED) {
                request("ropen:" + ch, ch, true, false);
            }
        } else if (roll < 69) {
            final Outcome o =
                    send("CLOSE_RESERVED " + ch, GuestMessages.closeReservedChannel(ch, random.nextInt(4), 2), null);
            if (o.isOk()) {
                request("rclose:" + ch, ch, true, false);
            }
        } else if (roll < 72) {
            send(
                    "TL_CONNECT",
                    GuestMessages.tlConnectRequest(
                            Guid.ofData1(random.nextInt(4)), Guid.ofData1(100 + random.nextInt(3))),
                    null);
        } else if (roll < 77) {
            final int vp = random.nextInt(10) == 0 ? 0xFFFFFFFF : random.nextInt(4);
            final Outcome o = send("MODIFY_CHANNEL " + ch + " vp " + vp, GuestMessages.modifyChannel(ch, vp), null);
            if (processed(o) && negotiated(s).atLeast(ProtocolVersion.IRON)) {
                request("modify:" + ch, ch, false, false);
            }
            if (o.isOk() && random.nextInt(3) == 0) {
                // A second one before the first is answered.
                deliver(Integer.MAX_VALUE);
                final Outcome again = send("MODIFY_CHANNEL " + ch + " again", GuestMessages.modifyChannel(ch, 1), null);
                if (processed(again) && negotiated(s).atLeast(ProtocolVersion.IRON)) {
                    request("modify:" + ch, ch, false, false);
                }
            }
        } else if (roll < 80) {
            final long p2c = random.nextInt(3) == 0 ? 0 : 0x1000L * (1 + random.nextInt(4));
            final long c2p = random.nextInt(3) == 0 ? 0 : 0x1000L * (5 + random.nextInt(4));
            final Outcome o = send("MODIFY_CONNECTION", GuestMessages.modifyConnection(p2c, c2p), null);
            if (processed(o)) {
                request("modconn", 0, false, false);
            }
        } else if (roll < 82) {
            final Outcome o = send("PAUSE", GuestMessages.pause(), null);
            if (processed(o)) {
                request("pause", 0, false, false);
            }
        } else if (roll < 86) {
            send("RESUME", GuestMessages.resume(), null);
        } else if (roll < 92) {
            garbage();
        } else {
            // A host-to-guest message posted by the guest (B1).
            final int[] types = {1, 2, 4, 6, 10, 12, 15, 17, 20, 23, 24, 26, 28};
            final int t = types[random.nextInt(types.length)];
            send("HOST-TYPE " + t, GuestMessages.raw(t, new byte[random.nextInt(200)]), null);
        }
    }

    private void initiateContact(final ServerSnapshot s) {
        final int pick = random.nextInt(10);
        final ProtocolVersion v = pick < 4
                ? config.maxVersion()
                : pick < 9
                        ? VERSIONS[random.nextInt(config.maxVersion().ordinal() + 1)]
                        : VERSIONS[random.nextInt(VERSIONS.length)];
        final int version = random.nextInt(12) == 0 ? random.nextInt() : v.code();
        final int flags = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(0x100);
        final int sint = random.nextInt(12) == 0 ? 3 : 2;
        final int vtl = random.nextInt(16) == 0 ? 2 : 0;
        final long info = v.atLeast(ProtocolVersion.WIN10_RS3_1)
                ? GuestMessages.targetInfo(sint, vtl, flags)
                : (random.nextBoolean() ? 0x5000 : 0);
        final int pages = random.nextInt(5);
        final long p2c = pages == 0 || pages == 3 ? 0 : 0x321f000L;
        final long c2p = pages == 0 || pages == 4 ? 0 : 0x123f000L;
        final byte[] m = random.nextBoolean()
                ? GuestMessages.initiateContact(version, random.nextInt(3), info, p2c, c2p)
                : GuestMessages.initiateContact2(version, random.nextInt(3), info, p2c, c2p, Guid.ofData1(9));
        final int connectionId = random.nextInt(3) == 0
                ? ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID
                : ConnectionIds.MESSAGE_CONNECTION_ID;
        final boolean trusted = random.nextInt(10) == 0;
        final Outcome o = send(
                "INITIATE_CONTACT 0x" + Integer.toHexString(version) + " flags 0x" + Integer.toHexString(flags)
                        + " conn " + connectionId + (trusted ? " trusted" : ""),
                m,
                new int[] {connectionId, trusted ? 1 : 0});
        if (processed(o)) {
            request("contact", 0, true, true);
        }
        assert s != null;
    }

    private void gpadlHeader(final int ch) {
        final int g = gpadlId();
        final int kind = random.nextInt(10);
        if (kind < 5) {
            request(
                    "gpadl:" + ch + ":" + g,
                    ch,
                    false,
                    false,
                    send("GPADL " + ch + "/" + g, GuestMessages.simpleGpadl(ch, g), null));
        } else if (kind < 8) {
            // A multi-message GPADL: one range of n pages, header carries the first few words.
            final int pages = 1 + random.nextInt(12);
            final long[] words = new long[1 + pages];
            words[0] = (long) pages * 4096;
            for (int i = 1; i < words.length; i++) {
                words[i] = 0x100 + i;
            }
            final int inHeader = 1 + random.nextInt(words.length);
            final long[] first = java.util.Arrays.copyOf(words, inHeader);
            final Outcome o = send(
                    "GPADL-HEADER " + ch + "/" + g + " words " + inHeader + "/" + words.length,
                    GuestMessages.gpadlHeader(ch, g, 8 * words.length, 1, first),
                    null);
            if (inHeader == words.length || !o.isOk()) {
                request("gpadl:" + ch + ":" + g, ch, false, false, o);
            } else {
                assembling.put(g, new int[] {ch, words.length - inHeader});
            }
        } else {
            // Invalid ranges or an odd length.
            final byte[] m = random.nextBoolean()
                    ? GuestMessages.gpadlHeader(ch, g, 16, 1, 1L | (0x1000L << 32), 0L)
                    : GuestMessages.gpadlHeader(ch, g, 20, 2, 1L, 0L);
            request("gpadl:" + ch + ":" + g, ch, false, false, send("GPADL-BAD " + ch + "/" + g, m, null));
        }
    }

    private void gpadlBody() {
        final int g;
        final int[] st;
        if (!assembling.isEmpty() && random.nextInt(6) != 0) {
            final List<Integer> ids = new ArrayList<>(assembling.keySet());
            g = ids.get(random.nextInt(ids.size()));
            st = assembling.get(g);
        } else {
            g = gpadlId();
            // A random id may still hit a GPADL in progress.
            st = assembling.get(g);
        }
        final int n = st == null ? 1 + random.nextInt(3) : 1 + random.nextInt(st[1]);
        final long[] words = new long[n];
        for (int i = 0; i < n; i++) {
            words[i] = 0x200 + i;
        }
        final Outcome o = send("GPADL_BODY " + g + " words " + n, GuestMessages.gpadlBody(0, g, words), null);
        if (st == null) {
            return;
        }
        if (o.errorKind() == ErrorKind.UNKNOWN_GPADL_ID) {
            assembling.remove(g);
        } else if (processed(o)) {
            st[1] -= n;
            if (st[1] <= 0) {
                assembling.remove(g);
                request("gpadl:" + st[0] + ":" + g, st[0], false, false);
            }
        }
    }

    /** Bytes that must not decode: unknown or host-to-guest numbers, or a guest message cut short. */
    private void garbage() {
        final int[][] shortOf = {
            {5, 148}, {7, 12}, {8, 20}, {9, 16}, {11, 16}, {13, 12}, {14, 40}, {18, 28}, {19, 20}, {21, 40}, {22, 16},
            {25, 24}
        };
        final byte[] m;
        if (random.nextBoolean()) {
            final int[] t = shortOf[random.nextInt(shortOf.length)];
            m = new byte[8 + random.nextInt(t[1] - 8)];
            random.nextBytes(m);
            m[0] = (byte) t[0];
        } else {
            m = new byte[random.nextInt(250)];
            random.nextBytes(m);
            if (m.length >= 1) {
                m[0] = (byte) (30 + random.nextInt(200));
            }
        }
        if (m.length >= 4) {
            m[1] = 0;
            m[2] = 0;
            m[3] = 0;
        }
        final Outcome o = send("GARBAGE " + m.length + " bytes type " + (m.length > 0 ? m[0] & 0xFF : -1), m, null);
        if (processed(o)) {
            untracked = true;
        }
    }

    private Outcome send(final String what, final byte[] m, final int[] connTrusted) {
        final int connectionId = connTrusted == null ? ConnectionIds.MESSAGE_CONNECTION_ID : connTrusted[0];
        boolean trusted = connTrusted != null && connTrusted[1] != 0;
        if (connTrusted == null && server.inspect().connection().trusted()) {
            trusted = random.nextInt(20) != 0;
        }
        final Outcome o = server.handleMessage(m, connectionId, random.nextInt(4), trusted);
        log(what + " -> " + (o.isOk() ? "OK" : o.errorKind()));
        return o;
    }

    private static boolean processed(final Outcome o) {
        return o.isOk() || !PRE_DISPATCH.contains(o.errorKind());
    }

    private void completeDevice() {
        if (devicePending.isEmpty()) {
            deliver(1);
            return;
        }
        final int index = random.nextInt(devicePending.size());
        final Pending p = devicePending.get(index);
        final int status = random.nextInt(8) == 0 ? NtStatus.UNSUCCESSFUL : 0;
        if (p.request() instanceof DeviceRequest.TeardownGpadl) {
            // A teardown completion answers its own channel's teardown.
            final ServerSnapshot.ChannelSnapshot c = server.inspect().channel(liveOffers.get(p.offer()));
            revokedThisStep = c != null ? c.channelId() : 0;
        }
        final Outcome o = complete(p, status);
        log("complete " + p.request().getClass().getSimpleName() + " " + p.offer() + " status " + status + " -> "
                + (o.isOk() ? "OK" : o.errorKind()));
        if (o.errorKind() != ErrorKind.QUEUE_FULL) {
            devicePending.remove(index);
        }
    }

    private Outcome complete(final Pending p, final int status) {
        return switch (p.request()) {
            case DeviceRequest.Open open -> server.completeOpen(p.offer(), status);
            case DeviceRequest.Close close -> server.completeClose(p.offer());
            case DeviceRequest.CreateGpadl g -> server.completeGpadlCreate(p.offer(), g.gpadlId(), status);
            case DeviceRequest.TeardownGpadl t -> server.completeGpadlTeardown(p.offer(), t.gpadlId());
            case DeviceRequest.Modify mod -> server.completeModifyChannel(p.offer(), status);
        };
    }

    private void answerRelay() {
        final ModifyConnectionRequest r = relayPending.peekFirst();
        if (r == null) {
            deliver(1);
            return;
        }
        final int roll = random.nextInt(20);
        final ModifyConnectionResult answer;
        if (roll < 15) {
            answer = r.isConnect()
                    ? new ModifyConnectionResult.Supported(
                            ConnectionState.SUCCESSFUL,
                            random.nextBoolean() ? 0xFFFFFFFF : FeatureFlags.ALWAYS_SUPPORTED,
                            random.nextInt(4) == 0 ? MonitorPages.server(0x456f000L, 0x654f000L) : null)
                    : new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL);
        } else if (roll < 17) {
            answer = new ModifyConnectionResult.Supported(ConnectionState.FAILED_LOW_RESOURCES, 0x2F, null);
        } else if (roll < 19) {
            answer = new ModifyConnectionResult.Unsupported();
        } else {
            answer = new ModifyConnectionResult.Modified(ConnectionState.FAILED_UNKNOWN_FAILURE);
        }
        final Outcome o = server.completeModifyConnection(answer);
        log("relay " + (r.isConnect() ? "connect" : "modify") + " <- " + answer + " -> "
                + (o.isOk() ? "OK" : o.errorKind()));
        if (o.errorKind() != ErrorKind.QUEUE_FULL) {
            relayPending.pollFirst();
        }
    }

    private void answerHvsock() {
        if (hvsockPending.isEmpty()) {
            return;
        }
        final HvsockConnectRequest r = hvsockPending.get(random.nextInt(hvsockPending.size()));
        final Outcome o = server.completeHvsockConnect(
                new HvsockConnectResult(r.serviceId(), r.endpointId(), random.nextBoolean()));
        log("hvsock result -> " + (o.isOk() ? "OK" : o.errorKind()));
        if (o.errorKind() != ErrorKind.QUEUE_FULL) {
            hvsockPending.remove(r);
        }
    }

    private void offer(final ServerSnapshot s) {
        final int n = 1 + random.nextInt(config.maxChannels() + 3);
        final int roll = random.nextInt(10);
        final MnfUsage mnf = roll < 2
                ? new MnfUsage.Enabled(1000)
                : roll < 3 ? new MnfUsage.Relayed(random.nextInt(128)) : MnfUsage.DISABLED;
        final OfferParams params = OfferParams.builder(Guid.ofData1(n % 4), Guid.ofData1(n))
                .subchannelIndex(random.nextInt(4) == 0 ? 1 + random.nextInt(2) : 0)
                .offerOrder(random.nextBoolean() ? OfferParams.NO_ORDER : random.nextInt(3))
                .mnf(mnf)
                .flags(random.nextInt(4) == 0 ? random.nextInt(0x10000) : 0)
                .build();
        final OfferResult r = server.offerChannel(params);
        log("offer " + params.key() + " -> "
                + (r instanceof OfferResult.Rejected x ? x.error().kind() : "Offered"));
        if (r instanceof OfferResult.Offered o) {
            // A re-offer of a revoked key gets a new handle; the old one is dead.
            liveOffers.values().remove(params.key());
            liveOffers.put(o.offerId(), params.key());
        }
        assert s != null;
    }

    private void revoke(final ServerSnapshot s) {
        if (liveOffers.isEmpty()) {
            return;
        }
        final List<OfferId> handles = new ArrayList<>(liveOffers.keySet());
        final OfferId id = handles.get(random.nextInt(handles.size()));
        final Outcome o = server.revokeChannel(id);
        log("revoke " + id + " -> " + (o.isOk() ? "OK" : o.errorKind()));
        if (o.errorKind() == ErrorKind.QUEUE_FULL || o.errorKind() == ErrorKind.ALREADY_REVOKED) {
            return;
        }
        // The host layer drops what it had pending for the revoked device (sometimes late answers slip through).
        if (random.nextInt(4) != 0) {
            devicePending.removeIf(p -> p.offer().equals(id));
        }
        final OfferKey key = liveOffers.get(id);
        if (o.errorKind() == ErrorKind.UNKNOWN_OFFER) {
            liveOffers.remove(id);
        }
        // Requests on the channel the device had can no longer be answered.
        final ServerSnapshot.ChannelSnapshot c = s.channel(key);
        if (c != null && c.channelId() != 0) {
            revokedThisStep = c.channelId();
            if (c.offeredToConnection()) {
                forgetDeviceRequests(c.channelId());
            } else {
                // Nobody connected holds it: it is removed with everything it had.
                forgetChannel(c.channelId());
            }
        }
    }

    private void reset() {
        final Outcome o = server.reset();
        log("reset -> " + (o.isOk() ? "OK" : o.errorKind()));
    }

    private void stray() {
        final List<OfferId> handles = new ArrayList<>(liveOffers.keySet());
        final OfferId id = random.nextBoolean() && !handles.isEmpty()
                ? handles.get(random.nextInt(handles.size()))
                : new OfferId(1 + random.nextInt(1000));
        final int kind = random.nextInt(5);
        final int g = gpadlId();
        final Outcome o = switch (kind) {
            case 0 -> server.completeOpen(id, 0);
            case 1 -> server.completeClose(id);
            case 2 -> server.completeGpadlCreate(id, g, 0);
            case 3 -> server.completeGpadlTeardown(id, g);
            default -> server.completeModifyChannel(id, 0);
        };
        log("stray completion " + id + " -> " + (o.isOk() ? "OK" : o.errorKind()));
        if (o.isOk()) {
            // It matched a real outstanding request, which is answered now rather than by the random host.
            for (final Iterator<Pending> it = devicePending.iterator(); it.hasNext(); ) {
                final Pending p = it.next();
                if (p.offer().equals(id) && sameKind(p.request(), kind, g)) {
                    it.remove();
                    break;
                }
            }
        }
    }

    private static boolean sameKind(final DeviceRequest r, final int kind, final int gpadlId) {
        return switch (kind) {
            case 0 -> r instanceof DeviceRequest.Open;
            case 1 -> r instanceof DeviceRequest.Close;
            case 2 -> r instanceof DeviceRequest.CreateGpadl c && c.gpadlId() == gpadlId;
            case 3 -> r instanceof DeviceRequest.TeardownGpadl t && t.gpadlId() == gpadlId;
            default -> r instanceof DeviceRequest.Modify;
        };
    }

    private void deliver(final int n) {
        if (withholding > 0) {
            // The guest is not consuming messages (its message slot stays busy).
            return;
        }
        for (int i = 0; i < n; i++) {
            final OutgoingMessage m = server.peekOutgoing();
            if (m == null) {
                return;
            }
            final Outcome o = server.outgoingDelivered(m.sequence());
            if (!o.isOk()) {
                throw fail("delivering the peeked message failed: " + o, null);
            }
        }
    }

    // ---- the oracle
    // ---------------------------------------------------------------------------------------------------

    private void request(
            final String key, final int channelId, final boolean survives, final boolean atMostOnce, final Outcome o) {
        if (processed(o) && o.errorKind() != ErrorKind.CHANNEL_REVOKED) {
            request(key, channelId, survives, atMostOnce);
        }
    }

    private void request(final String key, final int channelId, final boolean survives, final boolean atMostOnce) {
        counts.computeIfAbsent(key, k -> new Count(channelId, survives, atMostOnce)).requested++;
    }

    /** Requests on this channel can no longer be answered; forgotten once this step's answers are counted. */
    private void forgetChannel(final int channelId) {
        forgetAfterStep.add(channelId);
    }

    /**
     * The channel's device was revoked: its open, close, modify and teardown requests will not be answered, but
     * GPADLs in progress still complete (accepted at once on a revoked channel) and are answered.
     */
    private void forgetDeviceRequests(final int channelId) {
        forgetAfterStep.add(-channelId);
    }

    private String answerKey(final OutgoingMessage m) {
        return switch (m.message()) {
            case OpenResult r ->
                m.target().isDefault() ? "open:" + r.channelId() + ":" + r.openId() : "ropen:" + r.channelId();
            case GpadlCreated g -> "gpadl:" + g.channelId() + ":" + g.gpadlId();
            case GpadlTorndown t -> teardownKey(t.gpadlId());
            case ModifyChannelResponse r -> "modify:" + r.channelId();
            case CloseReservedChannelResponse r -> "rclose:" + r.channelId();
            case PauseResponse p -> "pause";
            case ModifyConnectionResponse r -> "modconn";
            case VersionResponse v -> "contact";
            case UnloadComplete u -> "unload";
            default -> null;
        };
    }

    /** GPADL_TORNDOWN names no channel: it answers the oldest open teardown of that GPADL id on any channel. */
    private String teardownKey(final int gpadlId) {
        // A revoke answers the revoked channel's own teardowns.
        final String own = "teardown:" + revokedThisStep + ":" + gpadlId;
        final Count c = counts.get(own);
        if (revokedThisStep != 0 && c != null && c.answered < c.requested) {
            return own;
        }
        for (final Map.Entry<String, Count> e : counts.entrySet()) {
            if (e.getKey().startsWith("teardown:")
                    && e.getKey().endsWith(":" + gpadlId)
                    && e.getValue().answered < e.getValue().requested) {
                return e.getKey();
            }
        }
        return "teardown:?:" + gpadlId;
    }

    private void check(final ServerSnapshot before, final ServerSnapshot after) {
        checkSnapshot(after);
        for (final OutgoingMessage m : queuedThisStep) {
            checkMessage(before, after, m);
            final String key = answerKey(m);
            if (key == null || untracked || lenient) {
                continue;
            }
            final Count c = counts.get(key);
            if (c == null) {
                throw fail("answer " + m + " to a request that was never made (or whose answer was excused)", null);
            }
            c.answered++;
            if (c.answered > c.requested) {
                throw fail("answer " + m + " is answer " + c.answered + " to " + c.requested + " request(s)", null);
            }
        }
        if (untracked) {
            lenient = true;
        }
        for (final int entry : forgetAfterStep) {
            if (entry > 0) {
                counts.values().removeIf(c -> c.channelId == entry);
                assembling.values().removeIf(st -> st[0] == entry);
            } else {
                counts.entrySet()
                        .removeIf(e ->
                                e.getValue().channelId == -entry && !e.getKey().startsWith("gpadl:"));
            }
        }
        forgetAfterStep.clear();
        revokedThisStep = 0;
        final boolean wasConnected = before.connection().phase() == ConnectionPhase.CONNECTED;
        final boolean connected = after.connection().phase() == ConnectionPhase.CONNECTED;
        if (wasConnected && !connected || resetCompleted) {
            counts.values().removeIf(c -> !c.survivesDisconnect || resetCompleted);
            assembling.clear();
        }
        if (resetCompleted) {
            lenient = false;
        }
        resetCompleted = false;
    }

    private void checkSnapshot(final ServerSnapshot s) {
        phaseSeen[s.connection().phase().ordinal()]++;
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            channelSeen[c.state().ordinal() * 2 + (c.reserved() != null ? 1 : 0)]++;
        }
        for (final ServerSnapshot.GpadlSnapshot g : s.gpadls()) {
            gpadlSeen[g.state().ordinal()]++;
        }
        if (s.connection().paused()) {
            flagsSeen[0]++;
        }
        if (s.connection().modifying()) {
            flagsSeen[1]++;
        }
        if (server.queuedMessages() + ServerConfig.guestQueueHeadroom(config.channelLimit()) + 4
                > config.maxQueuedMessages()) {
            flagsSeen[2]++;
        }
        if (server.queuedMessages() > config.maxQueuedMessages()) {
            throw fail(
                    "queue length " + server.queuedMessages() + " over the bound " + config.maxQueuedMessages(), null);
        }
        if (s.hvsockRequests().size() > config.maxOutstandingHvsockRequests()) {
            throw fail("hvsock requests " + s.hvsockRequests().size(), null);
        }
        final ConnectionPhase phase = s.connection().phase();
        final Set<Integer> ids = new HashSet<>();
        final Set<OfferKey> keys = new HashSet<>();
        final Set<Integer> pooledMonitors = new HashSet<>();
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            keys.add(c.key());
            final boolean released = c.state().isReleased();
            if (released != (c.channelId() == 0)) {
                throw fail("channel " + c.key() + " in " + c.state() + " has id " + c.channelId(), null);
            }
            if (c.channelId() != 0) {
                if (c.channelId() <= config.channelIdOffset() || c.channelId() > ConnectionIds.MAX_CHANNEL_ID) {
                    throw fail(
                            "channel id " + c.channelId() + " outside " + (config.channelIdOffset() + 1) + "..2047",
                            null);
                }
                if (!ids.add(c.channelId())) {
                    throw fail("channel id " + c.channelId() + " held twice", null);
                }
                if (phase != ConnectionPhase.CONNECTED && c.reserved() == null) {
                    throw fail(
                            "channel " + c.key() + " holds id " + c.channelId() + " in " + c.state()
                                    + " with no connection and no reservation",
                            null);
                }
            }
            if (c.reserved() != null && !c.state().mayBeReserved()) {
                throw fail("reserved attribute on " + c.state(), null);
            }
            final boolean hasOpen = c.state() == ChannelState.OPENING
                    || c.state() == ChannelState.OPEN
                    || c.state() == ChannelState.CLOSING
                    || c.state() == ChannelState.CLOSING_REOPEN;
            if (hasOpen != (c.openRequest() != null)
                    || (c.state() == ChannelState.CLOSING_REOPEN) != (c.reopenRequest() != null)) {
                throw fail("open request data does not fit " + c.state() + " of " + c.key(), null);
            }
            if (c.offeredToConnection() && (phase != ConnectionPhase.CONNECTED || c.channelId() == 0)) {
                throw fail("channel " + c.key() + " marked offered in " + phase, null);
            }
            if (c.monitorId() >= 0 && c.monitorFromPool()) {
                if (!pooledMonitors.add(c.monitorId())) {
                    throw fail("monitor id " + c.monitorId() + " held twice", null);
                }
            }
        }
        if (!pooledMonitors.equals(new HashSet<>(s.monitorIdsInUse()))) {
            throw fail("monitor ids in use " + s.monitorIdsInUse() + " but channels hold " + pooledMonitors, null);
        }
        final Set<Integer> inProgress = new HashSet<>();
        for (final ServerSnapshot.GpadlSnapshot g : s.gpadls()) {
            final ServerSnapshot.ChannelSnapshot c = s.channel(g.channel());
            if (c == null || !keys.contains(g.channel())) {
                throw fail("gpadl " + g.gpadlId() + " belongs to no live channel", null);
            }
            if ((g.state() == GpadlState.IN_PROGRESS) != (g.receivedWords() < g.expectedWords())) {
                throw fail(
                        "gpadl " + g.gpadlId() + " in " + g.state() + " with " + g.receivedWords() + "/"
                                + g.expectedWords() + " words",
                        null);
            }
            if (g.state() == GpadlState.IN_PROGRESS && !inProgress.add(g.gpadlId())) {
                throw fail("in-progress gpadl id " + g.gpadlId() + " twice", null);
            }
            if (c.state().isReleased()
                    && g.state() != GpadlState.TEARING_DOWN
                    && g.state() != GpadlState.OFFERED_TEARING_DOWN) {
                throw fail("gpadl " + g.gpadlId() + " " + g.state() + " on released " + c.key(), null);
            }
            if (c.state().isRevoked() && g.state() != GpadlState.ACCEPTED && g.state() != GpadlState.IN_PROGRESS) {
                throw fail("gpadl " + g.gpadlId() + " " + g.state() + " on revoked " + c.key(), null);
            }
        }
        final boolean transitional = phase == ConnectionPhase.CONNECTING || phase == ConnectionPhase.DISCONNECTING;
        if (!transitional && !(s.connection().nextAction() instanceof NextAction.None)) {
            throw fail("next action " + s.connection().nextAction() + " in " + phase, null);
        }
    }

    private void checkMessage(final ServerSnapshot before, final ServerSnapshot after, final OutgoingMessage m) {
        final ChannelMessage msg = m.message();
        final boolean connectedAround = before.connection().phase() == ConnectionPhase.CONNECTED
                || after.connection().phase() == ConnectionPhase.CONNECTED;
        if (m.target().isDefault()
                && !(msg instanceof VersionResponse)
                && !(msg instanceof UnloadComplete)
                && !connectedAround) {
            throw fail("default-target " + msg + " with no connection (B12)", null);
        }
        if (msg instanceof OfferChannel o) {
            final ServerSnapshot.ChannelSnapshot c = after.channelById(o.channelId());
            if (c == null || c.reserved() != null || c.state() != ChannelState.CLOSED || !c.offeredToConnection()) {
                throw fail("offer for channel id " + o.channelId() + " which is " + c, null);
            }
        }
        if (msg instanceof RescindChannelOffer r) {
            final ServerSnapshot.ChannelSnapshot c = before.channelById(r.channelId());
            if (c == null || !c.offeredToConnection()) {
                throw fail("rescind of channel id " + r.channelId() + " the connection does not hold: " + c, null);
            }
        }
        if (msg instanceof OpenResult r && r.status() == 0 && m.target().isDefault()) {
            final ServerSnapshot.ChannelSnapshot c = after.channelById(r.channelId());
            if (c == null || c.state() != ChannelState.OPEN) {
                throw fail("successful open result for channel id " + r.channelId() + " which is " + c, null);
            }
        }
    }

    /** Answers everything until nothing is pending, then checks that every remaining request got exactly one answer. */
    void settle() {
        settles++;
        withholding = 0;
        for (int round = 0; round < 10_000; round++) {
            step++;
            final ServerSnapshot before = server.inspect();
            queuedThisStep.clear();
            untracked = false;
            boolean progress = false;
            if (server.inspect().connection().paused() && server.acceptingMessages()) {
                // The guest resumes so held messages can go out.
                send("settle: RESUME", GuestMessages.resume(), null);
                progress = true;
            } else if (server.peekOutgoing() != null) {
                deliver(Integer.MAX_VALUE);
                progress = true;
            } else if (!relayPending.isEmpty()) {
                final ModifyConnectionRequest r = relayPending.peekFirst();
                final Outcome o = server.completeModifyConnection(
                        r.isConnect()
                                ? new ModifyConnectionResult.Supported(0, 0xFFFFFFFF, null)
                                : new ModifyConnectionResult.Modified(0));
                log("settle: relay ack -> " + (o.isOk() ? "OK" : o.errorKind()));
                if (o.errorKind() != ErrorKind.QUEUE_FULL) {
                    relayPending.pollFirst();
                }
                progress = true;
            } else if (!devicePending.isEmpty()) {
                final Pending p = devicePending.get(0);
                if (p.request() instanceof DeviceRequest.TeardownGpadl) {
                    final ServerSnapshot.ChannelSnapshot c = server.inspect().channel(liveOffers.get(p.offer()));
                    revokedThisStep = c != null ? c.channelId() : 0;
                }
                final Outcome o = complete(p, 0);
                log("settle: complete " + p.request().getClass().getSimpleName() + " " + p.offer() + " -> "
                        + (o.isOk() ? "OK" : o.errorKind()));
                if (o.errorKind() != ErrorKind.QUEUE_FULL) {
                    devicePending.remove(0);
                }
                progress = true;
            } else if (!hvsockPending.isEmpty()) {
                final HvsockConnectRequest r = hvsockPending.remove(0);
                server.completeHvsockConnect(new HvsockConnectResult(r.serviceId(), r.endpointId(), false));
                progress = true;
            }
            check(before, server.inspect());
            if (!progress) {
                break;
            }
        }
        if (server.peekOutgoing() != null || !relayPending.isEmpty() || !devicePending.isEmpty()) {
            throw fail("settle did not reach quiescence", null);
        }
        if (server.inspect().connection().paused()) {
            // Held messages must never leave the guest unable to send RESUME.
            throw fail("the guest could not resume a paused connection", null);
        }
        if (!assembling.isEmpty()) {
            // GPADLs the guest never finished: no answer is owed.
            for (final Map.Entry<Integer, int[]> e : assembling.entrySet()) {
                counts.remove("gpadl:" + e.getValue()[0] + ":" + e.getKey());
            }
        }
        for (final Iterator<Map.Entry<String, Count>> it = counts.entrySet().iterator(); it.hasNext(); ) {
            final Map.Entry<String, Count> e = it.next();
            final Count c = e.getValue();
            if (!lenient && !c.atMostOnce && c.answered != c.requested) {
                throw fail(
                        "request " + e.getKey() + " made " + c.requested + " time(s) got " + c.answered
                                + " answer(s) after settling",
                        null);
            }
            it.remove();
        }
        lenient = false;
    }

    private AssertionError fail(final String what, final Throwable cause) {
        final StringBuilder b = new StringBuilder()
                .append("random action test failed: ")
                .append(what)
                .append("\n  seed=")
                .append(seed)
                .append(" (rerun: -D")
                .append(ChannelServerRandomTest.SEED_PROPERTY)
                .append('=')
                .append(seed)
                .append(") step=")
                .append(step)
                .append("\n  config=")
                .append(config)
                .append("\n  last actions:");
        for (final String h : history) {
            b.append("\n    ").append(h);
        }
        final AssertionError e = new AssertionError(b.toString());
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    // ---- servicing: save and restore at random points (docs/saved-state.md)
    // ------------------------------------------

    /** While true, the effects of a restore go to the lists below instead of the random host's pending lists. */
    private boolean servicing;

    private final List<Pending> reissuedDevice = new ArrayList<>();
    private final ArrayDeque<ModifyConnectionRequest> reissuedRelay = new ArrayDeque<>();
    private final List<HvsockConnectRequest> reissuedHvsock = new ArrayList<>();

    /**
     * The host is serviced: the core is saved and restored into a fresh one (same configuration), the live devices
     * re-offered (some before the restore, some after) and claimed with the open state their channel shows, the
     * unclaimed revoked. The restored core must equal the old one ({@code inspect()} without restore states, saved
     * bytes), must re-issue no device request the devices did not owe and exactly the relay and hvsocket requests
     * outstanding; then the run goes on with it.
     */
    private void service(final ServerSnapshot s) {
        final byte[] blob = server.save();
        // The current handle of each key (a re-offer issued a newer one); revoked devices are gone.
        final Map<OfferKey, OfferId> current = new LinkedHashMap<>();
        for (final Map.Entry<OfferId, OfferKey> e : liveOffers.entrySet()) {
            final OfferId known = current.get(e.getValue());
            if (known == null || known.compareTo(e.getKey()) < 0) {
                current.put(e.getValue(), e.getKey());
            }
        }
        current.entrySet().removeIf(e -> {
            final ServerSnapshot.ChannelSnapshot c = s.channel(e.getKey());
            return c == null || c.state() == ChannelState.REVOKED;
        });
        servicing = true;
        reissuedDevice.clear();
        reissuedRelay.clear();
        reissuedHvsock.clear();
        final ChannelServer fresh = new ChannelServer(config, new Effects());
        final Map<OfferId, OfferId> renamed = new LinkedHashMap<>();
        final boolean offersFirst = random.nextBoolean();
        if (offersFirst) {
            current.forEach((key, old) ->
                    renamed.put(old, fresh.offerChannel(s.channel(key).offer()).orThrow()));
        }
        final RestoreResult restored = fresh.restore(blob);
        if (!restored.isRestored()) {
            throw fail("servicing: restore refused: " + restored, null);
        }
        if (!offersFirst) {
            current.forEach((key, old) ->
                    renamed.put(old, fresh.offerChannel(s.channel(key).offer()).orThrow()));
        }
        current.forEach((key, old) -> {
            final ChannelState state = s.channel(key).state();
            final boolean open = state == ChannelState.OPEN
                    || state == ChannelState.CLOSING
                    || state == ChannelState.CLOSING_REOPEN
                    || state == ChannelState.CLOSING_CLIENT_RELEASE;
            final ChannelClaim claim = fresh.restoreChannel(renamed.get(old), open);
            if (!claim.isClaimed()) {
                throw fail("servicing: claim of " + key + " refused: " + claim, null);
            }
        });
        final Outcome o = fresh.revokeUnclaimedChannels();
        servicing = false;
        if (!o.isOk()) {
            throw fail("servicing: revokeUnclaimedChannels: " + o, null);
        }
        if (!ServicingWorld.comparable(fresh.inspect()).equals(ServicingWorld.comparable(s))) {
            throw fail("servicing: restored state differs:\n  was " + s + "\n  now " + fresh.inspect(), null);
        }
        if (!java.util.Arrays.equals(fresh.save(), blob)) {
            throw fail("servicing: the restored core saves other bytes", null);
        }
        // Every request the restore re-sent is one the device still owed (nothing invented).
        final List<String> owed = new ArrayList<>();
        for (final Pending p : devicePending) {
            final OfferId now = renamed.get(p.offer());
            if (now != null) {
                owed.add(now + " " + ServicingWorld.describe(p.request()));
            }
        }
        for (final Pending p : reissuedDevice) {
            if (!owed.remove(p.offer() + " " + ServicingWorld.describe(p.request()))) {
                throw fail("servicing: re-sent " + p + " which the device did not owe", null);
            }
        }
        // Relay requests: exactly those outstanding; hvsocket requests: exactly those the core still waits for (the
        // random handler also keeps some the core forgot on a disconnect; it may still answer them, harmlessly).
        if (reissuedRelay.size() != relayPending.size() || !reissuedHvsock.equals(s.hvsockRequests())) {
            throw fail(
                    "servicing: re-issued relay " + reissuedRelay + " hvsock " + reissuedHvsock + " (expected: "
                            + relayPending + " and " + s.hvsockRequests() + ")",
                    null);
        }
        // The new process's devices and host know only what the restored core asked of them.
        devicePending.clear();
        devicePending.addAll(reissuedDevice);
        relayPending.clear();
        relayPending.addAll(reissuedRelay);
        liveOffers.clear();
        current.forEach((key, old) -> liveOffers.put(renamed.get(old), key));
        server = fresh;
        cover("servicing");
        log("serviced: " + restored);
    }
}
