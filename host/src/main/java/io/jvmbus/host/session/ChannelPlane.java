package io.jvmbus.host.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.jvmbus.host.control.ControlCodec;
import io.jvmbus.host.control.ControlException;
import io.jvmbus.host.control.ControlRequest;
import io.jvmbus.host.device.ChannelPort;
import io.jvmbus.host.device.Device;
import io.jvmbus.host.device.DeviceKind;
import io.jvmbus.host.device.ManualDevice;
import io.jvmbus.host.session.savedstate.SavedDevice;
import io.jvmbus.host.session.savedstate.SavedSession;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.protocol.transport.PostResultLayout;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.server.ChannelClaim;
import io.jvmbus.server.ChannelServer;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.ErrorKind;
import io.jvmbus.server.HvsockConnectRequest;
import io.jvmbus.server.HvsockConnectResult;
import io.jvmbus.server.InitiateContactRequest;
import io.jvmbus.server.MessageTarget;
import io.jvmbus.server.MnfUsage;
import io.jvmbus.server.ModifyConnectionRequest;
import io.jvmbus.server.ModifyConnectionResult;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.OfferKey;
import io.jvmbus.server.OfferParams;
import io.jvmbus.server.OfferResult;
import io.jvmbus.server.Outcome;
import io.jvmbus.server.RestoreResult;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import io.jvmbus.server.ServerError;
import io.jvmbus.server.ServerSnapshot;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channel side of one session: the channel server core, the devices behind its channels, and the delivery of
 * the core's messages. The core is driven only from here and only on the session's worker thread.
 *
 * <p>Every effect of the core is recorded during the core call and carried out afterwards ({@link #settle()}): device
 * requests go to their device (which may answer at once, feeding the core again), connection changes are acknowledged
 * (there is no relay), hvsocket connects nobody serves are reported as EVENT and refused. Then the pump sends the next
 * message if the way is free.
 */
final class ChannelPlane implements ServerEffects, DeliveryPump.Source {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelPlane.class);

    private final Supplier<String> who;
    private final Consumer<ServerFrame> out;
    /** Runs device work on the session's worker thread; {@code null} if the engine is driven without one. */
    private final Executor worker;

    private final ServerConfig coreConfig;
    private final ChannelServer core;
    private final DeliveryPump pump;
    private final ArrayDeque<Runnable> work = new ArrayDeque<>();

    /** Live channels by name (revoked ones leave this map at once, so the name can be offered again). */
    private final Map<String, Slot> byName = new LinkedHashMap<>();
    /** Every channel whose device may still get requests, by offer. */
    private final Map<OfferId, Slot> byOffer = new HashMap<>();
    /** Open channels by the connection id the guest signals. */
    private final Map<Integer, Slot> bySignal = new HashMap<>();

    private GuestMemory memory;
    private boolean resetComplete;
    private long posts;

    ChannelPlane(
            final Supplier<String> who,
            final ServerConfig coreConfig,
            final Consumer<ServerFrame> out,
            final Executor worker) {
        this.who = who;
        this.worker = worker;
        this.out = out;
        this.coreConfig = coreConfig;
        this.core = new ChannelServer(coreConfig, this);
        this.pump = new DeliveryPump(this, out::accept);
    }

    DeliveryPump pump() {
        return pump;
    }

    void attachMemory(final GuestMemory m) {
        memory = m;
    }

    long posts() {
        return posts;
    }

    // ---- guest input ------------------------------------------------------------------------------------------

    /**
     * A POST_MESSAGE: hands the message to the core and maps its outcome to the hypercall status. Protocol-level
     * rejections are still status 0 (the hypercall itself succeeded; Hyper-V does not look inside the message).
     */
    int post(final int connectionId, final int vp, final int messageType, final Blob payload, final boolean trusted) {
        posts++;
        if (messageType != ConnectionIds.VMBUS_MESSAGE_TYPE) {
            LOG.warn(
                    "{}: POST_MESSAGE message_type={} to connection {} (expected: 1): status 5",
                    who.get(),
                    messageType,
                    connectionId);
            return PostResultLayout.INVALID_PARAMETER;
        }
        final byte[] bytes = payload.toArray();
        final Outcome outcome = core.handleMessage(bytes, connectionId, vp, trusted);
        final int status = status(outcome, connectionId, bytes);
        settleDevices();
        return status;
    }

    private int status(final Outcome outcome, final int connectionId, final byte[] bytes) {
        if (outcome.isOk()) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: POST_MESSAGE connection {}: {}", who.get(), connectionId, describe(bytes));
            }
            return PostResultLayout.SUCCESS;
        }
        final ServerError e = ((Outcome.Rejected) outcome).error();
        return switch (e.kind()) {
            case INVALID_CONNECTION_ID -> {
                LOG.warn("{}: POST_MESSAGE: {}: status 18", who.get(), e.detail());
                yield PostResultLayout.INVALID_CONNECTION_ID;
            }
            case BUSY, QUEUE_FULL, RESETTING -> {
                LOG.debug("{}: POST_MESSAGE {}: status 19 ({})", who.get(), describe(bytes), e);
                yield PostResultLayout.INSUFFICIENT_BUFFERS;
            }
            case NOTE -> PostResultLayout.SUCCESS;
            case CHANNEL_REVOKED -> {
                // Linux closes a rescinded open channel with CLOSECHANNEL before RELID_RELEASED: expected, ignored
                LOG.info("{}: {} ignored{}: {}", who.get(), describe(bytes), channelOf(bytes), e.detail());
                yield PostResultLayout.SUCCESS;
            }
            case DECODE_FAILED -> {
                if (type(bytes) == io.jvmbus.protocol.message.MessageType.REL_ID_RELEASED.number()
                        && core.inspect().connection().version() == null) {
                    // Linux's module exit releases every channel id after UNLOAD: expected, nothing to release
                    LOG.info("{}: REL_ID_RELEASED after the guest disconnected: ignored", who.get());
                } else {
                    LOG.warn("{}: guest message {} rejected{}: {}", who.get(), describe(bytes), channelOf(bytes), e);
                }
                yield PostResultLayout.SUCCESS;
            }
            default -> {
                LOG.warn("{}: guest message {} rejected{}: {}", who.get(), describe(bytes), channelOf(bytes), e);
                yield PostResultLayout.SUCCESS;
            }
        };
    }

    private static int type(final byte[] bytes) {
        return bytes.length < 4
                ? -1
                : (bytes[0] & 0xFF) | (bytes[1] & 0xFF) << 8 | (bytes[2] & 0xFF) << 16 | (bytes[3] & 0xFF) << 24;
    }

    private static String describe(final byte[] bytes) {
        if (bytes.length < 4) {
            return "(" + bytes.length + " bytes)";
        }
        final int type = type(bytes);
        final var t = io.jvmbus.protocol.message.MessageType.of(type);
        return (t == null ? "type " + Integer.toUnsignedString(type) : t.name()) + " (" + bytes.length + " bytes)";
    }

    /** " on channel N ('name')" for a message whose first field after the header is a channel id, else "". */
    private String channelOf(final byte[] bytes) {
        if (bytes.length < 12) {
            return "";
        }
        final int id = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8 | (bytes[10] & 0xFF) << 16 | (bytes[11] & 0xFF) << 24;
        for (final ServerSnapshot.ChannelSnapshot c : core.inspect().channels()) {
            if (c.channelId() == id && id != 0) {
                final Slot s = slotOf(c.key());
                return " on channel " + id + (s == null ? "" : " ('" + s.name + "')");
            }
        }
        return "";
    }

    /** A SIGNAL_EVENT: the guest signalled the channel with this connection id. */
    void signal(final int connectionId) {
        final Slot s = bySignal.get(connectionId);
        if (s == null) {
            LOG.debug("{}: SIGNAL_EVENT connection {}: no open channel", who.get(), connectionId);
            return;
        }
        s.device.onGuestSignal();
        settle();
    }

    // ---- effects (recorded during a core call, carried out by settle) -------------------------------------------

    @Override
    public void deviceRequest(final OfferId offer, final DeviceRequest request) {
        work.add(() -> {
            final Slot s = byOffer.get(offer);
            if (s == null) {
                LOG.warn("{}: {} for {}, which has no device: dropped", who.get(), request, offer);
                return;
            }
            LOG.debug(
                    "{}: channel '{}': {}",
                    who.get(),
                    s.name,
                    request.getClass().getSimpleName());
            s.device.onRequest(request);
        });
    }

    @Override
    public void modifyConnection(final ModifyConnectionRequest request) {
        if (request.notifyRelay()) {
            // no relay: acknowledge in order, after the core call returns
            work.add(() -> check(
                    "modify connection", core.completeModifyConnection(ModifyConnectionResult.acknowledge(request))));
        }
    }

    @Override
    public void hvsockConnect(final HvsockConnectRequest request) {
        work.add(() -> {
            final ObjectNode e = JsonNodeFactory.instance.objectNode();
            e.put("event", "hvsock_connect");
            e.put("service", request.serviceId().toString());
            e.put("endpoint", request.endpointId().toString());
            e.put("silo", request.siloId().toString());
            e.put("served", false);
            out.accept(new ServerFrame.Event(Blob.of(ControlCodec.bytes(e))));
            check(
                    "hvsock connect",
                    core.completeHvsockConnect(
                            new HvsockConnectResult(request.serviceId(), request.endpointId(), false)));
        });
    }

    @Override
    public void forwardInitiateContact(final InitiateContactRequest request) {
        LOG.warn("{}: INITIATE_CONTACT for another VTL: no server for it here (ignored)", who.get());
    }

    @Override
    public void unloadComplete() {
        LOG.info("{}: guest UNLOAD complete", who.get());
    }

    @Override
    public void resetComplete() {
        resetComplete = true;
    }

    @Override
    public void note(final ServerError note) {
        LOG.debug("{}: core: {}", who.get(), note);
    }

    private void check(final String what, final Outcome outcome) {
        if (!outcome.isOk()) {
            LOG.warn("{}: {} refused by the core: {}", who.get(), what, ((Outcome.Rejected) outcome).error());
        }
    }

    /** Carries out recorded effects until none is left. Does not send messages. */
    private void settleDevices() {
        for (Runnable r = work.poll(); r != null; r = work.poll()) {
            r.run();
        }
    }

    /** Carries out recorded effects, then lets the pump send if the way is free. */
    void settle() {
        settleDevices();
        pump.pump();
    }

    // ---- delivery -----------------------------------------------------------------------------------------------

    @Override
    public OutgoingMessage peek() {
        final io.jvmbus.server.OutgoingMessage m = core.peekOutgoing();
        if (m == null) {
            return null;
        }
        final int vp;
        final int sint;
        switch (m.target()) {
            case MessageTarget.Default d -> {
                vp = core.defaultTargetVp();
                sint = ConnectionIds.VMBUS_SINT;
            }
            case MessageTarget.Reserved r -> {
                vp = r.vp();
                sint = r.sint();
            }
            case MessageTarget.Custom c -> {
                vp = c.vp();
                sint = c.sint();
            }
        }
        final byte[] bytes = MessageCodec.encode(m.message());
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: deliver {} to vp {} sint {}", who.get(), m.message().type(), vp, sint);
        }
        return new OutgoingMessage(
                m.sequence(), vp, sint, coreConfig.vtl(), ConnectionIds.VMBUS_MESSAGE_TYPE, Blob.of(bytes));
    }

    @Override
    public void delivered(final OutgoingMessage message) {
        check("delivered message", core.outgoingDelivered(message.token()));
    }

    // ---- host actions (CONTROL) ---------------------------------------------------------------------------------

    ObjectNode offer(final ControlRequest.Offer o) throws ControlException {
        if (byName.containsKey(o.name())) {
            throw new ControlException(
                    ControlException.Kind.CONFLICT, "a channel named '" + o.name() + "' exists (expected: a new name)");
        }
        final DeviceKind kind = DeviceKind.of(o.device())
                .orElseThrow(() -> new ControlException(
                        ControlException.Kind.BAD_REQUEST,
                        "device '" + o.device() + "' (expected: one of echo, manual, pipe)"));
        if (kind == DeviceKind.PIPE) {
            if (o.endpoint().isEmpty()) {
                throw new ControlException(
                        ControlException.Kind.BAD_REQUEST,
                        "endpoint missing (expected: unix:PATH or tcp:HOST:PORT for a pipe device)");
            }
            if (o.subchannels() != 0) {
                throw new ControlException(
                        ControlException.Kind.BAD_REQUEST,
                        "subchannels=" + o.subchannels() + " (expected: 0 for a pipe device)");
            }
            if (worker == null) {
                throw new ControlException(
                        ControlException.Kind.BAD_REQUEST, "a pipe device needs a session worker (none here)");
            }
        } else if (o.endpoint().isPresent()) {
            throw new ControlException(
                    ControlException.Kind.BAD_REQUEST,
                    "endpoint given for device '" + kind.wire() + "' (expected: only for a pipe device)");
        }
        final byte[] user = new byte[ChannelMessage.USER_DEFINED_SIZE];
        System.arraycopy(o.userDefined().toArray(), 0, user, 0, o.userDefined().length());
        final OfferParams params;
        try {
            params = OfferParams.builder(o.interfaceId(), o.instanceId())
                    .interfaceName(o.name())
                    .mmioMegabytes(o.mmioMegabytes())
                    .flags(o.flags())
                    .mnf(o.mnf() ? new MnfUsage.Enabled(0) : MnfUsage.DISABLED)
                    .offerOrder(o.order().orElse(OfferParams.NO_ORDER))
                    .userDefined(Blob.of(user))
                    .build();
        } catch (final IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.BAD_REQUEST, e.getMessage());
        }
        prune();
        final Slot slot;
        try {
            slot = new Slot(o.name(), kind, params, o.subchannels(), null, o.endpoint());
        } catch (final IllegalArgumentException e) {
            throw new ControlException(ControlException.Kind.BAD_REQUEST, e.getMessage());
        }
        offerSlot(slot);
        LOG.info("{}: offered '{}' ({} {} {})", who.get(), o.name(), kind.wire(), o.interfaceId(), o.instanceId());
        settle();
        return ControlCodec.ok();
    }

    private void offerSlot(final Slot slot) throws ControlException {
        final OfferResult r = core.offerChannel(slot.params);
        switch (r) {
            case OfferResult.Offered ok -> {
                slot.offerId = ok.offerId();
                byName.put(slot.name, slot);
                byOffer.put(slot.offerId, slot);
            }
            case OfferResult.Rejected rej -> {
                slot.device.close();
                throw new ControlException(
                        rej.error().kind() == ErrorKind.OFFER_EXISTS
                                ? ControlException.Kind.CONFLICT
                                : ControlException.Kind.BAD_REQUEST,
                        "offer '" + slot.name + "' refused: " + rej.error());
            }
        }
    }

    /** Forgets revoked channels the core no longer has (their devices can get no more requests). */
    private void prune() {
        final java.util.Set<OfferKey> live = new java.util.HashSet<>();
        for (final ServerSnapshot.ChannelSnapshot c : core.inspect().channels()) {
            live.add(c.key());
        }
        byOffer.values().removeIf(s -> {
            final boolean gone = byName.get(s.name) != s && !live.contains(s.params.key());
            if (gone) {
                s.device.close();
            }
            return gone;
        });
    }

    ObjectNode revoke(final ControlRequest.Revoke r) throws ControlException {
        final Slot slot = byName.get(r.name());
        if (slot == null || slot.parent != null) {
            throw new ControlException(
                    ControlException.Kind.NOT_FOUND,
                    "no channel named '" + r.name() + "'"
                            + (slot != null ? " (a subchannel: revoke its primary)" : ""));
        }
        revokeSlot(slot);
        LOG.info("{}: revoked '{}'", who.get(), r.name());
        settle();
        prune();
        return ControlCodec.ok();
    }

    /** Subchannels first, then the channel (as the reference's device runner does). */
    private void revokeSlot(final Slot slot) {
        for (final Slot sub : List.copyOf(slot.subchannels)) {
            revokeSlot(sub);
        }
        slot.subchannels.clear();
        byName.remove(slot.name, slot);
        slot.device.onRevoked();
        slot.routeSignals(-1);
        check("revoke '" + slot.name + "'", core.revokeChannel(slot.offerId));
    }

    ObjectNode complete(final ControlRequest.Complete c) throws ControlException {
        final Slot slot = byName.get(c.name());
        if (slot == null) {
            throw new ControlException(ControlException.Kind.NOT_FOUND, "no channel named '" + c.name() + "'");
        }
        if (!(slot.device instanceof ManualDevice manual)) {
            throw new ControlException(
                    ControlException.Kind.UNSUPPORTED,
                    "channel '" + c.name() + "' has a " + slot.kind.wire() + " device (expected: manual)");
        }
        manual.complete(c);
        settle();
        return ControlCodec.ok();
    }

    /**
     * A VM reset: every channel closed and released, the connection forgotten, the queue cleared.
     *
     * @return true once the core reports the reset complete
     */
    boolean reset() {
        resetComplete = false;
        for (final Slot s : byOffer.values()) {
            s.device.onResetting(true);
        }
        settleDevices();
        check("reset", core.reset());
        settleDevices();
        pump.reset();
        for (final Slot s : byOffer.values()) {
            s.device.onResetting(false);
        }
        settle();
        return resetComplete;
    }

    // ---- servicing ----------------------------------------------------------------------------------------------

    /**
     * SAVE: the core's blob (its outgoing queue still holds a message the VMM has not answered: the core drops a
     * message only at DELIVER_RESULT 0) and every live channel's device, in offer-key order.
     *
     * @param into the session's saved state, to fill
     * @return the number of devices saved
     */
    int save(final SavedSession.Builder into) {
        into.setCore(ByteString.copyFrom(core.save()));
        final List<ServerSnapshot.ChannelSnapshot> channels =
                new ArrayList<>(core.inspect().channels());
        channels.sort(java.util.Comparator.comparing(ServerSnapshot.ChannelSnapshot::key));
        int devices = 0;
        for (final ServerSnapshot.ChannelSnapshot c : channels) {
            final Slot s = slotOf(c.key());
            if (s == null || byName.get(s.name) != s) {
                continue; // revoked by the host: no device will claim it
            }
            into.addDevices(SavedDevice.newBuilder()
                    .setName(s.name)
                    .setKind(s.kind.wire())
                    .setInterfaceId(ByteString.copyFrom(c.key().interfaceId().toBytes()))
                    .setInstanceId(ByteString.copyFrom(c.key().instanceId().toBytes()))
                    .setSubchannelIndex(c.key().subchannelIndex())
                    .setOpen(s.device.holdsOpen())
                    .setState(ByteString.copyFrom(s.device.saveState())));
            devices++;
        }
        into.setQueuedMessages(core.queuedMessages());
        into.setDeliveryOutstanding(pump.state() != DeliveryPump.State.IDLE);
        return devices;
    }

    /** Why a RESTORE was refused; nothing changed. */
    static final class RestoreRefused extends Exception {
        private static final long serialVersionUID = 1L;

        RestoreRefused(final String message) {
            super(message);
        }
    }

    /**
     * What a RESTORE did.
     *
     * @param channels channels in the core's saved state
     * @param gpadls GPADLs restored
     * @param messages queued messages restored (to be delivered again)
     * @param claimed channels a device of this session claimed
     * @param unmatched saved devices no device of this session matched (their channels are revoked)
     */
    record RestoreSummary(int channels, int gpadls, int messages, int claimed, int unmatched) {}

    private static OfferKey keyOf(final SavedDevice d) {
        return new OfferKey(
                Guid.read(ByteBuffer.wrap(d.getInterfaceId().toByteArray()), 0),
                Guid.read(ByteBuffer.wrap(d.getInstanceId().toByteArray()), 0),
                d.getSubchannelIndex());
    }

    /**
     * RESTORE into this fresh plane (no guest message handled yet). Saved channels are matched to this session's
     * devices by offer key and kind; everything is checked first (device states, then the whole restore and every
     * claim against a scratch core), so a refusal leaves the plane unchanged. Then the real core restores, each matched
     * device claims its channel and takes back its GPADLs, rings and state, unmatched saved channels are revoked, and
     * the requests the core re-sent reach the devices. Nothing is delivered and no device moves data until {@link
     * #resumeAfterRestore()}.
     *
     * @param saved the session's saved state
     * @return what happened
     * @throws RestoreRefused with the reason, nothing changed
     */
    RestoreSummary restore(final SavedSession saved) throws RestoreRefused {
        final Map<OfferKey, SavedDevice> byKey = new HashMap<>();
        for (final SavedDevice d : saved.getDevicesList()) {
            if (byKey.put(keyOf(d), d) != null) {
                throw new RestoreRefused("saved device '" + d.getName() + "': key " + keyOf(d)
                        + " saved twice (expected: one device per channel)");
            }
        }
        // 1. every matched device checks its state (nothing changes yet)
        final List<Slot> matched = new ArrayList<>();
        final Map<Slot, Runnable> apply = new HashMap<>();
        for (final Slot slot : List.copyOf(byName.values())) {
            final SavedDevice d = byKey.get(slot.params.key());
            if (d == null) {
                continue;
            }
            if (!d.getKind().equals(slot.kind.wire())) {
                throw new RestoreRefused("channel '" + slot.name + "' (" + slot.params.key() + "): saved device kind '"
                        + d.getKind() + "' (expected: '" + slot.kind.wire() + "', this session's device)");
            }
            try {
                apply.put(slot, slot.device.prepareRestore(d.getState().toByteArray()));
            } catch (final IllegalArgumentException e) {
                throw new RestoreRefused("channel '" + slot.name + "': device state refused: " + e.getMessage());
            }
            matched.add(slot);
        }
        // 2. the whole restore against a scratch core with the same offers: a refusal there changes nothing here
        final byte[] blob = saved.getCore().toByteArray();
        rehearse(blob, matched, byKey);
        // 3. for real
        final RestoreResult result = core.restore(blob);
        if (!(result instanceof RestoreResult.Restored restored)) {
            throw new RestoreRefused("core state refused: " + ((RestoreResult.Failed) result).error());
        }
        int claimed = 0;
        for (final Slot slot : matched) {
            final SavedDevice d = byKey.get(slot.params.key());
            final ChannelClaim claim = core.restoreChannel(slot.offerId, d.getOpen());
            if (!(claim instanceof ChannelClaim.Claimed c)) {
                // the rehearsal claimed it: cannot happen; say so and go on with the others
                LOG.error("{}: channel '{}' claim refused after rehearsal: {}", who.get(), slot.name, claim);
                continue;
            }
            claimed++;
            slot.device.restoreChannel(c.open(), c.gpadls());
            apply.get(slot).run();
            if (c.open() != null && slot.subchannelCount > 0 && slot.subchannels.isEmpty()) {
                claimed += restoreSubchannels(slot, byKey);
            }
        }
        check("revoke unclaimed channels", core.revokeUnclaimedChannels());
        settleDevices();
        int unmatched = 0;
        for (final SavedDevice d : saved.getDevicesList()) {
            final Slot s = slotOf(keyOf(d));
            if (s == null || byName.get(s.name) != s) {
                unmatched++;
                LOG.warn(
                        "{}: saved channel '{}' ({} {}) has no device here: revoked",
                        who.get(),
                        d.getName(),
                        d.getKind(),
                        keyOf(d));
            }
        }
        return new RestoreSummary(restored.channels(), restored.gpadls(), restored.messages(), claimed, unmatched);
    }

    /** A restored open primary's subchannels: offered again (they match their saved channels) and claimed. */
    private int restoreSubchannels(final Slot primary, final Map<OfferKey, SavedDevice> byKey) {
        primary.offerSubchannels();
        int claimed = 0;
        for (final Slot sub : primary.subchannels) {
            final SavedDevice d = byKey.get(sub.params.key());
            final ChannelClaim claim = core.restoreChannel(sub.offerId, d != null && d.getOpen());
            if (!(claim instanceof ChannelClaim.Claimed c)) {
                LOG.error("{}: subchannel '{}' claim refused after rehearsal: {}", who.get(), sub.name, claim);
                continue;
            }
            claimed++;
            sub.device.restoreChannel(c.open(), c.gpadls());
            if (d != null) {
                try {
                    sub.device.prepareRestore(d.getState().toByteArray()).run();
                } catch (final IllegalArgumentException e) {
                    sub.warn("device state not restored: " + e.getMessage());
                }
            }
        }
        return claimed;
    }

    /** Runs the restore and every claim against a scratch core with this plane's offers. */
    private void rehearse(final byte[] blob, final List<Slot> matched, final Map<OfferKey, SavedDevice> byKey)
            throws RestoreRefused {
        final ChannelServer scratch = new ChannelServer(coreConfig, NO_EFFECTS);
        final Map<Slot, OfferId> ids = new HashMap<>();
        for (final Slot slot : byName.values()) {
            if (!(scratch.offerChannel(slot.params) instanceof OfferResult.Offered ok)) {
                throw new RestoreRefused("channel '" + slot.name + "' cannot be offered to a fresh core");
            }
            ids.put(slot, ok.offerId());
        }
        if (scratch.restore(blob) instanceof RestoreResult.Failed f) {
            throw new RestoreRefused("core state refused: " + f.error());
        }
        for (final Slot slot : matched) {
            final SavedDevice d = byKey.get(slot.params.key());
            final ChannelClaim claim = scratch.restoreChannel(ids.get(slot), d.getOpen());
            if (claim instanceof ChannelClaim.Rejected r) {
                throw new RestoreRefused("channel '" + slot.name + "' (device open=" + d.getOpen() + "): " + r.error());
            }
            if (((ChannelClaim.Claimed) claim).open() != null && slot.subchannelCount > 0) {
                for (int i = 1; i <= slot.subchannelCount; i++) {
                    final OfferParams sub = slot.params.subchannel(i);
                    final SavedDevice sd = byKey.get(sub.key());
                    if (!(scratch.offerChannel(sub) instanceof OfferResult.Offered ok)) {
                        continue; // not offered here either: the real restore warns the same way
                    }
                    final ChannelClaim subClaim = scratch.restoreChannel(ok.offerId(), sd != null && sd.getOpen());
                    if (subClaim instanceof ChannelClaim.Rejected r) {
                        throw new RestoreRefused("subchannel " + i + " of '" + slot.name + "': " + r.error());
                    }
                }
            }
        }
        if (!scratch.revokeUnclaimedChannels().isOk()) {
            throw new RestoreRefused("revoking the saved channels no device claimed does not fit the queue");
        }
    }

    /** The session goes on after SAVE: devices take back what SAVE released. */
    void afterSave() {
        for (final Slot s : List.copyOf(byOffer.values())) {
            s.device.afterSave();
        }
    }

    /** After RESTORED: every device moves what waited in its rings, then the restored messages go out again. */
    void resumeAfterRestore() {
        for (final Slot s : List.copyOf(byOffer.values())) {
            s.device.resume();
        }
        settle();
    }

    /** The effects of the scratch core a RESTORE rehearses on: none is carried out. */
    private static final ServerEffects NO_EFFECTS = new ServerEffects() {
        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {}

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {}

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {}

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {}

        @Override
        public void unloadComplete() {}

        @Override
        public void resetComplete() {}
    };

    // ---- inspect ------------------------------------------------------------------------------------------------

    private Slot slotOf(final OfferKey key) {
        Slot found = null;
        for (final Slot s : byOffer.values()) {
            if (s.params.key().equals(key) && (found == null || s.offerId.compareTo(found.offerId) > 0)) {
                found = s; // the newest incarnation of the key
            }
        }
        return found;
    }

    ObjectNode inspect() {
        final ServerSnapshot snap = core.inspect();
        final ObjectNode state = JsonNodeFactory.instance.objectNode();
        final ObjectNode conn = state.putObject("connection");
        final ServerSnapshot.ConnectionSnapshot c = snap.connection();
        conn.put("state", c.phase().name().toLowerCase());
        if (c.version() != null) {
            conn.put("version", c.version().version().text());
            conn.put("feature_flags", FeatureFlags.describe(c.version().featureFlags()));
        } else {
            conn.putNull("version");
            conn.put("feature_flags", "none");
        }
        conn.put("client_id", c.clientId() == null ? null : c.clientId().toString());
        conn.put("target_vp", Integer.toUnsignedLong(c.targetMessageVp()));
        conn.put("trusted", c.trusted());
        conn.put("offers_sent", c.offersSent());
        conn.put("paused", c.paused());
        final ArrayNode channels = state.putArray("channels");
        final Map<OfferKey, List<Long>> gpadls = new HashMap<>();
        for (final ServerSnapshot.GpadlSnapshot g : snap.gpadls()) {
            gpadls.computeIfAbsent(g.channel(), k -> new ArrayList<>()).add(Integer.toUnsignedLong(g.gpadlId()));
        }
        for (final ServerSnapshot.ChannelSnapshot ch : snap.channels()) {
            final ObjectNode j = channels.addObject();
            final Slot s = slotOf(ch.key());
            j.put("name", s == null ? ch.offer().interfaceName() : s.name);
            j.put("device", s == null ? null : s.kind.wire());
            j.put("channel_id", ch.channelId());
            j.put("state", ch.stateName().toLowerCase());
            if (ch.reserved() != null) {
                final ObjectNode t = j.putObject("reserved_target");
                t.put("vp", Integer.toUnsignedLong(ch.reserved().vp()));
                t.put("sint", ch.reserved().sint());
            } else {
                j.putNull("reserved_target");
            }
            final ArrayNode ids = j.putArray("gpadls");
            for (final long id : gpadls.getOrDefault(ch.key(), List.of())) {
                ids.add(id);
            }
            j.put("interface", ch.key().interfaceId().toString());
            j.put("instance", ch.key().instanceId().toString());
            j.put("subchannel_index", ch.key().subchannelIndex());
            if (ch.openRequest() != null) {
                j.put("target_vp", Integer.toUnsignedLong(ch.openRequest().targetVp()));
            }
            if (s != null) {
                s.device.inspect(j);
            }
        }
        final ObjectNode delivery = state.putObject("delivery");
        delivery.put("state", pump.state().name().toLowerCase());
        delivery.put("queued", core.queuedMessages());
        delivery.put("delivered", pump.delivered());
        delivery.put("busy_answers", pump.busyAnswers());
        delivery.put("accepting_messages", core.acceptingMessages());
        return state;
    }

    void close() {
        for (final Slot s : byOffer.values()) {
            s.device.close();
        }
        byOffer.clear();
        byName.clear();
        bySignal.clear();
    }

    // ---- one channel --------------------------------------------------------------------------------------------

    /** One offered channel and its device; the device's {@link ChannelPort}. */
    private final class Slot implements ChannelPort {
        final String name;
        final DeviceKind kind;
        final OfferParams params;
        final int subchannelCount;
        final Slot parent;
        final List<Slot> subchannels = new ArrayList<>();
        final Optional<String> endpoint;
        final Device device;
        OfferId offerId;
        int signalConnectionId = -1;

        Slot(
                final String name,
                final DeviceKind kind,
                final OfferParams params,
                final int subchannelCount,
                final Slot parent,
                final Optional<String> endpoint) {
            this.name = name;
            this.endpoint = endpoint;
            this.kind = kind;
            this.params = params;
            this.subchannelCount = subchannelCount;
            this.parent = parent;
            this.device = kind.create(this);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<String> endpoint() {
            return endpoint;
        }

        @Override
        public void execute(final Runnable action) {
            if (worker == null) {
                throw new UnsupportedOperationException("this session runs no device work of its own");
            }
            worker.execute(action);
        }

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public void completeOpen(final int status) {
            check("open of '" + name + "'", core.completeOpen(offerId, status));
            if (status == 0 && subchannelCount > 0 && subchannels.isEmpty() && byName.get(name) == this) {
                offerSubchannels();
            }
        }

        private void offerSubchannels() {
            for (int i = 1; i <= subchannelCount; i++) {
                final Slot sub = new Slot(name + "/" + i, kind, params.subchannel(i), 0, this, Optional.empty());
                try {
                    offerSlot(sub);
                    subchannels.add(sub);
                } catch (final ControlException e) {
                    warn("subchannel " + i + " not offered: " + e.getMessage());
                }
            }
        }

        @Override
        public void completeClose() {
            check("close of '" + name + "'", core.completeClose(offerId));
            // closing the primary revokes its subchannels; they are offered again at the next open
            for (final Slot sub : List.copyOf(subchannels)) {
                revokeSlot(sub);
            }
            subchannels.clear();
        }

        @Override
        public void completeGpadl(final int gpadlId, final int status) {
            check(
                    "gpadl " + Integer.toUnsignedString(gpadlId) + " of '" + name + "'",
                    core.completeGpadlCreate(offerId, gpadlId, status));
        }

        @Override
        public void completeTeardown(final int gpadlId) {
            check(
                    "teardown of gpadl " + Integer.toUnsignedString(gpadlId) + " of '" + name + "'",
                    core.completeGpadlTeardown(offerId, gpadlId));
        }

        @Override
        public void completeModify(final int status) {
            check("modify of '" + name + "'", core.completeModifyChannel(offerId, status));
        }

        @Override
        public void signalGuest(final int vp, final int eventFlag) {
            out.accept(new ServerFrame.SignalGuest(vp, ConnectionIds.VMBUS_SINT, coreConfig.vtl(), eventFlag & 0xFFFF));
        }

        @Override
        public void routeSignals(final int connectionId) {
            if (signalConnectionId != -1) {
                bySignal.remove(signalConnectionId, this);
            }
            signalConnectionId = connectionId;
            if (connectionId != -1) {
                bySignal.put(connectionId, this);
            }
        }

        @Override
        public void event(final ObjectNode event) {
            out.accept(new ServerFrame.Event(Blob.of(ControlCodec.bytes(event))));
        }

        @Override
        public void warn(final String message) {
            LOG.warn("{}: channel '{}': {}", who.get(), name, message);
        }
    }
}
