package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.GpaRanges;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.OfferFlags;
import io.jvmbus.protocol.OpenChannelFlags;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.AllOffersDelivered;
import io.jvmbus.protocol.message.ChannelMessage.CloseChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlBody;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlHeader;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTeardown;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContact;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContactForm;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannel;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.ModifyConnection;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannelForm;
import io.jvmbus.protocol.message.ChannelMessage.OpenReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.Pause;
import io.jvmbus.protocol.message.ChannelMessage.PauseResponse;
import io.jvmbus.protocol.message.ChannelMessage.RelIdReleased;
import io.jvmbus.protocol.message.ChannelMessage.RequestOffers;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.Resume;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequest;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectResult;
import io.jvmbus.protocol.message.ChannelMessage.Unload;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponseForm;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.server.savedstate.SavedServerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The VMBus channel server core: one guest connection, its channels and GPADLs, as a single-threaded, deterministic,
 * sans-I/O state machine (reference {@code vmbus_server::channels::Server}).
 *
 * <p><b>Inputs</b> are method calls: a guest message ({@link #handleMessage}), a device completion ({@link
 * #completeOpen}, {@link #completeClose}, {@link #completeGpadlCreate}, {@link #completeGpadlTeardown}, {@link
 * #completeModifyChannel}), a host answer ({@link #completeModifyConnection}, {@link #completeHvsockConnect}) or a
 * host action ({@link #offerChannel}, {@link #revokeChannel}, {@link #reset}). Each returns a typed {@link Outcome};
 * none throws for bad input.
 *
 * <p><b>Outputs</b> are calls on the one {@link ServerEffects} (device requests, connection changes, hvsock requests,
 * unload/reset completion) and messages to the guest, which wait in the core's outgoing queue until the transport
 * takes them: {@link #peekOutgoing()} gives the next deliverable message, {@link #outgoingDelivered(long)} removes it
 * once the guest has it. While a deliverable message waits, {@link #acceptingMessages()} is false and guest messages
 * are refused with {@link ErrorKind#BUSY} (the transport answers POST_MESSAGE with "insufficient buffers"), so the
 * queue stays bounded.
 *
 * <p>Not thread-safe: one thread (the session's event loop) drives it. No clocks, threads, sockets or memory access.
 */
public final class ChannelServer {

    /** Feature flags the server handles itself, kept even when a relay does not report them. */
    private static final int LOCAL_FEATURE_FLAGS =
            FeatureFlags.CLIENT_ID | FeatureFlags.CONFIDENTIAL_CHANNELS | FeatureFlags.GPA_PINNING;

    private static final int MAX_ID = ConnectionIds.MAX_CHANNEL_ID;

    private final ServerConfig config;
    private final ServerEffects effects;

    // ---- connection -----------------------------------------------------------------------------------------------
    private ConnectionPhase phase = ConnectionPhase.DISCONNECTED;
    /** Non-null exactly in CONNECTING and CONNECTED. */
    private ConnectionInfo info;
    /** What to do once disconnected (CONNECTING, DISCONNECTING); NONE otherwise. */
    private NextAction nextAction = NextAction.NONE;
    /** DISCONNECTING: the reset request went out and its answer is awaited. */
    private boolean modifySent;
    /** A MODIFY_CONNECTION request is at the host and its answer is still to come. */
    private boolean relayModifyOutstanding;
    /** Where default-target messages go (the last connect request's VP; 0 after a reset). */
    private int defaultVp;

    // ---- channels -------------------------------------------------------------------------------------------------
    private final TreeMap<OfferId, Channel> channels = new TreeMap<>();
    private final TreeMap<OfferKey, Channel> byKey = new TreeMap<>();
    private final Channel[] byId = new Channel[MAX_ID + 1];
    private long nextOfferId = 1;
    private final long[] monitorBits = new long[2];
    private int hotAddPendingCount;

    // ---- GPADLs ---------------------------------------------------------------------------------------------------
    private final TreeMap<GpadlKey, Gpadl> gpadls = new TreeMap<>();
    /** In-progress GPADLs by id alone: GPADL_BODY carries no channel id, so in-progress ids are globally unique. */
    private final TreeMap<Integer, Gpadl> inProgress = new TreeMap<>();

    private long gpadlBytes;

    // ---- hvsock and outgoing ----------------------------------------------------------------------------------------
    private final ArrayList<HvsockConnectRequest> hvsock = new ArrayList<>();
    private final OutgoingQueue queue = new OutgoingQueue();

    /**
     * A server with no channels and no connection.
     *
     * @param config the configuration
     * @param effects where every effect goes
     */
    public ChannelServer(final ServerConfig config, final ServerEffects effects) {
        this.config = Objects.requireNonNull(config, "config");
        this.effects = Objects.requireNonNull(effects, "effects");
    }

    /**
     * The configuration.
     *
     * @return the config
     */
    public ServerConfig config() {
        return config;
    }

    // =================================================================================================================
    // Guest messages
    // =================================================================================================================

    /**
     * Handles one message the guest posted (HvPostMessage with message type 1).
     *
     * @param data the message bytes, header included (not retained)
     * @param connectionId the connection id it was posted to: the message connection id, or 4 (multiclient)
     * @param vp the VP that posted it
     * @param trusted whether it arrived on the trusted (paravisor) path
     * @return OK, or why it was rejected
     */
    public Outcome handleMessage(final byte[] data, final int connectionId, final int vp, final boolean trusted) {
        return handleMessage(data, 0, data == null ? 0 : data.length, connectionId, vp, trusted);
    }

    /**
     * Handles one message the guest posted, from part of an array.
     *
     * @param data the bytes (not retained)
     * @param offset the message's first byte
     * @param length the message length, header included
     * @param connectionId the connection id it was posted to
     * @param vp the VP that posted it
     * @param trusted whether it arrived on the trusted path
     * @return OK, or why it was rejected
     */
    public Outcome handleMessage(
            final byte[] data,
            final int offset,
            final int length,
            final int connectionId,
            final int vp,
            final boolean trusted) {
        if (data == null) {
            return rejected(ErrorKind.DECODE_FAILED, "message bytes=null (expected: an array)");
        }
        final boolean multiclient;
        if (connectionId == config.messageConnectionId()) {
            multiclient = false;
        } else if (connectionId == ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID && config.vtl() == 0) {
            multiclient = true;
        } else {
            return rejected(
                    ErrorKind.INVALID_CONNECTION_ID,
                    "connection id=" + connectionId + " (expected: " + config.messageConnectionId() + " or 4)");
        }
        if (isResetting()) {
            return rejected(ErrorKind.RESETTING, "guest message during a VM reset");
        }
        if (restorePending) {
            return rejected(
                    ErrorKind.BUSY,
                    "guest message before the restore finished (expected: after revokeUnclaimedChannels)");
        }
        if (!acceptingMessages()) {
            return rejected(
                    ErrorKind.BUSY,
                    "queued messages=" + queue.size() + " hvsock requests=" + hvsock.size()
                            + " (expected: queue drained and hvsock requests < "
                            + config.maxOutstandingHvsockRequests() + ")");
        }
        final DecodeResult decoded =
                MessageCodec.decode(data, offset, length, Direction.GUEST_TO_HOST, decodeContext());
        if (decoded instanceof DecodeResult.Failed f) {
            return rejected(ErrorKind.DECODE_FAILED, f.error().describe());
        }
        final ChannelMessage msg = ((DecodeResult.Decoded) decoded).message();
        if (connectionTrusted() && !trusted) {
            return rejected(ErrorKind.UNTRUSTED_MESSAGE, msg.type() + " untrusted on a trusted connection");
        }
        boolean unpause = false;
        if (phase == ConnectionPhase.CONNECTED && info.paused()) {
            if (!(msg instanceof Resume || msg instanceof Unload || msg instanceof InitiateContact)) {
                return rejected(
                        ErrorKind.PAUSED,
                        msg.type() + " while paused (expected: RESUME, UNLOAD or " + "INITIATE_CONTACT)");
            }
            unpause = true;
        }
        final int worst = msg instanceof RequestOffers ? channels.size() + 1 + hotAddPendingCount : worstCase();
        if (queue.size() + worst > config.maxQueuedMessages()) {
            return queueFull(worst);
        }
        if (unpause) {
            setPaused(false);
        }
        final Outcome outcome = dispatch(msg, multiclient, trusted);
        finishInput();
        return outcome;
    }

    private Outcome dispatch(final ChannelMessage msg, final boolean multiclient, final boolean trusted) {
        return switch (msg) {
            case InitiateContact m -> onInitiateContact(m, multiclient, trusted);
            case RequestOffers m -> onRequestOffers();
            case OpenChannel m -> onOpenChannel(m);
            case CloseChannel m -> onCloseChannel(m);
            case GpadlHeader m -> onGpadlHeader(m);
            case GpadlBody m -> onGpadlBody(m);
            case GpadlTeardown m -> onGpadlTeardown(m);
            case RelIdReleased m -> onRelIdReleased(m);
            case Unload m -> onUnload();
            case OpenReservedChannel m -> onOpenReservedChannel(m);
            case CloseReservedChannel m -> onCloseReservedChannel(m);
            case TlConnectRequest m -> onTlConnectRequest(m);
            case ModifyChannel m -> onModifyChannel(m);
            case ModifyConnection m -> onModifyConnection(m);
            case Pause m -> onPause();
            case Resume m -> Outcome.OK;
            // The decoder refuses host-to-guest types (B1); this branch only keeps the switch total.
            default ->
                rejected(ErrorKind.DECODE_FAILED, msg.type() + " is sent by the host (expected: a guest message)");
        };
    }

    /**
     * Whether guest messages are processed now: no VM reset in progress, fewer hvsock requests outstanding than the
     * limit, and no deliverable message waiting (default-target messages held by a pause do not count, so RESUME
     * still gets in). When false, the transport answers POST_MESSAGE with "insufficient buffers" (19).
     *
     * @return true if {@link #handleMessage} would process a message
     */
    public boolean acceptingMessages() {
        return !isResetting() && hvsock.size() < config.maxOutstandingHvsockRequests() && !queue.hasDeliverable();
    }

    // =================================================================================================================
    // Outgoing queue
    // =================================================================================================================

    /**
     * The next message to deliver: the oldest targeted message if any, else the oldest default-target message
     * unless the guest paused the connection after it. The message stays queued until {@link
     * #outgoingDelivered(long)}, so a save while it is in flight keeps it.
     *
     * @return the message, or {@code null} if nothing is deliverable
     */
    public OutgoingMessage peekOutgoing() {
        return queue.peek();
    }

    /**
     * Removes a delivered message.
     *
     * @param sequence the message's {@link OutgoingMessage#sequence()}
     * @return OK, or {@link ErrorKind#UNKNOWN_MESSAGE} if it is not at the head of its queue
     */
    public Outcome outgoingDelivered(final long sequence) {
        if (!queue.remove(sequence)) {
            return rejected(
                    ErrorKind.UNKNOWN_MESSAGE,
                    "delivered sequence=" + sequence
                            + " (expected: the sequence of a message at the head of the queue)");
        }
        return Outcome.OK;
    }

    /**
     * The number of queued messages (deliverable or held).
     *
     * @return the queue length
     */
    public int queuedMessages() {
        return queue.size();
    }

    /**
     * The VP default-target messages go to now.
     *
     * @return the VP of the last connect request (0 before any, and after a reset)
     */
    public int defaultTargetVp() {
        return defaultVp;
    }

    // =================================================================================================================
    // Host actions
    // =================================================================================================================

    /**
     * A device offers a channel (reference {@code offer_channel}). If the current connection has asked for offers,
     * the channel gets an id and its OFFER_CHANNEL is queued at once (hot add); otherwise it waits for the next
     * REQUEST_OFFERS. An offer with the key of a channel the device revoked but the guest still holds is re-offered
     * once the guest releases the old id, under a new handle.
     *
     * @param params the offer
     * @return the handle, or why not
     */
    public OfferResult offerChannel(final OfferParams params) {
        if (params == null) {
            return new OfferResult.Rejected(new ServerError(ErrorKind.UNKNOWN_OFFER, "offer=null"));
        }
        final OfferKey key = params.key();
        final Channel existing = byKey.get(key);
        if (existing != null) {
            if (existing.restoreState == RestoreState.UNMATCHED) {
                // Only a channel holding a relayed monitor id must keep it (a released one holds none).
                // A revoked (or re-offered) saved channel's id belongs to the old device: the new one may differ.
                if (params.mnf() instanceof MnfUsage.Relayed r
                        && existing.monitorId >= 0
                        && !existing.monitorFromPool
                        && !existing.state.isRevoked()
                        && r.monitorId() != existing.monitorId) {
                    return new OfferResult.Rejected(new ServerError(
                            ErrorKind.OFFER_EXISTS,
                            "relayed monitor id=" + r.monitorId() + " (expected: the saved " + existing.monitorId
                                    + ")"));
                }
                existing.offer = params;
                existing.restoreState = RestoreState.RESTORING;
                return new OfferResult.Offered(existing.offerId);
            }
            if (existing.state == ChannelState.REVOKED) {
                state(existing, ChannelState.REOFFERED, "device offered the revoked key again");
                existing.offer = params;
                rekey(existing, newOfferId());
                return new OfferResult.Offered(existing.offerId);
            }
            return new OfferResult.Rejected(
                    new ServerError(ErrorKind.OFFER_EXISTS, "offer key " + key + " is already offered"));
        }
        if (channels.size() >= config.channelLimit()) {
            return new OfferResult.Rejected(new ServerError(
                    ErrorKind.TOO_MANY_CHANNELS,
                    "channels=" + channels.size() + " (expected: < " + config.channelLimit() + ")"));
        }
        if (!hostRoom(1)) {
            return new OfferResult.Rejected(((Outcome.Rejected) queueFull(1 + worstCase())).error());
        }
        final Channel ch = new Channel(newOfferId(), params);
        channels.put(ch.offerId, ch);
        byKey.put(key, ch);
        if (phase == ConnectionPhase.CONNECTED && info.offersSent()) {
            offerToGuest(ch, "hot add");
        }
        finishInput();
        return new OfferResult.Offered(ch.offerId);
    }

    /**
     * A device goes away (reference {@code revoke_channel}). The guest is sent RESCIND_CHANNEL_OFFER (and failure or
     * teardown answers for GPADLs in flight) if it holds the channel; a channel the current connection never saw
     * (e.g. reserved by an earlier client) disappears without a message (B12).
     *
     * @param offer the handle
     * @return OK, or why not
     */
    public Outcome revokeChannel(final OfferId offer) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (ch.state == ChannelState.REVOKED) {
            return rejected(ErrorKind.ALREADY_REVOKED, ch + " is already revoked");
        }
        if (!hostRoom(ch.gpadlCount + 1)) {
            return queueFull(ch.gpadlCount + 1 + worstCase());
        }
        revoke(ch);
        finishInput();
        return Outcome.OK;
    }

    /** The messages a revoke of this channel queues (GPADL answers and RESCIND if the guest holds it). */
    private int revokeMessages(final Channel ch) {
        if (!(phase == ConnectionPhase.CONNECTED && ch.offered) || ch.state.isRevoked() || ch.state.isReleased()) {
            return 0;
        }
        int n = 1;
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            if (g.state == GpadlState.OFFERED || g.state == GpadlState.TEARING_DOWN) {
                n++;
            }
        }
        return n;
    }

    /** The body of {@link #revokeChannel}, without the queue check (a restore's clean-up checks its own). */
    private void revoke(final Channel ch) {
        final boolean guestHolds = phase == ConnectionPhase.CONNECTED && ch.offered;
        final boolean tell = guestHolds && ch.state != ChannelState.REOFFERED;
        final boolean wasReleased = ch.state.isReleased();
        if (!wasReleased) {
            state(ch, ChannelState.REVOKED, "device revoked");
            ch.request = null;
            ch.reopenRequest = null;
        }
        // The device is gone: nothing it was asked can be answered any more.
        ch.modify = null;
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            switch (g.state) {
                case IN_PROGRESS, ACCEPTED -> {}
                case OFFERED -> {
                    if (tell) {
                        sendDefault(new GpadlCreated(ch.channelId, g.gpadlId, NtStatus.UNSUCCESSFUL));
                    }
                    removeGpadl(g);
                }
                case OFFERED_TEARING_DOWN -> removeGpadl(g);
                case TEARING_DOWN -> {
                    if (tell) {
                        sendDefault(new GpadlTorndown(g.gpadlId));
                    }
                    removeGpadl(g);
                }
            }
        }
        if (tell) {
            sendDefault(new RescindChannelOffer(ch.channelId));
        }
        if (ch.restoreState != RestoreState.NEW) {
            ch.restoreState = RestoreState.RESTORED;
        }
        if (wasReleased) {
            deleteChannel(ch);
        } else if (!guestHolds) {
            // Nobody connected holds its id: release it now instead of waiting for a REL_ID_RELEASED that cannot come.
            clientRelease(ch, false);
        }
    }

    /**
     * A VM reset (reference {@code reset}): every channel is closed and released, reserved ones included, every GPADL
     * torn down, the connection forgotten and the queue cleared; then {@link ServerEffects#resetComplete()}. If
     * nothing needs the devices or the host, it completes before this returns.
     *
     * @return OK, or {@link ErrorKind#RESET_IN_PROGRESS}
     */
    public Outcome reset() {
        if (isResetting()) {
            return rejected(ErrorKind.RESET_IN_PROGRESS, "reset while a reset is in progress");
        }
        if (requestDisconnect(NextAction.RESET)) {
            completeReset();
        }
        finishInput();
        return Outcome.OK;
    }

    /**
     * An INITIATE_CONTACT that another VTL's server forwarded here (reference {@code initiate_contact}).
     *
     * @param request the request
     * @return OK, or why not
     */
    public Outcome handleForwardedInitiateContact(final InitiateContactRequest request) {
        if (request == null) {
            return rejected(ErrorKind.DECODE_FAILED, "request=null");
        }
        if (isResetting()) {
            return rejected(ErrorKind.RESETTING, "forwarded INITIATE_CONTACT during a VM reset");
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        final Outcome o = initiateContact(request);
        finishInput();
        return o;
    }

    // =================================================================================================================
    // Completions
    // =================================================================================================================

    /**
     * The device answered {@link DeviceRequest.Open}.
     *
     * @param offer the handle
     * @param status an NT status; non-negative means opened
     * @return OK, or why the completion was ignored
     */
    public Outcome completeOpen(final OfferId offer, final int status) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        return openCompleted(ch, status);
    }

    /** The body of {@link #completeOpen}, without the queue check (a restore claim checks its own). */
    private Outcome openCompleted(final Channel ch, final int status) {
        final Outcome o;
        switch (ch.state) {
            case OPENING -> {
                final ReservedState r = ch.reserved;
                final OpenResult result = new OpenResult(ch.channelId, ch.request.openId(), status);
                if (r != null) {
                    sendTargeted(new MessageTarget.Reserved(ch.channelId, r.vp(), r.sint()), result);
                } else if (told(ch)) {
                    sendDefault(result);
                }
                if (NtStatus.isSuccess(status)) {
                    state(ch, ChannelState.OPEN, "device opened");
                } else {
                    state(ch, ChannelState.CLOSED, "device failed the open");
                    ch.request = null;
                    if (r != null) {
                        afterReservedClosed(ch);
                    }
                }
                o = Outcome.OK;
            }
            case OPENING_CLIENT_RELEASE -> {
                if (NtStatus.isSuccess(status)) {
                    state(ch, ChannelState.CLOSING_CLIENT_RELEASE, "opened after the guest released it");
                    effects.deviceRequest(ch.offerId, DeviceRequest.CLOSE);
                } else {
                    state(ch, ChannelState.CLIENT_RELEASED, "open failed after the guest released it");
                }
                o = Outcome.OK;
            }
            default -> o = stray(ch, "open");
        }
        finishInput();
        return o;
    }

    /**
     * The device answered {@link DeviceRequest.Close}.
     *
     * @param offer the handle
     * @return OK, or why the completion was ignored
     */
    public Outcome completeClose(final OfferId offer) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        return closeCompleted(ch);
    }

    /** The body of {@link #completeClose}, without the queue check (a restore claim checks its own). */
    private Outcome closeCompleted(final Channel ch) {
        final Outcome o;
        switch (ch.state) {
            case CLOSING -> {
                final ReservedState r = ch.reserved;
                state(ch, ChannelState.CLOSED, "device closed");
                ch.request = null;
                if (r != null) {
                    // Always answered, even while disconnected: reserved channels outlive connections.
                    sendTargeted(
                            new MessageTarget.Reserved(ch.channelId, r.vp(), r.sint()),
                            new CloseReservedChannelResponse(ch.channelId));
                    afterReservedClosed(ch);
                }
                o = Outcome.OK;
            }
            case CLOSING_CLIENT_RELEASE -> {
                state(ch, ChannelState.CLIENT_RELEASED, "device closed a released channel");
                o = Outcome.OK;
            }
            case CLOSING_REOPEN -> {
                final OpenRequest reopen = ch.reopenRequest;
                state(ch, ChannelState.CLOSED, "device closed; the guest already re-opened");
                ch.request = null;
                ch.reopenRequest = null;
                if (info != null) {
                    openChannel(ch, reopen, null);
                }
                o = Outcome.OK;
            }
            default -> o = stray(ch, "close");
        }
        finishInput();
        return o;
    }

    /**
     * The device answered {@link DeviceRequest.CreateGpadl}.
     *
     * @param offer the handle
     * @param gpadlId the GPADL
     * @param status an NT status; non-negative means accepted
     * @return OK, or why the completion was ignored
     */
    public Outcome completeGpadlCreate(final OfferId offer, final int gpadlId, final int status) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        final Gpadl g = gpadls.get(new GpadlKey(ch.offerId, gpadlId));
        final Outcome o;
        if (g == null) {
            o = stray(ch, "gpadl create of unknown gpadl " + Integer.toUnsignedString(gpadlId));
        } else if (g.state == GpadlState.OFFERED) {
            if (told(ch)) {
                sendDefault(new GpadlCreated(ch.channelId, gpadlId, status));
            }
            if (NtStatus.isSuccess(status)) {
                g.state = GpadlState.ACCEPTED;
            } else {
                removeGpadl(g);
            }
            o = Outcome.OK;
        } else if (g.state == GpadlState.OFFERED_TEARING_DOWN) {
            if (NtStatus.isSuccess(status)) {
                g.state = GpadlState.TEARING_DOWN;
                effects.deviceRequest(ch.offerId, new DeviceRequest.TeardownGpadl(gpadlId, false));
            } else {
                removeGpadl(g);
            }
            o = Outcome.OK;
        } else {
            o = stray(ch, "gpadl create of gpadl " + Integer.toUnsignedString(gpadlId) + " in state " + g.state);
        }
        finishInput();
        return o;
    }

    /**
     * The device answered {@link DeviceRequest.TeardownGpadl}.
     *
     * @param offer the handle
     * @param gpadlId the GPADL
     * @return OK, or why the completion was ignored
     */
    public Outcome completeGpadlTeardown(final OfferId offer, final int gpadlId) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        final Gpadl g = gpadls.get(new GpadlKey(ch.offerId, gpadlId));
        final Outcome o;
        if (g == null || g.state != GpadlState.TEARING_DOWN) {
            o = stray(
                    ch,
                    "gpadl teardown of gpadl " + Integer.toUnsignedString(gpadlId)
                            + (g == null ? " (unknown)" : " in state " + g.state));
        } else {
            if (told(ch) && !ch.state.isReleased()) {
                sendDefault(new GpadlTorndown(gpadlId));
            }
            removeGpadl(g);
            o = Outcome.OK;
        }
        finishInput();
        return o;
    }

    /**
     * The device answered {@link DeviceRequest.Modify}.
     *
     * @param offer the handle
     * @param status an NT status; non-negative means the interrupt moved
     * @return OK, or why the completion was ignored
     */
    public Outcome completeModifyChannel(final OfferId offer, final int status) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null) {
            return unknownOffer(offer);
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        final ModifyState m = ch.modify;
        if (m == null) {
            final Outcome o = stray(ch, "modify");
            finishInput();
            return o;
        }
        ch.modify = null;
        // B19: the stored target VP changes only once the device confirms.
        if (NtStatus.isSuccess(status) && !m.stale() && ch.state == ChannelState.OPEN) {
            ch.request = ch.request.withTargetVp(m.inFlightVp());
        }
        if (m.answerGuest()
                && told(ch)
                && !ch.state.isRevoked()
                && info.version().atLeast(ProtocolVersion.IRON)) {
            sendDefault(new ModifyChannelResponse(ch.channelId, status));
        }
        if (m.pendingVp().isPresent()
                && ch.state == ChannelState.OPEN
                && ch.reserved == null
                && ch.request.interruptsEnabled()) {
            startModify(ch, m.pendingVp().getAsInt());
        }
        finishInput();
        return Outcome.OK;
    }

    /**
     * The host (or relay) answered a {@link ModifyConnectionRequest} that had {@code notifyRelay} set. Answers must
     * come in request order.
     *
     * @param response the answer
     * @return OK, or why it did not fit
     */
    public Outcome completeModifyConnection(final ModifyConnectionResult response) {
        if (response == null) {
            return rejected(ErrorKind.UNEXPECTED_RELAY_RESPONSE, "response=null");
        }
        if (!hostRoom(2)) {
            return queueFull(2 + worstCase());
        }
        final Outcome o;
        if (relayModifyOutstanding) {
            o = completeModifyConnectionMessage(response);
        } else if (phase == ConnectionPhase.CONNECTING) {
            o = completeConnect(response);
        } else if (phase == ConnectionPhase.DISCONNECTING && modifySent) {
            completeDisconnect();
            o = Outcome.OK;
        } else {
            o = rejected(
                    ErrorKind.UNEXPECTED_RELAY_RESPONSE, response + " in " + phase + " (expected: no answer pending)");
        }
        finishInput();
        return o;
    }

    /**
     * The hvsocket handler answered an {@link HvsockConnectRequest}. A failure is reported to a 4.1+ guest with
     * TL_CONNECT_REQUEST_RESULT(connection refused); success shows as the channel the host offers.
     *
     * @param result the answer
     * @return OK, or {@link ErrorKind#UNKNOWN_HVSOCK_REQUEST}
     */
    public Outcome completeHvsockConnect(final HvsockConnectResult result) {
        if (result == null) {
            return rejected(ErrorKind.UNKNOWN_HVSOCK_REQUEST, "result=null");
        }
        if (!hostRoom(1)) {
            return queueFull(1 + worstCase());
        }
        int index = -1;
        for (int i = 0; i < hvsock.size(); i++) {
            final HvsockConnectRequest r = hvsock.get(i);
            if (r.serviceId().equals(result.serviceId()) && r.endpointId().equals(result.endpointId())) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return rejected(
                    ErrorKind.UNKNOWN_HVSOCK_REQUEST,
                    "hvsock result for service " + result.serviceId() + " endpoint " + result.endpointId()
                            + " (expected: an outstanding request)");
        }
        hvsock.remove(index);
        if (!result.success()
                && phase == ConnectionPhase.CONNECTED
                && info.version().atLeast(ProtocolVersion.WIN10_RS3_0)) {
            sendDefault(new TlConnectResult(result.endpointId(), result.serviceId(), NtStatus.CONNECTION_REFUSED));
        }
        finishInput();
        return Outcome.OK;
    }

    // =================================================================================================================
    // Version negotiation and the connection state machine
    // =================================================================================================================

    private static boolean atLeast(final int requested, final ProtocolVersion v) {
        return Integer.compareUnsigned(requested, v.code()) >= 0;
    }

    private Outcome onInitiateContact(final InitiateContact m, final boolean multiclient, final boolean trusted) {
        final int v = m.versionRequested();
        final int sint =
                multiclient && atLeast(v, ProtocolVersion.WIN10_RS3_1) ? m.targetSint() : ConnectionIds.VMBUS_SINT;
        final int vtl = multiclient && atLeast(v, ProtocolVersion.WIN10_RS4) ? m.targetVtl() : config.vtl();
        int flags = atLeast(v, ProtocolVersion.COPPER) ? m.featureFlags() : 0;
        final int vp = atLeast(v, ProtocolVersion.WIN8_1) ? m.targetMessageVp() : 0;
        final long interruptPage = atLeast(v, ProtocolVersion.WIN8) ? 0 : m.interruptPageOrTargetInfo();
        Guid clientId = Guid.ZERO;
        if ((flags & FeatureFlags.CLIENT_ID) != 0) {
            if (m.form() == InitiateContactForm.V2) {
                clientId = m.clientId();
            } else {
                // B17: the reference drops the request without any answer; negotiate without the client id instead.
                flags &= ~FeatureFlags.CLIENT_ID;
                note("client_id requested in the 40-byte INITIATE_CONTACT (expected: the 56-byte form); "
                        + "negotiating without it");
            }
        }
        return initiateContact(new InitiateContactRequest(
                v,
                vp,
                InitiateContactRequest.MonitorPageRequest.of(
                        m.parentToChildMonitorPageGpa(), m.childToParentMonitorPageGpa()),
                sint,
                vtl,
                flags,
                interruptPage,
                clientId,
                trusted));
    }

    private Outcome initiateContact(final InitiateContactRequest request) {
        if (request.targetVtl() != config.vtl()) {
            effects.forwardInitiateContact(request);
            return Outcome.OK;
        }
        if (request.targetSint() != ConnectionIds.VMBUS_SINT) {
            sendTargeted(
                    new MessageTarget.Custom(request.targetMessageVp(), request.targetSint() & 0xFF),
                    VersionResponse.unsupported());
            return rejected(
                    ErrorKind.UNSUPPORTED_TARGET_SINT,
                    "multiclient sint=" + request.targetSint() + " (expected: " + ConnectionIds.VMBUS_SINT + ")");
        }
        if (!requestDisconnect(new NextAction.Reconnect(request))) {
            return Outcome.OK;
        }
        return connect(request);
    }

    /** Steps 5..9 of reference §2.3: the server is Disconnected with every non-reserved channel reset. */
    private Outcome connect(final InitiateContactRequest request) {
        final VersionInfo version = checkVersion(request);
        if (version == null) {
            sendDefault(VersionResponse.unsupported());
            return rejected(
                    ErrorKind.UNSUPPORTED_VERSION,
                    "version=0x" + Integer.toHexString(request.versionRequested()) + " (expected: one of the 11 "
                            + "versions, at most " + config.maxVersion() + ")");
        }
        final MonitorPages pages;
        switch (request.monitorPages()) {
            case InitiateContactRequest.MonitorPageRequest.Invalid i -> {
                sendVersionResponse(version, ConnectionState.FAILED_UNKNOWN_FAILURE, null);
                return rejected(
                        ErrorKind.INVALID_MONITOR_PAGES,
                        "exactly one monitor page GPA is zero (expected: both or neither)");
            }
            case InitiateContactRequest.MonitorPageRequest.None n -> pages = null;
            case InitiateContactRequest.MonitorPageRequest.Some s -> {
                if (config.requireServerAllocatedMonitorPages()) {
                    if (!version.has(FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES)) {
                        note("guest-supplied monitor pages ignored: this server requires server-allocated pages");
                    }
                    pages = null;
                } else {
                    pages = MonitorPages.guest(s.parentToChild(), s.childToParent());
                }
            }
        }
        info = new ConnectionInfo(
                version,
                request.trusted(),
                false,
                request.interruptPage(),
                pages,
                request.targetMessageVp(),
                false,
                null,
                request.clientId(),
                false);
        phase(ConnectionPhase.CONNECTING, "version " + version.version() + " accepted locally");
        nextAction = NextAction.NONE;
        defaultVp = request.targetMessageVp();
        effects.modifyConnection(new ModifyConnectionRequest(
                version,
                Update.setOrReset(pages),
                request.interruptPage() != 0 ? new Update.Set<>(request.interruptPage()) : new Update.Reset<>(),
                OptionalInt.of(request.targetMessageVp()),
                true));
        return Outcome.OK;
    }

    private VersionInfo checkVersion(final InitiateContactRequest request) {
        final ProtocolVersion v = ProtocolVersion.of(request.versionRequested()).orElse(null);
        if (v == null || v.compareTo(config.maxVersion()) > 0) {
            return null;
        }
        int supported = 0;
        if (v.atLeast(ProtocolVersion.COPPER)) {
            // One definition of the supported set for negotiation and restore (B5).
            supported = supportedFeatureFlags(config, request.trusted()) & config.maxFeatureFlags();
        }
        final int negotiated = supported & request.featureFlags();
        if (negotiated != request.featureFlags()) {
            note("feature flags requested=0x" + Integer.toHexString(request.featureFlags()) + " negotiated=0x"
                    + Integer.toHexString(negotiated));
        }
        return new VersionInfo(v, negotiated);
    }

    private void sendVersionResponse(final VersionInfo version, final int state, final MonitorPages serverPages) {
        sendDefault(versionResponse(version, state, serverPages));
    }

    private VersionResponse versionResponse(
            final VersionInfo version, final int state, final MonitorPages serverPages) {
        // Below Win8 a failure cannot be reported: answer "unsupported".
        if (version == null || (state != ConnectionState.SUCCESSFUL && !version.atLeast(ProtocolVersion.WIN8))) {
            return VersionResponse.unsupported();
        }
        final int selected = version.atLeast(ProtocolVersion.WIN10_RS3_1)
                ? config.messageConnectionId()
                : version.version().code();
        if (!version.atLeast(ProtocolVersion.COPPER)) {
            return new VersionResponse(VersionResponseForm.V1, 1, state, selected, 0, 0, 0);
        }
        if (serverPages != null) {
            return new VersionResponse(
                    VersionResponseForm.V3,
                    1,
                    state,
                    selected,
                    version.featureFlags(),
                    serverPages.parentToChild(),
                    serverPages.childToParent());
        }
        return new VersionResponse(VersionResponseForm.V2, 1, state, selected, version.featureFlags(), 0, 0);
    }

    private Outcome completeConnect(final ModifyConnectionResult response) {
        final VersionInfo v = info.version();
        final NextAction next = nextAction;
        switch (response) {
            case ModifyConnectionResult.Supported s
            when s.connectionState() == ConnectionState.SUCCESSFUL -> {
                MonitorPages server = s.serverMonitorPages();
                if (server != null && !v.has(FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES)) {
                    note("host supplied monitor pages the guest did not ask for (feature 0x40); ignored");
                    server = null;
                }
                int flags = v.featureFlags() & (s.featureFlags() | LOCAL_FEATURE_FLAGS);
                MonitorPages pages = info.monitorPages();
                if (server != null) {
                    pages = MonitorPages.server(server.parentToChild(), server.childToParent());
                    flags |= FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES;
                } else {
                    flags &= ~FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES;
                }
                final VersionInfo negotiated = new VersionInfo(v.version(), flags);
                info = info.withVersion(negotiated, pages);
                phase(ConnectionPhase.CONNECTED, "host confirmed the version");
                nextAction = NextAction.NONE;
                sendVersionResponse(negotiated, ConnectionState.SUCCESSFUL, server);
                if (!(next instanceof NextAction.None) && requestDisconnect(next)) {
                    doNextAction(next);
                }
                return Outcome.OK;
            }
            case ModifyConnectionResult.Supported s -> {
                final int mask = (s.featureFlags() | LOCAL_FEATURE_FLAGS) & ~FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES
                        | (s.serverMonitorPages() != null ? FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES : 0);
                final int state = u8State(s.connectionState());
                sendVersionResponse(new VersionInfo(v.version(), v.featureFlags() & mask), state, null);
                failConnect(next, "host failed the connection with state " + state);
                return Outcome.OK;
            }
            case ModifyConnectionResult.Unsupported u -> {
                sendDefault(VersionResponse.unsupported());
                failConnect(next, "host does not support " + v.version());
                return Outcome.OK;
            }
            case ModifyConnectionResult.Modified m -> {
                sendVersionResponse(v, ConnectionState.FAILED_UNKNOWN_FAILURE, null);
                failConnect(next, "host answered a connect request with " + m);
                return rejected(
                        ErrorKind.UNEXPECTED_RELAY_RESPONSE,
                        m + " to a connect request (expected: Supported or Unsupported)");
            }
        }
    }

    /** B3: a failed connect still runs the action queued while Connecting (a reset or reconnect is never lost). */
    private void failConnect(final NextAction next, final String reason) {
        info = null;
        phase(ConnectionPhase.DISCONNECTED, reason);
        nextAction = NextAction.NONE;
        if (!(next instanceof NextAction.None) && requestDisconnect(next)) {
            doNextAction(next);
        }
    }

    private static int u8State(final int state) {
        return (state & ~0xFF) == 0 ? state : ConnectionState.FAILED_UNKNOWN_FAILURE;
    }

    /**
     * Releases channels (all for a reset, else the non-reserved ones) and moves toward Disconnected (reference
     * {@code request_disconnect}). Returns whether the server is Disconnected now with everything released, so the
     * action can run at once.
     */
    private boolean requestDisconnect(final NextAction action) {
        final boolean vmReset = action instanceof NextAction.Reset;
        // In key order, not handle order: handles are history a restored server does not share.
        for (final Channel ch : new ArrayList<>(byKey.values())) {
            if (vmReset || !ch.isReserved()) {
                clientRelease(ch, false);
            }
        }
        switch (phase) {
            case DISCONNECTED -> {
                // B6: even a reconnect waits here until e.g. a reserved channel closed while disconnected has
                // finished tearing down its GPADLs, instead of asserting that it already has.
                if (!allReset(vmReset)) {
                    phase(ConnectionPhase.DISCONNECTING, "waiting for channels to release");
                    nextAction = action;
                    modifySent = false;
                }
            }
            case CONNECTED -> {
                leaveConnected();
                if (allReset(vmReset)) {
                    notifyDisconnect(action);
                } else {
                    phase(ConnectionPhase.DISCONNECTING, "waiting for channels to release");
                    nextAction = action;
                    modifySent = false;
                }
            }
            case CONNECTING, DISCONNECTING -> {
                // A reset is never replaced (guest messages are not taken while resetting anyway).
                if (!(nextAction instanceof NextAction.Reset)) {
                    nextAction = action;
                }
            }
        }
        return phase == ConnectionPhase.DISCONNECTED;
    }

    /** The connection info goes away: channels it was offered are no longer held by anyone connected. */
    private void leaveConnected() {
        info = null;
        // GPADLs still being assembled belong to the client that is going away (even on a channel that became
        // reserved meanwhile): a later client's GPADL_BODY must not complete them.
        for (final Gpadl g : new ArrayList<>(inProgress.values())) {
            removeGpadl(g);
        }
        for (final Channel ch : channels.values()) {
            ch.offered = false;
            ch.hotAddPending = false;
        }
        hotAddPendingCount = 0;
        hvsock.clear();
        queue.resume();
    }

    private void notifyDisconnect(final NextAction action) {
        if (phase != ConnectionPhase.DISCONNECTING) {
            phase(ConnectionPhase.DISCONNECTING, "everything released; resetting the connection");
        }
        nextAction = action;
        modifySent = true;
        effects.modifyConnection(ModifyConnectionRequest.disconnect());
    }

    /** Called after every input: a Disconnecting connection whose channels are all released sends its reset. */
    private void checkDisconnected() {
        if (phase == ConnectionPhase.DISCONNECTING && !modifySent && allReset(nextAction instanceof NextAction.Reset)) {
            notifyDisconnect(nextAction);
        }
    }

    private void completeDisconnect() {
        final NextAction next = nextAction;
        phase(ConnectionPhase.DISCONNECTED, "host acknowledged the reset request");
        nextAction = NextAction.NONE;
        modifySent = false;
        // If a reset replaced the action after the request went out, channels may have been released since.
        if (requestDisconnect(next)) {
            doNextAction(next);
        }
    }

    private void doNextAction(final NextAction action) {
        switch (action) {
            case NextAction.None n -> {}
            case NextAction.Reset r -> completeReset();
            case NextAction.SendUnloadComplete u -> completeUnload();
            case NextAction.Reconnect r -> initiateContact(r.request());
        }
    }

    private void completeReset() {
        for (final Channel ch : channels.values()) {
            ch.restoreState = RestoreState.NEW;
        }
        queue.clear();
        queue.resume();
        hvsock.clear();
        defaultVp = 0;
        effects.resetComplete();
    }

    private void completeUnload() {
        effects.unloadComplete();
        sendDefault(new UnloadComplete());
    }

    /**
     * Whether every channel is released and every GPADL gone, reserved ones excepted unless {@code includeReserved}.
     */
    private boolean allReset(final boolean includeReserved) {
        for (final Gpadl g : gpadls.values()) {
            if (includeReserved || !channels.get(g.owner).isReserved()) {
                return false;
            }
        }
        for (final Channel ch : channels.values()) {
            if (ch.state != ChannelState.CLIENT_RELEASED && (includeReserved || !ch.isReserved())) {
                return false;
            }
        }
        return true;
    }

    private boolean isResetting() {
        return (phase == ConnectionPhase.CONNECTING || phase == ConnectionPhase.DISCONNECTING)
                && nextAction instanceof NextAction.Reset;
    }

    private Outcome onUnload() {
        if (requestDisconnect(NextAction.SEND_UNLOAD_COMPLETE)) {
            completeUnload();
        }
        return Outcome.OK;
    }

    private Outcome onModifyConnection(final ModifyConnection m) {
        final long p2c = m.parentToChildMonitorPageGpa();
        final long c2p = m.childToParentMonitorPageGpa();
        // B2: every rejection is a failure response; nothing is stored and nothing pretends to complete.
        if (info.modifying()) {
            return modifyConnectionFailure(
                    ErrorKind.MODIFY_CONNECTION_IN_PROGRESS, "MODIFY_CONNECTION while one is in flight");
        }
        if (info.monitorPages() != null && info.monitorPages().serverAllocated()) {
            return modifyConnectionFailure(
                    ErrorKind.SERVER_ALLOCATED_MONITOR_PAGES, "monitor pages are server-allocated");
        }
        if ((p2c == 0) != (c2p == 0)) {
            return modifyConnectionFailure(
                    ErrorKind.INVALID_MONITOR_PAGES,
                    "parent_to_child=0x" + Long.toHexString(p2c) + " child_to_parent=0x" + Long.toHexString(c2p)
                            + " (expected: both or neither zero)");
        }
        final MonitorPages pages = p2c == 0 ? null : MonitorPages.guest(p2c, c2p);
        info = info.withModifying(pages);
        relayModifyOutstanding = true;
        effects.modifyConnection(new ModifyConnectionRequest(
                null, Update.setOrReset(pages), new Update.Unchanged<>(), OptionalInt.empty(), true));
        return Outcome.OK;
    }

    private Outcome modifyConnectionFailure(final ErrorKind kind, final String detail) {
        sendDefault(new ChannelMessage.ModifyConnectionResponse(ConnectionState.FAILED_UNKNOWN_FAILURE));
        return rejected(kind, detail);
    }

    private Outcome completeModifyConnectionMessage(final ModifyConnectionResult response) {
        relayModifyOutstanding = false;
        final int state;
        Outcome o = Outcome.OK;
        if (response instanceof ModifyConnectionResult.Modified m) {
            state = u8State(m.connectionState());
        } else {
            state = ConnectionState.FAILED_UNKNOWN_FAILURE;
            o = rejected(
                    ErrorKind.UNEXPECTED_RELAY_RESPONSE,
                    response + " to a MODIFY_CONNECTION request (expected: Modified)");
        }
        // If the connection went away meanwhile, the answer is consumed silently.
        if (phase == ConnectionPhase.CONNECTED && info.modifying()) {
            info = info.withModifyDone(state == ConnectionState.SUCCESSFUL);
            sendDefault(new ChannelMessage.ModifyConnectionResponse(state));
        }
        return o;
    }

    private Outcome onPause() {
        sendDefault(new PauseResponse());
        setPaused(true);
        return Outcome.OK;
    }

    private void setPaused(final boolean paused) {
        info = info.withPaused(paused);
        if (paused) {
            queue.pause();
        } else {
            queue.resume();
        }
    }

    // =================================================================================================================
    // Offers
    // =================================================================================================================

    private Outcome onRequestOffers() {
        if (info.offersSent()) {
            return rejected(ErrorKind.OFFERS_ALREADY_SENT, "REQUEST_OFFERS twice on one connection");
        }
        info = info.withOffersSent();
        final List<Channel> toOffer = new ArrayList<>();
        for (final Channel ch : channels.values()) {
            if (ch.state == ChannelState.CLIENT_RELEASED) {
                toOffer.add(ch);
            }
        }
        // B11: a total order (the key is unique), so ids are deterministic even for subchannels.
        toOffer.sort(offerOrder());
        for (final Channel ch : toOffer) {
            if (ch.gpadlCount > 0) {
                // Released with GPADLs still tearing down (a reserved channel closed while no client was connected):
                // offered once they are gone, so no answer about an old client's GPADL reaches this one.
                markHotAdd(ch);
            } else {
                offerToGuest(ch, "request offers");
            }
        }
        sendDefault(new AllOffersDelivered());
        return Outcome.OK;
    }

    private Comparator<Channel> offerOrder() {
        final Comparator<Channel> order = (a, b) -> Long.compareUnsigned(a.offer.offerOrder(), b.offer.offerOrder());
        final Comparator<Channel> iface = Comparator.comparing(c -> c.offer.interfaceId());
        final Comparator<Channel> rest = Comparator.<Channel, Guid>comparing(c -> c.offer.instanceId())
                .thenComparingInt(c -> c.offer.subchannelIndex());
        return config.absoluteChannelOrder()
                ? order.thenComparing(iface).thenComparing(rest)
                : iface.thenComparing(order).thenComparing(rest);
    }

    /** ClientReleased → Closed with a new id, and OFFER_CHANNEL to the current connection. */
    private void offerToGuest(final Channel ch, final String reason) {
        if (!assignIds(ch)) {
            note("no channel id left for " + ch + "; not offered");
            return;
        }
        clearHotAdd(ch);
        state(ch, ChannelState.CLOSED, reason);
        sendOffer(ch);
    }

    private void sendOffer(final Channel ch) {
        final VersionInfo v = info.version();
        final int flags = OfferFlags.forConnection(ch.offer.flags(), v.featureFlags());
        // The monitor id goes out only if the connection has monitor pages; otherwise the guest must not use MNF.
        final int monitor = info.monitorPages() != null ? ch.monitorId : -1;
        ch.offered = true;
        sendDefault(new OfferChannel(
                ch.offer.interfaceId(),
                ch.offer.instanceId(),
                flags,
                ch.offer.mmioMegabytes(),
                ch.offer.userDefined(),
                ch.offer.subchannelIndex(),
                ch.offer.mmioMegabytesOptional(),
                ch.channelId,
                monitor >= 0 ? monitor : ConnectionIds.NO_MONITOR_ID,
                monitor >= 0,
                true,
                ConnectionIds.offerConnectionId(ch.channelId, config.vtl())));
    }

    private boolean assignIds(final Channel ch) {
        int id = 0;
        for (int candidate = config.channelIdOffset() + 1; candidate <= MAX_ID; candidate++) {
            if (byId[candidate] == null) {
                id = candidate;
                break;
            }
        }
        if (id == 0) {
            return false;
        }
        byId[id] = ch;
        ch.channelId = id;
        assignMonitorId(ch);
        return true;
    }

    private void assignMonitorId(final Channel ch) {
        ch.monitorFromPool = ch.offer.mnf() instanceof MnfUsage.Enabled;
        ch.monitorId = switch (ch.offer.mnf()) {
            case MnfUsage.Enabled e -> allocateMonitorId();
            case MnfUsage.Relayed r -> r.monitorId();
            case MnfUsage.Disabled d -> -1;
        };
    }

    private void releaseMonitorId(final Channel ch) {
        if (ch.monitorId >= 0 && ch.monitorFromPool) {
            monitorBits[ch.monitorId >>> 6] &= ~(1L << (ch.monitorId & 63));
        }
        ch.monitorId = -1;
        ch.monitorFromPool = false;
    }

    private void releaseIds(final Channel ch) {
        if (ch.channelId != 0) {
            byId[ch.channelId] = null;
            ch.channelId = 0;
        }
        releaseMonitorId(ch);
        ch.offered = false;
    }

    private int allocateMonitorId() {
        for (int word = 0; word < monitorBits.length; word++) {
            final long free = ~monitorBits[word];
            if (free != 0) {
                final int bit = Long.numberOfTrailingZeros(free);
                monitorBits[word] |= 1L << bit;
                return word * 64 + bit;
            }
        }
        note("out of monitor ids; channel offered without MNF");
        return -1;
    }

    private void markHotAdd(final Channel ch) {
        if (!ch.hotAddPending) {
            ch.hotAddPending = true;
            hotAddPendingCount++;
        }
    }

    private void clearHotAdd(final Channel ch) {
        if (ch.hotAddPending) {
            ch.hotAddPending = false;
            hotAddPendingCount--;
        }
    }

    /** B21: offers channels freed by a reserved close once they are fully released. */
    private void flushHotAdds() {
        if (phase != ConnectionPhase.CONNECTED || !info.offersSent()) {
            return;
        }
        for (final Channel ch : byKey.values()) {
            if (ch.hotAddPending && ch.state == ChannelState.CLIENT_RELEASED && ch.gpadlCount == 0) {
                offerToGuest(ch, "reserved channel closed; offered to the current connection");
            }
        }
    }

    /**
     * A reserved channel became Closed (its reserved close completed or its reserved open failed). If the current
     * connection holds its id it stays Closed; otherwise nobody connected knows it, so it is released (B14) and, on a
     * connection that already enumerated, offered to it once released (B21).
     */
    private void afterReservedClosed(final Channel ch) {
        if (phase == ConnectionPhase.CONNECTED && ch.offered) {
            return;
        }
        clientRelease(ch, false);
        if (phase == ConnectionPhase.CONNECTED && channels.containsKey(ch.offerId)) {
            markHotAdd(ch);
        }
    }

    private OfferId newOfferId() {
        return new OfferId(nextOfferId++);
    }

    private void rekey(final Channel ch, final OfferId newId) {
        final List<Gpadl> owned = gpadlsOf(ch.offerId);
        for (final Gpadl g : owned) {
            gpadls.remove(new GpadlKey(g.owner, g.gpadlId));
        }
        channels.remove(ch.offerId);
        ch.offerId = newId;
        channels.put(newId, ch);
        for (final Gpadl g : owned) {
            g.owner = newId;
            gpadls.put(new GpadlKey(newId, g.gpadlId), g);
        }
    }

    // =================================================================================================================
    // Channel messages
    // =================================================================================================================

    private Channel channelById(final int channelId) {
        return channelId > 0 && channelId <= MAX_ID ? byId[channelId] : null;
    }

    private boolean told(final Channel ch) {
        return phase == ConnectionPhase.CONNECTED && ch.offered;
    }

    private Outcome onOpenChannel(final OpenChannel m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return openFailure(m, ErrorKind.UNKNOWN_CHANNEL_ID, "OPEN_CHANNEL for unknown channel id=" + m.channelId());
        }
        final VersionInfo v = info.version();
        final boolean v2 = m.form() == OpenChannelForm.V2;
        final OpenRequest request = new OpenRequest(
                m.openId(),
                m.ringBufferGpadlId(),
                m.targetVp(),
                m.downstreamRingBufferPageOffset(),
                m.userData(),
                v2 && v.has(FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS)
                        ? new OpenRequest.SignalInfo(m.eventFlag(), m.connectionId())
                        : null,
                v2 ? OpenChannelFlags.effective(m.flags(), v.featureFlags()) : 0);
        switch (ch.state) {
            case CLOSED -> {
                openChannel(ch, request, null);
                return Outcome.OK;
            }
            case CLOSING -> {
                if (ch.isReserved()) {
                    // The reference turns this into ClosingReopen and loses the CLOSE_RESERVED_RESPONSE.
                    return openFailure(m, ErrorKind.CHANNEL_RESERVED, ch + ": OPEN_CHANNEL during a reserved close");
                }
                state(ch, ChannelState.CLOSING_REOPEN, "guest re-opened before the close completed");
                ch.reopenRequest = request;
                return Outcome.OK;
            }
            case REVOKED, REOFFERED -> {
                return rejected(ErrorKind.CHANNEL_REVOKED, ch + ": OPEN_CHANNEL ignored, the guest got a rescind");
            }
            default -> {
                return openFailure(m, ErrorKind.CHANNEL_ALREADY_OPEN, ch + ": OPEN_CHANNEL in state " + ch.state);
            }
        }
    }

    private Outcome openFailure(final OpenChannel m, final ErrorKind kind, final String detail) {
        sendDefault(new OpenResult(m.channelId(), m.openId(), NtStatus.UNSUCCESSFUL));
        return rejected(kind, detail);
    }

    private void openChannel(final Channel ch, final OpenRequest request, final ReservedState reserved) {
        state(ch, ChannelState.OPENING, reserved != null ? "guest opened it reserved" : "guest opened it");
        ch.request = request;
        ch.reserved = reserved;
        final VersionInfo v = reserved != null ? reserved.version() : info.version();
        final OpenRequest.SignalInfo signal = request.guestSignal();
        final OpenParams.MonitorInfo monitor = ch.offer.mnf() instanceof MnfUsage.Enabled e
                        && reserved == null
                        && ch.monitorId >= 0
                        && request.interruptsEnabled()
                ? new OpenParams.MonitorInfo(ch.monitorId, e.latencyNanos())
                : null;
        final boolean confidential = v.has(FeatureFlags.CONFIDENTIAL_CHANNELS);
        final int flags = ch.offer.flags();
        ch.deviceOpen = new DeviceRequest.Open(
                new OpenParams(
                        ch.channelId,
                        request.openId(),
                        request.ringBufferGpadlId(),
                        request.targetVp(),
                        request.downstreamRingBufferPageOffset(),
                        request.userData(),
                        signal != null ? signal.eventFlag() : ch.channelId & 0xFFFF,
                        signal != null
                                ? signal.connectionId()
                                : ConnectionIds.offerConnectionId(ch.channelId, config.vtl()),
                        monitor,
                        request.flags(),
                        reserved != null
                                ? new MessageTarget.Reserved(ch.channelId, reserved.vp(), reserved.sint())
                                : null,
                        confidential && OfferFlags.has(flags, OfferFlags.CONFIDENTIAL_RING_BUFFER),
                        confidential && OfferFlags.has(flags, OfferFlags.CONFIDENTIAL_EXTERNAL_MEMORY),
                        v.has(FeatureFlags.GPA_PINNING)
                                && OfferFlags.has(flags, OfferFlags.REQUIRE_PINNED_EXTERNAL_MEMORY)),
                v);
        effects.deviceRequest(ch.offerId, ch.deviceOpen);
    }

    private Outcome onCloseChannel(final CloseChannel m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return rejected(ErrorKind.UNKNOWN_CHANNEL_ID, "CLOSE_CHANNEL for unknown channel id=" + m.channelId());
        }
        switch (ch.state) {
            case OPEN -> {
                if (ch.isReserved()) {
                    return rejected(ErrorKind.CHANNEL_RESERVED, ch + ": CLOSE_CHANNEL on a reserved channel");
                }
                startClose(ch, "guest closed it");
                return Outcome.OK;
            }
            case REVOKED, REOFFERED -> {
                return rejected(ErrorKind.CHANNEL_REVOKED, ch + ": CLOSE_CHANNEL ignored, the guest got a rescind");
            }
            default -> {
                return rejected(ErrorKind.CHANNEL_NOT_OPEN, ch + ": CLOSE_CHANNEL in state " + ch.state);
            }
        }
    }

    private void startClose(final Channel ch, final String reason) {
        state(ch, ChannelState.CLOSING, reason);
        effects.deviceRequest(ch.offerId, DeviceRequest.CLOSE);
    }

    private Outcome onOpenReservedChannel(final OpenReservedChannel m) {
        final int sint = m.targetSint() & 0xFF;
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return reservedOpenFailure(
                    m, ErrorKind.UNKNOWN_CHANNEL_ID, "OPEN_RESERVED_CHANNEL for unknown channel id=" + m.channelId());
        }
        switch (ch.state) {
            case CLOSED -> {
                final OpenRequest request = new OpenRequest(
                        0,
                        m.ringBufferGpadlId(),
                        // Interrupts are disabled for reserved channels, as in Hyper-V.
                        ConnectionIds.VP_INDEX_DISABLE_INTERRUPT,
                        m.downstreamRingBufferPageOffset(),
                        Blob.zeros(ChannelMessage.USER_DEFINED_SIZE),
                        null,
                        0);
                openChannel(ch, request, new ReservedState(info.version(), m.targetVp(), sint));
                return Outcome.OK;
            }
            case REVOKED, REOFFERED -> {
                return rejected(
                        ErrorKind.CHANNEL_REVOKED, ch + ": OPEN_RESERVED_CHANNEL ignored, the guest got a rescind");
            }
            case OPEN, OPENING -> {
                return reservedOpenFailure(
                        m, ErrorKind.CHANNEL_ALREADY_OPEN, ch + ": OPEN_RESERVED_CHANNEL in state " + ch.state);
            }
            default -> {
                return reservedOpenFailure(
                        m, ErrorKind.INVALID_CHANNEL_STATE, ch + ": OPEN_RESERVED_CHANNEL in state " + ch.state);
            }
        }
    }

    private Outcome reservedOpenFailure(final OpenReservedChannel m, final ErrorKind kind, final String detail) {
        sendTargeted(
                new MessageTarget.Custom(m.targetVp(), m.targetSint() & 0xFF),
                new OpenResult(m.channelId(), 0, NtStatus.UNSUCCESSFUL));
        return rejected(kind, detail);
    }

    private Outcome onCloseReservedChannel(final CloseReservedChannel m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return rejected(
                    ErrorKind.UNKNOWN_CHANNEL_ID, "CLOSE_RESERVED_CHANNEL for unknown channel id=" + m.channelId());
        }
        switch (ch.state) {
            case OPEN -> {
                if (!ch.isReserved()) {
                    return rejected(
                            ErrorKind.CHANNEL_NOT_RESERVED, ch + ": CLOSE_RESERVED_CHANNEL on a normal channel");
                }
                // The response goes where this message says, not where the open said.
                final ReservedState target = ch.reserved.withTarget(m.targetVp(), m.targetSint() & 0xFF);
                startClose(ch, "reserved close");
                ch.reserved = target;
                return Outcome.OK;
            }
            case REVOKED, REOFFERED -> {
                return rejected(
                        ErrorKind.CHANNEL_REVOKED, ch + ": CLOSE_RESERVED_CHANNEL ignored, the guest got a rescind");
            }
            default -> {
                return rejected(ErrorKind.CHANNEL_NOT_OPEN, ch + ": CLOSE_RESERVED_CHANNEL in state " + ch.state);
            }
        }
    }

    private Outcome onRelIdReleased(final RelIdReleased m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return rejected(ErrorKind.UNKNOWN_CHANNEL_ID, "REL_ID_RELEASED for unknown channel id=" + m.channelId());
        }
        switch (ch.state) {
            case CLOSED, REVOKED, REOFFERED, CLOSING -> {
                if (ch.isReserved()) {
                    // The reserved client waits for its CLOSE_RESERVED_RESPONSE; the connected client cannot take
                    // the channel from it.
                    return rejected(ErrorKind.CHANNEL_RESERVED, ch + ": REL_ID_RELEASED during a reserved close");
                }
                clientRelease(ch, true);
                return Outcome.OK;
            }
            default -> {
                return rejected(ErrorKind.INVALID_CHANNEL_STATE, ch + ": REL_ID_RELEASED in state " + ch.state);
            }
        }
    }

    /**
     * Releases every guest reference to a channel (reference {@code client_release_channel}): GPADLs are dropped or
     * torn down, the channel moves to a released state (closing or finishing an open through the device if needed)
     * and its ids are freed. A re-offered channel released by the guest on a live connection is offered again at once
     * with the same id when {@code reoffer}.
     */
    private void clientRelease(final Channel ch, final boolean reoffer) {
        final boolean revoked = ch.state.isRevoked();
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            switch (g.state) {
                case IN_PROGRESS -> removeGpadl(g);
                case OFFERED -> g.state = GpadlState.OFFERED_TEARING_DOWN;
                case ACCEPTED -> {
                    if (revoked) {
                        removeGpadl(g);
                    } else {
                        g.state = GpadlState.TEARING_DOWN;
                        effects.deviceRequest(ch.offerId, new DeviceRequest.TeardownGpadl(g.gpadlId, false));
                    }
                }
                case OFFERED_TEARING_DOWN, TEARING_DOWN -> {}
            }
        }
        if (ch.modify != null) {
            // The device still answers, but the client that asked is gone: nobody gets a response.
            ch.modify = new ModifyState(ch.modify.inFlightVp(), OptionalInt.empty(), true, false);
        }
        boolean delete = false;
        switch (ch.state) {
            case CLOSED -> state(ch, ChannelState.CLIENT_RELEASED, "guest released it");
            case REOFFERED -> {
                if (reoffer && phase == ConnectionPhase.CONNECTED) {
                    state(ch, ChannelState.CLOSED, "guest released the revoked id; re-offered with the same id");
                    ch.restoreState = RestoreState.NEW;
                    // The new incarnation's MNF use may differ from the old one's.
                    releaseMonitorId(ch);
                    assignMonitorId(ch);
                    sendOffer(ch);
                    return;
                }
                state(ch, ChannelState.CLIENT_RELEASED, "guest released the revoked id");
            }
            case REVOKED -> {
                state(ch, ChannelState.CLIENT_RELEASED, "guest released the revoked id");
                delete = true;
            }
            case OPENING -> state(ch, ChannelState.OPENING_CLIENT_RELEASE, "released while the device opens it");
            case OPEN -> {
                state(ch, ChannelState.CLOSING_CLIENT_RELEASE, "released while open");
                effects.deviceRequest(ch.offerId, DeviceRequest.CLOSE);
            }
            case CLOSING, CLOSING_REOPEN ->
                state(ch, ChannelState.CLOSING_CLIENT_RELEASE, "released while the device closes it");
            case CLIENT_RELEASED, CLOSING_CLIENT_RELEASE, OPENING_CLIENT_RELEASE -> {}
        }
        ch.request = null;
        ch.reopenRequest = null;
        releaseIds(ch);
        if (delete) {
            deleteChannel(ch);
        }
    }

    private void deleteChannel(final Channel ch) {
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            removeGpadl(g);
        }
        releaseIds(ch);
        clearHotAdd(ch);
        channels.remove(ch.offerId);
        byKey.remove(ch.offer.key());
    }

    private Outcome onModifyChannel(final ModifyChannel m) {
        final boolean iron = info.version().atLeast(ProtocolVersion.IRON);
        if (m.targetVp() == ConnectionIds.VP_INDEX_DISABLE_INTERRUPT) {
            return modifyChannelFailure(
                    m, iron, ErrorKind.INVALID_TARGET_VP, "MODIFY_CHANNEL target_vp=0xffffffff (expected: a VP)");
        }
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return modifyChannelFailure(
                    m, iron, ErrorKind.UNKNOWN_CHANNEL_ID, "MODIFY_CHANNEL for unknown channel id=" + m.channelId());
        }
        if (ch.state != ChannelState.OPEN || ch.isReserved()) {
            return modifyChannelFailure(
                    m, iron, ErrorKind.INVALID_CHANNEL_STATE, ch + ": MODIFY_CHANNEL (expected: open, not reserved)");
        }
        if (!ch.request.interruptsEnabled()) {
            return modifyChannelFailure(
                    m, iron, ErrorKind.INTERRUPTS_DISABLED, ch + ": MODIFY_CHANNEL on a channel without interrupts");
        }
        if (ch.modify != null) {
            if (iron) {
                // B19: the reference drops it without an answer; 5.3 guests wait for one.
                return modifyChannelFailure(
                        m, true, ErrorKind.MODIFY_IN_PROGRESS, ch + ": MODIFY_CHANNEL while one is in flight");
            }
            // Below 5.3 there is no answer: remember the latest target and run it when the current one completes.
            ch.modify = new ModifyState(
                    ch.modify.inFlightVp(), OptionalInt.of(m.targetVp()), ch.modify.stale(), ch.modify.answerGuest());
            return Outcome.OK;
        }
        startModify(ch, m.targetVp());
        return Outcome.OK;
    }

    private void startModify(final Channel ch, final int vp) {
        ch.modify = new ModifyState(vp, OptionalInt.empty(), false, true);
        effects.deviceRequest(ch.offerId, new DeviceRequest.Modify(vp));
    }

    private Outcome modifyChannelFailure(
            final ModifyChannel m, final boolean iron, final ErrorKind kind, final String detail) {
        if (iron) {
            sendDefault(new ModifyChannelResponse(m.channelId(), NtStatus.UNSUCCESSFUL));
        }
        return rejected(kind, detail);
    }

    private Outcome onTlConnectRequest(final TlConnectRequest m) {
        final HvsockConnectRequest request = new HvsockConnectRequest(
                m.serviceId(), m.endpointId(), m.siloId(), !info.version().atLeast(ProtocolVersion.WIN10_RS5));
        hvsock.add(request);
        effects.hvsockConnect(request);
        return Outcome.OK;
    }

    // =================================================================================================================
    // GPADLs
    // =================================================================================================================

    private Outcome onGpadlHeader(final GpadlHeader m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.UNKNOWN_CHANNEL_ID,
                    "GPADL_HEADER for unknown channel id=" + m.channelId());
        }
        if (ch.isReserved()) {
            // GPADL_BODY carries no channel id, so a reserved channel's GPADL ids could collide with the client's.
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.CHANNEL_RESERVED,
                    ch + ": GPADL_HEADER on a reserved channel");
        }
        // B22: len is a byte count; only whole u64 words count, as in the reference.
        final int expectedWords = m.rangeBufferLength() / 8;
        if (ch.gpadlCount >= config.maxGpadlsPerChannel()) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.GPADL_LIMIT,
                    ch + ": gpadls=" + ch.gpadlCount + " (expected: < " + config.maxGpadlsPerChannel() + ")");
        }
        if (gpadls.size() >= config.maxGpadls()) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.GPADL_LIMIT,
                    "gpadls=" + gpadls.size() + " (expected: < " + config.maxGpadls() + ")");
        }
        if (gpadlBytes + expectedWords * 8L > config.maxGpadlBytesTotal()) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.GPADL_LIMIT,
                    "gpadl bytes=" + (gpadlBytes + expectedWords * 8L) + " (expected: <= " + config.maxGpadlBytesTotal()
                            + ")");
        }
        if (gpadls.containsKey(new GpadlKey(ch.offerId, m.gpadlId()))) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.DUPLICATE_GPADL_ID,
                    ch + ": gpadl id=" + Integer.toUnsignedString(m.gpadlId()) + " already in use on this channel");
        }
        final Gpadl g = new Gpadl(ch.offerId, m.gpadlId(), m.rangeCount(), expectedWords);
        g.append(m.data());
        if (g.isComplete()) {
            return gpadlAssembled(ch, g, false);
        }
        if (inProgress.containsKey(m.gpadlId())) {
            return gpadlFailure(
                    m.channelId(),
                    m.gpadlId(),
                    ErrorKind.DUPLICATE_GPADL_ID,
                    "gpadl id=" + Integer.toUnsignedString(m.gpadlId()) + " already in progress on a channel");
        }
        storeGpadl(ch, g);
        inProgress.put(g.gpadlId, g);
        return Outcome.OK;
    }

    private Outcome onGpadlBody(final GpadlBody m) {
        final Gpadl g = inProgress.get(m.gpadlId());
        if (g == null) {
            // No channel id in the message, so no failure reply can be addressed.
            return rejected(
                    ErrorKind.UNKNOWN_GPADL_ID,
                    "GPADL_BODY for gpadl id=" + Integer.toUnsignedString(m.gpadlId())
                            + " (expected: a GPADL in progress)");
        }
        g.append(m.data());
        if (!g.isComplete()) {
            return Outcome.OK;
        }
        inProgress.remove(g.gpadlId);
        return gpadlAssembled(channels.get(g.owner), g, true);
    }

    /** A GPADL has all its data: validate it, then hand it to the device (or accept it on a revoked channel). */
    private Outcome gpadlAssembled(final Channel ch, final Gpadl g, final boolean stored) {
        final GpaRanges.Result parsed = GpaRanges.parse(g.rangeCount, g.words, 0, g.received);
        if (parsed instanceof GpaRanges.Invalid invalid) {
            if (stored) {
                removeGpadl(g);
            }
            return gpadlFailure(
                    ch.channelId,
                    g.gpadlId,
                    ErrorKind.INVALID_GPADL_RANGES,
                    ch + ": gpadl id=" + Integer.toUnsignedString(g.gpadlId) + ": "
                            + invalid.error().describe());
        }
        final List<GpaRange> ranges = ((GpaRanges.Valid) parsed).ranges();
        long pages = 0;
        for (final GpaRange r : ranges) {
            pages += r.pageCount();
        }
        if (pages > config.maxGpadlPages()) {
            if (stored) {
                removeGpadl(g);
            }
            return gpadlFailure(
                    ch.channelId,
                    g.gpadlId,
                    ErrorKind.GPADL_LIMIT,
                    ch + ": gpadl pages=" + pages + " (expected: <= " + config.maxGpadlPages() + ")");
        }
        if (!stored) {
            storeGpadl(ch, g);
        }
        if (ch.state.isRevoked()) {
            // The device is gone but the guest still holds the channel: accept without involving anyone (PR #3959).
            g.state = GpadlState.ACCEPTED;
            if (told(ch)) {
                sendDefault(new GpadlCreated(ch.channelId, g.gpadlId, NtStatus.SUCCESS));
            }
        } else {
            g.state = GpadlState.OFFERED;
            effects.deviceRequest(ch.offerId, new DeviceRequest.CreateGpadl(g.gpadlId, g.rangeCount, g.data(), ranges));
        }
        return Outcome.OK;
    }

    private Outcome gpadlFailure(final int channelId, final int gpadlId, final ErrorKind kind, final String detail) {
        sendDefault(new GpadlCreated(channelId, gpadlId, NtStatus.UNSUCCESSFUL));
        return rejected(kind, detail);
    }

    private Outcome onGpadlTeardown(final GpadlTeardown m) {
        final Channel ch = channelById(m.channelId());
        if (ch == null) {
            return rejected(ErrorKind.UNKNOWN_CHANNEL_ID, "GPADL_TEARDOWN for unknown channel id=" + m.channelId());
        }
        final Gpadl g = gpadls.get(new GpadlKey(ch.offerId, m.gpadlId()));
        if (g == null) {
            return rejected(
                    ErrorKind.UNKNOWN_GPADL_ID,
                    ch + ": GPADL_TEARDOWN for gpadl id=" + Integer.toUnsignedString(m.gpadlId())
                            + " (expected: a GPADL of this channel)");
        }
        if (g.state != GpadlState.ACCEPTED) {
            return rejected(
                    ErrorKind.INVALID_GPADL_STATE,
                    ch + ": GPADL_TEARDOWN for gpadl id=" + Integer.toUnsignedString(m.gpadlId()) + " in state "
                            + g.state + " (expected: ACCEPTED)");
        }
        if (ch.isReserved()) {
            return rejected(ErrorKind.CHANNEL_RESERVED, ch + ": GPADL_TEARDOWN on a reserved channel");
        }
        if (ch.state.isRevoked()) {
            removeGpadl(g);
            sendDefault(new GpadlTorndown(m.gpadlId()));
            return Outcome.OK;
        }
        g.state = GpadlState.TEARING_DOWN;
        effects.deviceRequest(ch.offerId, new DeviceRequest.TeardownGpadl(m.gpadlId(), false));
        return Outcome.OK;
    }

    private void storeGpadl(final Channel ch, final Gpadl g) {
        gpadls.put(new GpadlKey(ch.offerId, g.gpadlId), g);
        ch.gpadlCount++;
        gpadlBytes += g.declaredBytes();
    }

    private void removeGpadl(final Gpadl g) {
        if (gpadls.remove(new GpadlKey(g.owner, g.gpadlId)) == null) {
            return;
        }
        if (inProgress.get(g.gpadlId) == g) {
            inProgress.remove(g.gpadlId);
        }
        channels.get(g.owner).gpadlCount--;
        gpadlBytes -= g.declaredBytes();
    }

    private List<Gpadl> gpadlsOf(final OfferId owner) {
        final NavigableMap<GpadlKey, Gpadl> owned =
                gpadls.subMap(GpadlKey.first(owner), true, GpadlKey.last(owner), true);
        return owned.isEmpty() ? List.of() : new ArrayList<>(owned.values());
    }

    // =================================================================================================================
    // Plumbing
    // =================================================================================================================

    private void state(final Channel ch, final ChannelState next, final String reason) {
        if (!ch.state.canBecome(next)) {
            throw new IllegalStateException(
                    ch + ": illegal transition " + ch.state + " -> " + next + " (" + reason + ")");
        }
        if (ch.state == ChannelState.OPEN && ch.modify != null && !ch.modify.stale()) {
            // The open the modify was for is over; its answer is still expected but applies to nothing.
            ch.modify = new ModifyState(ch.modify.inFlightVp(), OptionalInt.empty(), true, ch.modify.answerGuest());
        }
        ch.state = next;
        if (!next.mayBeReserved()) {
            ch.reserved = null;
        }
    }

    private void phase(final ConnectionPhase next, final String reason) {
        if (!phase.canBecome(next)) {
            throw new IllegalStateException(
                    "connection: illegal transition " + phase + " -> " + next + " (" + reason + ")");
        }
        phase = next;
    }

    private void finishInput() {
        checkDisconnected();
        if (hotAddPendingCount > 0) {
            flushHotAdds();
        }
    }

    private int worstCase() {
        return 2 + hotAddPendingCount;
    }

    /** Completions and host actions leave room for one whole guest REQUEST_OFFERS, so a guest can never starve. */
    private boolean hostRoom(final int messages) {
        return queue.size() + messages + hotAddPendingCount + 2
                <= config.maxQueuedMessages() - ServerConfig.guestQueueHeadroom(config.channelLimit());
    }

    /**
     * Room for what finishing a restore produces (claims, revoking the unclaimed): only what the saved process already
     * owed, so it may use the room kept for the guest, who is paused during servicing and cannot drain the queue.
     */
    private boolean restoreRoom(final int messages) {
        return queue.size() + messages + hotAddPendingCount <= config.maxQueuedMessages();
    }

    private Outcome queueFull(final int needed) {
        return rejected(
                ErrorKind.QUEUE_FULL,
                "queued messages=" + queue.size() + " + " + needed + " (expected: <= " + config.maxQueuedMessages()
                        + ", less room kept for the guest)");
    }

    private void sendDefault(final ChannelMessage message) {
        effects.messageQueued(queue.add(MessageTarget.DEFAULT, message));
    }

    private void sendTargeted(final MessageTarget target, final ChannelMessage message) {
        effects.messageQueued(queue.add(target, message));
    }

    private boolean connectionTrusted() {
        return info != null && info.trusted();
    }

    private DecodeContext decodeContext() {
        return phase == ConnectionPhase.CONNECTED
                ? DecodeContext.connected(
                        info.version().version(), info.version().featureFlags())
                : DecodeContext.DISCONNECTED;
    }

    private void note(final String detail) {
        effects.note(new ServerError(ErrorKind.NOTE, detail));
    }

    private static Outcome rejected(final ErrorKind kind, final String detail) {
        return new Outcome.Rejected(new ServerError(kind, detail));
    }

    private static Outcome unknownOffer(final OfferId offer) {
        return rejected(ErrorKind.UNKNOWN_OFFER, "offer " + offer + " (expected: a live offer handle)");
    }

    private static Outcome stray(final Channel ch, final String what) {
        return rejected(
                ErrorKind.STRAY_COMPLETION,
                ch + ": " + what + " completion in state " + ch.state + " matches no outstanding request; ignored");
    }

    // =================================================================================================================
    // Inspection
    // =================================================================================================================

    /**
     * Everything the core holds, as an immutable, deterministic record tree (see {@link ServerSnapshot}).
     *
     * @return the snapshot
     */
    public ServerSnapshot inspect() {
        final ServerSnapshot.ConnectionSnapshot connection = new ServerSnapshot.ConnectionSnapshot(
                phase,
                info != null ? info.version() : null,
                info != null && info.trusted(),
                info != null && info.offersSent(),
                info != null ? info.interruptPage() : 0,
                info != null ? info.monitorPages() : null,
                info != null ? info.targetMessageVp() : 0,
                info != null && info.modifying(),
                info != null ? info.pendingMonitorPages() : null,
                info != null ? info.clientId() : Guid.ZERO,
                info != null && info.paused(),
                nextAction,
                modifySent,
                relayModifyOutstanding,
                defaultVp);
        final List<ServerSnapshot.ChannelSnapshot> channelList = new ArrayList<>(byKey.size());
        final List<ServerSnapshot.GpadlSnapshot> gpadlList = new ArrayList<>(gpadls.size());
        for (final Channel ch : byKey.values()) {
            channelList.add(new ServerSnapshot.ChannelSnapshot(
                    ch.offer.key(),
                    ch.offer,
                    ch.channelId,
                    ch.channelId != 0 ? ConnectionIds.offerConnectionId(ch.channelId, config.vtl()) : 0,
                    ch.state,
                    ch.reserved,
                    ch.request,
                    ch.reopenRequest,
                    ch.monitorId,
                    ch.monitorFromPool,
                    ch.modify,
                    ch.offered,
                    ch.hotAddPending,
                    ch.restoreState));
            for (final Gpadl g : gpadlsOf(ch.offerId)) {
                gpadlList.add(new ServerSnapshot.GpadlSnapshot(
                        ch.offer.key(),
                        ch.channelId,
                        g.gpadlId,
                        g.state,
                        g.rangeCount,
                        g.words.length,
                        g.received,
                        g.data()));
            }
        }
        final List<Integer> monitors = new ArrayList<>();
        for (int id = 0; id < ConnectionIds.MONITOR_ID_COUNT; id++) {
            if ((monitorBits[id >>> 6] & (1L << (id & 63))) != 0) {
                monitors.add(id);
            }
        }
        return new ServerSnapshot(connection, channelList, gpadlList, queue.snapshot(), hvsock, monitors);
    }

    // =================================================================================================================
    // Servicing: save, restore, device claims, revoke unclaimed (docs/saved-state.md; schema in src/main/proto)
    // =================================================================================================================

    /** A restore happened and {@link #revokeUnclaimedChannels()} has not run yet: guest messages wait. */
    private boolean restorePending;

    /**
     * The Copper feature flags this server can negotiate, and so restore (one definition for both: reference B5).
     *
     * @param config the configuration
     * @param trusted whether the connection is trusted (feature 0x10)
     * @return the flags, before any configured mask
     */
    static int supportedFeatureFlags(final ServerConfig config, final boolean trusted) {
        return FeatureFlags.ALWAYS_SUPPORTED
                | (trusted ? FeatureFlags.CONFIDENTIAL_CHANNELS : 0)
                | (config.gpaPinning() ? FeatureFlags.GPA_PINNING : 0);
    }

    /**
     * Saves everything the core holds, in any state: the connection, every channel (released, reserved, opening,
     * closing, revoked...), every GPADL (in-progress ones with their expected length), the outgoing queue (a message
     * being delivered included), outstanding hvsocket requests. Never fails and changes nothing.
     *
     * @return the saved state (wrap it with {@link SavedStateCodec#encode}, or use {@link #save()})
     */
    public SavedServerState saveState() {
        final List<Channel> ordered = new ArrayList<>(byKey.values());
        final List<StateSaver.OwnedGpadl> owned = new ArrayList<>(gpadls.size());
        for (final Channel ch : ordered) {
            for (final Gpadl g : gpadlsOf(ch.offerId)) {
                owned.add(new StateSaver.OwnedGpadl(ch.offer.key(), g));
            }
        }
        return StateSaver.save(new StateSaver.Image(
                phase,
                info,
                nextAction,
                modifySent,
                relayModifyOutstanding,
                defaultVp,
                ordered,
                owned,
                queue.snapshot(),
                hvsock));
    }

    /**
     * Saves everything as a self-describing blob (see {@link #saveState()}).
     *
     * @return the blob
     */
    public byte[] save() {
        return SavedStateCodec.encode(saveState());
    }

    /**
     * Restores a blob with the default {@link RestoreLimits}.
     *
     * @param blob the bytes from {@link #save()}
     * @return restored, or why not (the server is then exactly as before)
     */
    public RestoreResult restore(final byte[] blob) {
        return restore(blob, RestoreLimits.defaults());
    }

    /**
     * Restores a blob into this server, which must be fresh or reset: Disconnected, no GPADLs, no queued messages,
     * channels only offered. Devices may be offered before or after. Then each device claims its channel ({@link
     * #restoreChannel}) and the host calls {@link #revokeUnclaimedChannels()}; guest messages are refused until then.
     *
     * <p>The blob is validated whole before anything changes; a refused blob leaves the server exactly as it was.
     * Requests the old process had outstanding with the host are re-issued through {@link ServerEffects}: the
     * connection's (connect, local state, MODIFY_CONNECTION, disconnect) and every hvsocket request.
     *
     * @param blob the bytes from {@link #save()}
     * @param limits the restore limits
     * @return restored, or why not
     */
    public RestoreResult restore(final byte[] blob, final RestoreLimits limits) {
        return switch (SavedStateCodec.decode(blob, limits, config)) {
            case SavedStateCodec.Decoded.Failed f -> new RestoreResult.Failed(f.error());
            case SavedStateCodec.Decoded.Ok ok -> restore(ok.state(), limits, ok.formatVersion());
        };
    }

    /**
     * Restores an already decoded state (see {@link #restore(byte[], RestoreLimits)}).
     *
     * @param state the state
     * @param limits the restore limits
     * @return restored, or why not
     */
    public RestoreResult restoreState(final SavedServerState state, final RestoreLimits limits) {
        return restore(Objects.requireNonNull(state, "state"), limits, 0);
    }

    private RestoreResult restore(final SavedServerState state, final RestoreLimits limits, final int format) {
        final String notFresh = notFresh();
        if (notFresh != null) {
            return new RestoreResult.Failed(
                    new RestoreError(RestoreErrorKind.NOT_FRESH, notFresh + " (expected: a fresh or reset server)"));
        }
        final StateRestorer.Result r;
        try {
            r = StateRestorer.build(state, config, limits, new java.util.HashMap<>(byKey), nextOfferId);
        } catch (final StateRestorer.Invalid e) {
            return new RestoreResult.Failed(e.error);
        } catch (final RuntimeException e) {
            // Nothing was changed yet; a value no check anticipated must not escape.
            return new RestoreResult.Failed(new RestoreError(RestoreErrorKind.MALFORMED, "saved state: " + e));
        }
        install(r);
        restorePending = true;
        reissueHostRequests();
        return new RestoreResult.Restored(
                format,
                r.restoredChannels(),
                r.awaitingOffer(),
                r.gpadls().size(),
                r.outgoing().size());
    }

    private String notFresh() {
        if (phase != ConnectionPhase.DISCONNECTED
                || !(nextAction instanceof NextAction.None)
                || modifySent
                || relayModifyOutstanding) {
            return "connection " + phase + " next action " + nextAction;
        }
        if (restorePending) {
            return "a restore is already in progress";
        }
        if (!gpadls.isEmpty() || queue.size() != 0 || !hvsock.isEmpty()) {
            return "gpadls=" + gpadls.size() + " queued messages=" + queue.size() + " hvsock requests=" + hvsock.size();
        }
        for (final Channel ch : channels.values()) {
            if (ch.state != ChannelState.CLIENT_RELEASED || ch.restoreState != RestoreState.NEW || ch.hotAddPending) {
                return ch + " restore state " + ch.restoreState;
            }
        }
        return null;
    }

    /** Swaps a validated state in; cannot fail. */
    private void install(final StateRestorer.Result r) {
        phase = r.phase();
        info = r.info();
        nextAction = r.nextAction();
        modifySent = r.modifySent();
        relayModifyOutstanding = r.relayModifyOutstanding();
        defaultVp = r.defaultVp();
        channels.clear();
        byKey.clear();
        java.util.Arrays.fill(byId, null);
        java.util.Arrays.fill(monitorBits, 0L);
        hotAddPendingCount = 0;
        for (final Channel ch : r.channels()) {
            ch.gpadlCount = 0;
            channels.put(ch.offerId, ch);
            byKey.put(ch.offer.key(), ch);
            if (ch.channelId != 0) {
                byId[ch.channelId] = ch;
            }
            if (ch.monitorFromPool && ch.monitorId >= 0) {
                monitorBits[ch.monitorId >>> 6] |= 1L << (ch.monitorId & 63);
            }
            if (ch.hotAddPending) {
                hotAddPendingCount++;
            }
        }
        gpadls.clear();
        inProgress.clear();
        gpadlBytes = 0;
        for (final Gpadl g : r.gpadls()) {
            gpadls.put(new GpadlKey(g.owner, g.gpadlId), g);
            channels.get(g.owner).gpadlCount++;
            gpadlBytes += g.declaredBytes();
            if (g.state == GpadlState.IN_PROGRESS) {
                inProgress.put(g.gpadlId, g);
            }
        }
        hvsock.clear();
        hvsock.addAll(r.hvsock());
        queue.clear();
        queue.resume();
        final boolean paused = phase == ConnectionPhase.CONNECTED && info.paused();
        for (final ServerSnapshot.QueuedMessage m : r.outgoing()) {
            if (m.heldByPause() && !queue.isPaused()) {
                queue.pause();
            }
            effects.messageQueued(queue.add(m.target(), m.message()));
        }
        if (paused && !queue.isPaused()) {
            queue.pause();
        }
        nextOfferId = r.nextOfferId();
    }

    /** The host requests the old process had outstanding (or had applied locally) go to this process's host. */
    private void reissueHostRequests() {
        switch (phase) {
            case CONNECTING ->
                effects.modifyConnection(new ModifyConnectionRequest(
                        info.version(),
                        Update.setOrReset(info.monitorPages()),
                        info.interruptPage() != 0 ? new Update.Set<>(info.interruptPage()) : new Update.Reset<>(),
                        OptionalInt.of(info.targetMessageVp()),
                        true));
            case CONNECTED -> {
                // The host's local state (pages, VP), and the relay only if a MODIFY_CONNECTION was in flight.
                effects.modifyConnection(new ModifyConnectionRequest(
                        null,
                        Update.setOrReset(info.monitorPages()),
                        info.interruptPage() != 0 ? new Update.Set<>(info.interruptPage()) : new Update.Reset<>(),
                        OptionalInt.of(info.targetMessageVp()),
                        false));
                if (relayModifyOutstanding) {
                    effects.modifyConnection(new ModifyConnectionRequest(
                            null,
                            Update.setOrReset(info.pendingMonitorPages()),
                            new Update.Unchanged<>(),
                            OptionalInt.empty(),
                            true));
                }
            }
            case DISCONNECTING -> {
                if (relayModifyOutstanding) {
                    // Its answer is consumed silently (the connection went away); the relay still owes one.
                    effects.modifyConnection(new ModifyConnectionRequest(
                            null, new Update.Unchanged<>(), new Update.Unchanged<>(), OptionalInt.empty(), true));
                }
                if (modifySent) {
                    effects.modifyConnection(ModifyConnectionRequest.disconnect());
                }
            }
            case DISCONNECTED -> {}
        }
        for (final HvsockConnectRequest r : hvsock) {
            effects.hvsockConnect(r);
        }
    }

    /**
     * A device claims its restored channel (reference {@code restore_channel}), saying whether its own restored state
     * has the channel open. The core reconciles: a request the device already carried out is completed (e.g. an open
     * the device finished: OPEN_CHANNEL_RESULT goes out), a request it never saw is re-sent (GPADL creations and
     * teardowns first, then the open or close, then a retarget). Claims of channels that were not in the saved state
     * succeed with nothing to do when not open.
     *
     * @param offer the device's handle
     * @param open whether the device has the channel open
     * @return claimed, with the open parameters and GPADLs the device must hold; or why not (nothing changed)
     */
    public ChannelClaim restoreChannel(final OfferId offer, final boolean open) {
        final Channel ch = offer == null ? null : channels.get(offer);
        if (ch == null || ch.restoreState == RestoreState.UNMATCHED) {
            return claimRejected(RestoreErrorKind.UNKNOWN_OFFER, "offer " + offer + " (expected: a live offer handle)");
        }
        switch (ch.restoreState) {
            case NEW -> {
                return open
                        ? claimRejected(
                                RestoreErrorKind.MISSING_CHANNEL,
                                ch + " is open on the device but not in the saved state (or was reset since)")
                        : new ChannelClaim.Claimed(null, List.of());
            }
            case RESTORED -> {
                return claimRejected(RestoreErrorKind.ALREADY_RESTORED, ch + " was already claimed");
            }
            default -> {}
        }
        final boolean mismatch = switch (ch.state) {
            case CLOSED, CLIENT_RELEASED, REVOKED, REOFFERED -> open;
            case OPEN -> !open;
            default -> false;
        };
        if (mismatch) {
            return claimRejected(
                    RestoreErrorKind.MISMATCHED_OPEN_STATE,
                    ch + ": device open=" + open + " (expected: " + (ch.state == ChannelState.OPEN) + " in state "
                            + ch.state + ")");
        }
        // A claim produces at most one answer the saved process owed.
        if (!restoreRoom(1)) {
            return claimRejected(
                    RestoreErrorKind.QUEUE_FULL, "queued messages=" + queue.size() + " (expected: room for one)");
        }
        ch.restoreState = RestoreState.RESTORED;
        if (ch.state == ChannelState.REVOKED) {
            state(ch, ChannelState.REOFFERED, "its device offered it during servicing");
        }
        final List<RestoredGpadl> handed = new ArrayList<>();
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            if (g.state == GpadlState.IN_PROGRESS) {
                continue;
            }
            final List<GpaRange> ranges =
                    ((GpaRanges.Valid) GpaRanges.parse(g.rangeCount, g.words, 0, g.received)).ranges();
            handed.add(new RestoredGpadl(g.gpadlId, g.rangeCount, g.data(), ranges, g.state));
            switch (g.state) {
                case OFFERED, OFFERED_TEARING_DOWN ->
                    effects.deviceRequest(
                            ch.offerId, new DeviceRequest.CreateGpadl(g.gpadlId, g.rangeCount, g.data(), ranges));
                case TEARING_DOWN ->
                    effects.deviceRequest(ch.offerId, new DeviceRequest.TeardownGpadl(g.gpadlId, true));
                case IN_PROGRESS, ACCEPTED -> {}
            }
        }
        OpenParams params = null;
        switch (ch.state) {
            case OPENING, OPENING_CLIENT_RELEASE -> {
                if (open) {
                    // The device finished the open before the save; its answer was lost with the old process.
                    params = claimedOpen(ch);
                    openCompleted(ch, NtStatus.SUCCESS);
                } else {
                    effects.deviceRequest(ch.offerId, ch.deviceOpen);
                }
            }
            case OPEN -> params = claimedOpen(ch);
            case CLOSING, CLOSING_REOPEN, CLOSING_CLIENT_RELEASE -> {
                if (open) {
                    params = claimedOpen(ch);
                    effects.deviceRequest(ch.offerId, DeviceRequest.CLOSE);
                } else {
                    // The device finished the close before the save (B7: a reserved close is answered at its target).
                    closeCompleted(ch);
                }
            }
            case CLOSED, CLIENT_RELEASED, REVOKED, REOFFERED -> {}
        }
        if (ch.modify != null) {
            effects.deviceRequest(ch.offerId, new DeviceRequest.Modify(ch.modify.inFlightVp()));
        }
        finishInput();
        return new ChannelClaim.Claimed(params, handed);
    }

    /**
     * What a claim hands the device: its open as the guest asked for it, with the target VP a MODIFY_CHANNEL the device
     * confirmed since (the saved open still names the first one, and the host's signals must go to the current one).
     */
    private static OpenParams claimedOpen(final Channel ch) {
        final OpenParams p = ch.deviceOpen.params();
        return ch.request == null ? p : p.withTargetVp(ch.request.targetVp());
    }

    private static ChannelClaim claimRejected(final RestoreErrorKind kind, final String detail) {
        return new ChannelClaim.Rejected(new RestoreError(kind, detail));
    }

    /**
     * Finishes a restore (reference {@code revoke_unclaimed_channels}): a saved channel no device re-offered is
     * revoked (RESCIND if the guest holds it); one whose device re-offered it but did not claim it is rescinded and
     * offered afresh; a device that appeared during servicing is offered to a connection that already enumerated.
     * Then guest messages are accepted again. Does nothing if no restore is pending.
     *
     * @return OK, or {@link ErrorKind#QUEUE_FULL} (deliver messages and call again)
     */
    public Outcome revokeUnclaimedChannels() {
        if (!restorePending) {
            return Outcome.OK;
        }
        int needed = 0;
        for (final Channel ch : channels.values()) {
            needed += switch (ch.restoreState) {
                case RESTORING, UNMATCHED -> revokeMessages(ch);
                case NEW -> 1;
                case RESTORED -> 0;
            };
        }
        if (!restoreRoom(needed)) {
            return queueFull(needed);
        }
        restorePending = false;
        for (final Channel ch : new ArrayList<>(byKey.values())) {
            switch (ch.restoreState) {
                case UNMATCHED -> {
                    if (ch.state == ChannelState.REVOKED) {
                        ch.restoreState = RestoreState.RESTORED;
                    } else {
                        revoke(ch);
                    }
                }
                case RESTORING -> abandonUnclaimed(ch);
                case NEW -> {
                    if (phase == ConnectionPhase.CONNECTED
                            && info.offersSent()
                            && ch.state == ChannelState.CLIENT_RELEASED
                            && ch.gpadlCount == 0
                            && !ch.hotAddPending) {
                        offerToGuest(ch, "offered during servicing");
                    }
                }
                case RESTORED -> {}
            }
        }
        finishInput();
        return Outcome.OK;
    }

    /** A device re-offered its channel but could not restore it: forget the old incarnation, offer the new one. */
    private void abandonUnclaimed(final Channel ch) {
        if (phase == ConnectionPhase.CONNECTED && ch.offered) {
            if (!ch.state.isRevoked()) {
                for (final Gpadl g : gpadlsOf(ch.offerId)) {
                    switch (g.state) {
                        case IN_PROGRESS, ACCEPTED -> {}
                        case OFFERED -> {
                            sendDefault(new GpadlCreated(ch.channelId, g.gpadlId, NtStatus.UNSUCCESSFUL));
                            removeGpadl(g);
                        }
                        case OFFERED_TEARING_DOWN -> removeGpadl(g);
                        case TEARING_DOWN -> {
                            sendDefault(new GpadlTorndown(g.gpadlId));
                            removeGpadl(g);
                        }
                    }
                }
                sendDefault(new RescindChannelOffer(ch.channelId));
                state(ch, ChannelState.REVOKED, "its device could not restore it");
                ch.request = null;
                ch.reopenRequest = null;
            }
            ch.modify = null;
            if (ch.state == ChannelState.REVOKED) {
                state(ch, ChannelState.REOFFERED, "its device offers it afresh");
            }
            ch.restoreState = RestoreState.RESTORED;
            return;
        }
        // Nobody connected holds it (B12): nothing to tell; the device's offer starts afresh.
        for (final Gpadl g : gpadlsOf(ch.offerId)) {
            removeGpadl(g);
        }
        ch.modify = null;
        ch.request = null;
        ch.reopenRequest = null;
        if (!ch.state.isReleased() && !ch.state.isRevoked()) {
            state(ch, ChannelState.REVOKED, "its device could not restore it");
        }
        if (ch.state != ChannelState.CLIENT_RELEASED) {
            state(ch, ChannelState.CLIENT_RELEASED, "its device offers it afresh");
        }
        releaseIds(ch);
        clearHotAdd(ch);
        ch.restoreState = RestoreState.NEW;
        if (phase == ConnectionPhase.CONNECTED && info.offersSent()) {
            offerToGuest(ch, "re-offered after servicing");
        }
    }
}
