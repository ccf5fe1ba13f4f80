package io.jvmbus.server;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.testkit.wire.GuestMessages;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A small deterministic world around one {@link ChannelServer}, for the servicing explorer and the random sequence
 * test: three devices, a relay that answers when told, an hvsocket handler, and a guest that reads every deliverable
 * message before it posts one. Every output of a step (messages delivered, device requests, connection requests,
 * hvsocket requests, completions, outcomes) is recorded as text without handles, so the same step on two servers
 * in the same state gives the same record.
 *
 * <p>Devices: channel 1 (a plain device) and channel 3 (MNF enabled) answer every request at once, with success;
 * channel 2's device answers late, only when an event says so, with success or failure.
 */
final class ServicingWorld {

    /** The configuration: defaults, plus GPA pinning so the OS-like client negotiates 0x80. */
    static final ServerConfig CONFIG = ServerConfig.builder().gpaPinning(true).build();

    static final int DEVICES = 3;

    /** The late device's channel. */
    static final int LATE = 2;

    static final long P2C = 0x321f000L;
    static final long C2P = 0x123f000L;

    /** One event of the alphabet. */
    enum Ev {
        /** Firmware-like client: Win10, no features. */
        G_CONNECT_WIN10,
        /** OS-like client: Copper with signal parameters, modify connection, client id, pause, GPA pinning. */
        G_CONNECT_COPPER,
        G_REQUEST_OFFERS,
        G_OPEN_1,
        G_OPEN_2,
        G_CLOSE_1,
        G_CLOSE_2,
        G_OPEN_RESERVED_2,
        G_CLOSE_RESERVED_2,
        G_GPADL_1,
        G_GPADL_2,
        /** A GPADL_HEADER for channel 2 announcing four words and carrying two: in progress. */
        G_GPADL_PART_2,
        G_GPADL_BODY,
        G_TEARDOWN_1,
        G_TEARDOWN_2,
        G_RELEASE_1,
        G_RELEASE_2,
        G_UNLOAD,
        G_MODIFY_CHANNEL_2,
        G_PAUSE,
        G_RESUME,
        G_TL_CONNECT,
        G_MODIFY_CONNECTION,
        /** The relay answers its oldest request. */
        H_RELAY_ACK,
        /** The transport delivers one message. */
        H_DELIVER_ONE,
        H_RESET,
        H_REVOKE_2,
        H_REOFFER_2,
        H_HVSOCK_REFUSED,
        /** The late device answers its oldest request with success. */
        D_LATE_OK,
        /** The late device answers its oldest request with failure. */
        D_LATE_FAIL
    }

    /** A device's side: its offer, its handle (null once revoked), whether it has the channel open, what it owes. */
    static final class Device {
        final int index;
        final OfferParams offer;
        final boolean answersAtOnce;
        OfferId handle;
        boolean open;
        final ArrayDeque<DeviceRequest> owed = new ArrayDeque<>();

        Device(final int index, final OfferParams offer, final boolean answersAtOnce) {
            this.index = index;
            this.offer = offer;
            this.answersAtOnce = answersAtOnce;
        }

        String model() {
            final StringBuilder s =
                    new StringBuilder().append(index).append(handle == null ? ":gone" : open ? ":open" : ":closed");
            for (final DeviceRequest r : owed) {
                s.append(',').append(describe(r));
            }
            return s.toString();
        }
    }

    final ChannelServer server;
    final Device[] devices = new Device[DEVICES + 1];
    final ArrayDeque<ModifyConnectionRequest> relay = new ArrayDeque<>();
    final ArrayDeque<HvsockConnectRequest> hvsock = new ArrayDeque<>();
    /** Everything the current step produced. */
    final List<String> out = new ArrayList<>();
    /** Device requests issued while {@link #recording} is false (the restore's re-sent requests). */
    final List<String> reissued = new ArrayList<>();

    private boolean recording = true;

    private final ServerEffects effects = new ServerEffects() {
        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {
            final Device d = byHandle(offer);
            final String text = "device " + (d == null ? "?" : d.index) + " <- " + describe(request);
            if (recording) {
                out.add(text);
                if (d != null) {
                    d.owed.addLast(request);
                }
            } else {
                reissued.add(text);
            }
        }

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {
            out.add("host <- " + request);
            if (request.notifyRelay()) {
                relay.addLast(request);
            }
        }

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {
            out.add("hvsock <- " + request);
            hvsock.addLast(request);
        }

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {
            out.add("forward <- " + request);
        }

        @Override
        public void unloadComplete() {
            out.add("unload complete");
        }

        @Override
        public void resetComplete() {
            out.add("reset complete");
        }

        @Override
        public void note(final ServerError note) {
            out.add("note");
        }
    };

    private ServicingWorld(final boolean offerDevices) {
        server = new ChannelServer(CONFIG, effects);
        for (int n = 1; n <= DEVICES; n++) {
            final OfferParams.Builder b = OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n));
            if (n == 3) {
                b.mnf(new MnfUsage.Enabled(100_000));
            }
            devices[n] = new Device(n, b.build(), n != LATE);
            if (offerDevices) {
                devices[n].handle = server.offerChannel(devices[n].offer).orThrow();
            }
        }
    }

    /** The canonical start: three devices offered, no connection. */
    static ServicingWorld start() {
        return new ServicingWorld(true);
    }

    /** The start replayed with {@code path}. */
    static ServicingWorld replay(final List<Ev> path) {
        final ServicingWorld w = start();
        for (final Ev e : path) {
            w.apply(e);
        }
        return w;
    }

    Device byHandle(final OfferId offer) {
        for (int n = 1; n <= DEVICES; n++) {
            if (devices[n].handle != null && devices[n].handle.equals(offer)) {
                return devices[n];
            }
        }
        return null;
    }

    // =================================================================================================================
    // Events
    // =================================================================================================================

    /** Applies one event, then lets the prompt devices answer; {@link #out} holds what the step produced. */
    void apply(final Ev e) {
        out.clear();
        out.add(e + " -> " + outcome(step(e)));
        settle();
        if (!hvsock.isEmpty()) {
            // The handler model answers only what the core still waits for (a disconnect forgets the rest).
            final List<HvsockConnectRequest> live = server.inspect().hvsockRequests();
            hvsock.clear();
            hvsock.addAll(live);
        }
    }

    private Object step(final Ev e) {
        return switch (e) {
            case G_CONNECT_WIN10 ->
                guest(GuestMessages.initiateContact2(
                        ProtocolVersion.WIN10.code(), 0, GuestMessages.targetInfo(2, 0, 0), P2C, C2P, Guid.ZERO));
            case G_CONNECT_COPPER ->
                guest(GuestMessages.initiateContact2(
                        ProtocolVersion.COPPER.code(),
                        1,
                        GuestMessages.targetInfo(
                                2,
                                0,
                                FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS
                                        | FeatureFlags.MODIFY_CONNECTION
                                        | FeatureFlags.CLIENT_ID
                                        | FeatureFlags.PAUSE_RESUME
                                        | FeatureFlags.GPA_PINNING),
                        P2C,
                        C2P,
                        Guid.ofData1(0xC11E)));
            case G_REQUEST_OFFERS -> guest(GuestMessages.requestOffers());
            case G_OPEN_1 -> guest(GuestMessages.openChannel(1, 101, 10, 0, 1));
            case G_OPEN_2 -> guest(GuestMessages.openChannel(2, 102, 20, 0, 1));
            case G_CLOSE_1 -> guest(GuestMessages.closeChannel(1));
            case G_CLOSE_2 -> guest(GuestMessages.closeChannel(2));
            case G_OPEN_RESERVED_2 -> guest(GuestMessages.openReservedChannel(2, 1, 2, 20, 1));
            case G_CLOSE_RESERVED_2 -> guest(GuestMessages.closeReservedChannel(2, 3, 2));
            case G_GPADL_1 -> guest(GuestMessages.simpleGpadl(1, 10));
            case G_GPADL_2 -> guest(GuestMessages.simpleGpadl(2, 20));
            case G_GPADL_PART_2 -> guest(GuestMessages.gpadlHeader(2, 77, 32, 2, 2L, 0L));
            case G_GPADL_BODY -> guest(GuestMessages.gpadlBody(0, 77, 1L, 0L));
            case G_TEARDOWN_1 -> guest(GuestMessages.gpadlTeardown(1, 10));
            case G_TEARDOWN_2 -> guest(GuestMessages.gpadlTeardown(2, 20));
            case G_RELEASE_1 -> guest(GuestMessages.relIdReleased(1));
            case G_RELEASE_2 -> guest(GuestMessages.relIdReleased(2));
            case G_UNLOAD -> guest(GuestMessages.unload());
            case G_MODIFY_CHANNEL_2 -> guest(GuestMessages.modifyChannel(2, 3));
            case G_PAUSE -> guest(GuestMessages.pause());
            case G_RESUME -> guest(GuestMessages.resume());
            case G_TL_CONNECT -> guest(GuestMessages.tlConnectRequest(Guid.ofData1(0x51), Guid.ofData1(0x52)));
            case G_MODIFY_CONNECTION -> guest(GuestMessages.modifyConnection(0x5000, 0x6000));
            case H_RELAY_ACK -> {
                final ModifyConnectionRequest r = relay.pollFirst();
                if (r == null) {
                    yield "no relay request";
                }
                yield server.completeModifyConnection(
                        r.isConnect()
                                ? new ModifyConnectionResult.Supported(
                                        ConnectionState.SUCCESSFUL, FeatureFlags.ALWAYS_SUPPORTED, null)
                                : new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL));
            }
            case H_DELIVER_ONE -> deliverOne() ? "delivered" : "nothing to deliver";
            case H_RESET -> server.reset();
            case H_REVOKE_2 -> {
                final Device d = devices[LATE];
                if (d.handle == null) {
                    yield "already gone";
                }
                final Outcome o = server.revokeChannel(d.handle);
                if (o.isOk()) {
                    d.handle = null;
                    d.open = false;
                    d.owed.clear();
                }
                yield o;
            }
            case H_REOFFER_2 -> {
                final Device d = devices[LATE];
                if (d.handle != null) {
                    yield "still offered";
                }
                final OfferResult r = server.offerChannel(d.offer);
                if (r instanceof OfferResult.Offered o) {
                    d.handle = o.offerId();
                    yield "offered";
                }
                yield r;
            }
            case H_HVSOCK_REFUSED -> {
                final HvsockConnectRequest r = hvsock.pollFirst();
                if (r == null) {
                    yield "no hvsock request";
                }
                yield server.completeHvsockConnect(new HvsockConnectResult(r.serviceId(), r.endpointId(), false));
            }
            case D_LATE_OK -> answer(devices[LATE], true);
            case D_LATE_FAIL -> answer(devices[LATE], false);
        };
    }

    /** More rounds than any bounded queue or device backlog can need: hitting it means the world does not settle. */
    private static final int MAX_ROUNDS = 100_000;

    private Outcome guest(final byte[] message) {
        int rounds = 0;
        while (deliverOne()) {
            // the guest reads everything before it posts
            checkRounds(++rounds, "deliveries");
        }
        return server.handleMessage(message, ConnectionIds.MESSAGE_CONNECTION_ID, 0, false);
    }

    /** Delivers the head of the queue; false when the queue is empty. A refused delivery fails the run at once. */
    private boolean deliverOne() {
        final OutgoingMessage m = server.peekOutgoing();
        if (m == null) {
            return false;
        }
        out.add("guest <- " + m.target() + " " + m.message());
        final Outcome o = server.outgoingDelivered(m.sequence());
        if (!o.isOk()) {
            throw new AssertionError("delivery of the queue's head refused: " + o.errorKind() + "\n" + out);
        }
        return true;
    }

    private void checkRounds(final int rounds, final String what) {
        if (rounds > MAX_ROUNDS) {
            throw new AssertionError(what + " did not settle within " + MAX_ROUNDS + " rounds\n" + out);
        }
    }

    /** The prompt devices answer everything they owe (which may make them owe more). */
    private void settle() {
        boolean progress = true;
        int rounds = 0;
        while (progress) {
            checkRounds(++rounds, "device answers");
            progress = false;
            for (int n = 1; n <= DEVICES; n++) {
                final Device d = devices[n];
                if (d.answersAtOnce && d.handle != null && !d.owed.isEmpty()) {
                    out.add("device " + n + " answers -> " + outcome(answer(d, true)));
                    progress = true;
                }
            }
        }
    }

    private Object answer(final Device d, final boolean success) {
        final DeviceRequest r = d.owed.pollFirst();
        if (r == null || d.handle == null) {
            return "nothing owed";
        }
        final int status = success ? NtStatus.SUCCESS : NtStatus.UNSUCCESSFUL;
        return switch (r) {
            case DeviceRequest.Open o -> {
                if (success) {
                    d.open = true;
                }
                yield server.completeOpen(d.handle, status);
            }
            case DeviceRequest.Close c -> {
                d.open = false;
                yield server.completeClose(d.handle);
            }
            case DeviceRequest.CreateGpadl g -> server.completeGpadlCreate(d.handle, g.gpadlId(), status);
            case DeviceRequest.TeardownGpadl t -> server.completeGpadlTeardown(d.handle, t.gpadlId());
            case DeviceRequest.Modify m -> server.completeModifyChannel(d.handle, status);
        };
    }

    private static String outcome(final Object o) {
        return switch (o) {
            case Outcome.Ok ok -> "OK";
            case Outcome.Rejected r -> "rejected " + r.error().kind();
            default -> String.valueOf(o);
        };
    }

    /** A device request as text; a post-restore teardown is the same request as the one it repeats. */
    static String describe(final DeviceRequest r) {
        return switch (r) {
            case DeviceRequest.TeardownGpadl t -> "TeardownGpadl[" + t.gpadlId() + "]";
            case DeviceRequest.CreateGpadl g ->
                "CreateGpadl[" + g.gpadlId() + "," + g.rangeCount() + "," + g.data() + "]";
            default -> r.toString();
        };
    }

    // =================================================================================================================
    // Servicing
    // =================================================================================================================

    /**
     * The servicing path a host takes: a new world with the devices that are alive here, the blob restored, each
     * device claiming its channel with its own idea of whether it is open, the unclaimed revoked. Devices with an
     * odd index plus {@code lateOffers} are offered after the restore instead of before (both orders are legal).
     *
     * @throws AssertionError if any step is refused
     */
    ServicingWorld serviced(final byte[] blob, final int lateOffers) {
        final ServicingWorld r = new ServicingWorld(false);
        r.recording = false;
        for (int n = 1; n <= DEVICES; n++) {
            if (devices[n].handle != null && (n + lateOffers) % 2 == 0) {
                r.devices[n].handle = r.server.offerChannel(devices[n].offer).orThrow();
            }
        }
        r.out.clear();
        final RestoreResult result = r.server.restore(blob);
        if (!result.isRestored()) {
            throw new AssertionError("restore refused: " + result);
        }
        for (int n = 1; n <= DEVICES; n++) {
            if (devices[n].handle != null && (n + lateOffers) % 2 != 0) {
                r.devices[n].handle = r.server.offerChannel(devices[n].offer).orThrow();
            }
        }
        for (int n = 1; n <= DEVICES; n++) {
            if (devices[n].handle != null) {
                final ChannelClaim claim = r.server.restoreChannel(r.devices[n].handle, devices[n].open);
                if (!claim.isClaimed()) {
                    throw new AssertionError("device " + n + " claim refused: " + claim);
                }
            }
        }
        final Outcome o = r.server.revokeUnclaimedChannels();
        if (!o.isOk()) {
            throw new AssertionError("revokeUnclaimedChannels: " + o);
        }
        r.recording = true;
        // The devices' own state survives servicing: what they had open and what they still owe.
        for (int n = 1; n <= DEVICES; n++) {
            r.devices[n].open = devices[n].open;
            r.devices[n].owed.addAll(devices[n].owed);
            if (devices[n].handle == null) {
                r.devices[n].handle = null;
            }
        }
        return r;
    }

    /** What the device models owe, as the restored server's re-sent requests would show it, sorted. */
    List<String> owedAsReissued() {
        final List<String> owed = new ArrayList<>();
        for (int n = 1; n <= DEVICES; n++) {
            for (final DeviceRequest r : devices[n].owed) {
                owed.add("device " + n + " <- " + describe(r));
            }
        }
        owed.sort(null);
        return owed;
    }

    /** The state of everything outside the core (device models, relay and hvsocket queues). */
    String models() {
        final StringBuilder s = new StringBuilder();
        for (int n = 1; n <= DEVICES; n++) {
            s.append(devices[n].model()).append(';');
        }
        for (final ModifyConnectionRequest r : relay) {
            s.append(r.isConnect() ? "relay:connect;" : "relay:modify;");
        }
        for (final HvsockConnectRequest r : hvsock) {
            s.append("hvsock:").append(r.endpointId()).append(';');
        }
        return s.toString();
    }

    /** A digest of the whole world: the core's saved bytes and the models. */
    String key() {
        try {
            final MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(server.save());
            md.update(models().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 16);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The core as inspect shows it, with the servicing bookkeeping (restore states) left out. */
    static ServerSnapshot comparable(final ServerSnapshot s) {
        final List<ServerSnapshot.ChannelSnapshot> channels = new ArrayList<>();
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            channels.add(new ServerSnapshot.ChannelSnapshot(
                    c.key(),
                    c.offer(),
                    c.channelId(),
                    c.connectionId(),
                    c.state(),
                    c.reserved(),
                    c.openRequest(),
                    c.reopenRequest(),
                    c.monitorId(),
                    c.monitorFromPool(),
                    c.modify(),
                    c.offeredToConnection(),
                    c.hotAddPending(),
                    RestoreState.NEW));
        }
        return new ServerSnapshot(
                s.connection(), channels, s.gpadls(), s.outgoing(), s.hvsockRequests(), s.monitorIdsInUse());
    }
}
