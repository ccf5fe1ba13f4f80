package io.jvmbus.server;

import com.google.protobuf.ByteString;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.GpaRanges;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.server.savedstate.SavedChannel;
import io.jvmbus.server.savedstate.SavedConnection;
import io.jvmbus.server.savedstate.SavedConnectionInfo;
import io.jvmbus.server.savedstate.SavedDeviceOpen;
import io.jvmbus.server.savedstate.SavedGpadl;
import io.jvmbus.server.savedstate.SavedHvsockRequest;
import io.jvmbus.server.savedstate.SavedInitiateContact;
import io.jvmbus.server.savedstate.SavedMonitorPages;
import io.jvmbus.server.savedstate.SavedNextAction;
import io.jvmbus.server.savedstate.SavedOffer;
import io.jvmbus.server.savedstate.SavedOfferKey;
import io.jvmbus.server.savedstate.SavedOpenParams;
import io.jvmbus.server.savedstate.SavedOpenRequest;
import io.jvmbus.server.savedstate.SavedQueuedMessage;
import io.jvmbus.server.savedstate.SavedReservedTarget;
import io.jvmbus.server.savedstate.SavedServerState;
import io.jvmbus.server.savedstate.SavedVersionInfo;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Builds a core state from a {@link SavedServerState}, off to the side: every field is validated and every object is
 * new, so {@link ChannelServer} can swap the result in whole, or leave itself untouched when validation fails.
 *
 * <p>Channels the host offered before the restore are matched by offer key: the restored channel keeps the device's
 * handle and offer ({@link RestoreState#RESTORING}); a saved channel nobody offered yet becomes a stub with the saved
 * offer and a new handle ({@link RestoreState#UNMATCHED}). Offered channels that are not in the saved state stay as
 * they are (new devices).
 */
final class StateRestorer {

    /** Decodes queued host-to-guest messages: every version gate open, since the queue may predate the connection. */
    private static final DecodeContext QUEUE_CONTEXT = DecodeContext.connected(latest(), FeatureFlags.ALL_DEFINED);

    private static final int MAX_INTERFACE_NAME = 1024;

    /** GPADL_HEADER's length is a u16 byte count, so a GPADL holds at most this many u64 words. */
    private static final int MAX_GPADL_WORDS = 0xFFFF / 8;

    /**
     * The validated core state, ready to install.
     *
     * @param phase the connection phase
     * @param info the connection data (Connecting, Connected)
     * @param nextAction what happens once disconnected
     * @param modifySent the reset request is out
     * @param relayModifyOutstanding a MODIFY_CONNECTION answer is awaited
     * @param defaultVp the default target's VP
     * @param channels every channel (restored, stubs, and offered channels not in the saved state)
     * @param gpadls every GPADL, owners set to the restored channels' handles
     * @param outgoing the queue, each list in order
     * @param hvsock outstanding hvsocket requests
     * @param nextOfferId the next handle value
     * @param restoredChannels channels from the saved state
     * @param awaitingOffer of them, the stubs no device offered yet
     */
    record Result(
            ConnectionPhase phase,
            ConnectionInfo info,
            NextAction nextAction,
            boolean modifySent,
            boolean relayModifyOutstanding,
            int defaultVp,
            List<Channel> channels,
            List<Gpadl> gpadls,
            List<ServerSnapshot.QueuedMessage> outgoing,
            List<HvsockConnectRequest> hvsock,
            long nextOfferId,
            int restoredChannels,
            int awaitingOffer) {}

    /** A validation failure; never escapes this class. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final transient RestoreError error;

        Invalid(final RestoreErrorKind kind, final String detail) {
            super(detail, null, false, false);
            this.error = new RestoreError(kind, detail);
        }
    }

    private final ServerConfig config;
    private final RestoreLimits limits;
    private final Map<OfferKey, Channel> offered;
    private long nextOfferId;

    private StateRestorer(
            final ServerConfig config,
            final RestoreLimits limits,
            final Map<OfferKey, Channel> offered,
            final long nextOfferId) {
        this.config = config;
        this.limits = limits;
        this.offered = offered;
        this.nextOfferId = nextOfferId;
    }

    /**
     * Validates and builds.
     *
     * @param state the saved state
     * @param config the restoring server's configuration
     * @param limits the restore limits
     * @param offered the channels the host offered so far, by key (all released and New)
     * @param nextOfferId the server's next handle value
     * @return the result
     * @throws Invalid if anything does not validate
     */
    static Result build(
            final SavedServerState state,
            final ServerConfig config,
            final RestoreLimits limits,
            final Map<OfferKey, Channel> offered,
            final long nextOfferId)
            throws Invalid {
        return new StateRestorer(config, limits, offered, nextOfferId).build(state);
    }

    private Result build(final SavedServerState s) throws Invalid {
        if (!s.hasConnection()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "connection missing (expected: present)");
        }
        final SavedConnection c = s.getConnection();
        final ConnectionPhase phase = phase(c);
        final ConnectionInfo info = connectionInfo(c, phase);
        final NextAction nextAction = nextAction(c, phase);
        if (c.getModifySent() && phase != ConnectionPhase.DISCONNECTING) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "modify_sent in " + phase + " (expected: only in " + "DISCONNECTING)");
        }
        final boolean relayOutstanding = c.getRelayModifyOutstanding();
        if (relayOutstanding
                ? !(phase == ConnectionPhase.DISCONNECTING || (phase == ConnectionPhase.CONNECTED && info.modifying()))
                : phase == ConnectionPhase.CONNECTED && info.modifying()) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "relay_modify_outstanding=" + relayOutstanding + " in " + phase + " (expected: true exactly while "
                            + "a MODIFY_CONNECTION is in flight, CONNECTED or DISCONNECTING)");
        }

        // ---- channels
        final int limit = config.channelLimit();
        final List<Channel> channels = new ArrayList<>();
        final Map<OfferKey, Channel> byKey = new HashMap<>();
        final Channel[] byId = new Channel[ConnectionIds.MAX_CHANNEL_ID + 1];
        final boolean[] poolMonitor = new boolean[ConnectionIds.MONITOR_ID_COUNT];
        int awaiting = 0;
        for (final SavedChannel sc : s.getChannelsList()) {
            final Channel ch = channel(sc, phase, byKey, byId, poolMonitor);
            channels.add(ch);
            if (ch.restoreState == RestoreState.UNMATCHED) {
                awaiting++;
            }
        }
        final int restored = channels.size();
        for (final Channel ch : offered.values()) {
            if (!byKey.containsKey(ch.offer.key())) {
                channels.add(ch);
            }
        }
        if (channels.size() > limit) {
            throw new Invalid(
                    RestoreErrorKind.LIMIT_EXCEEDED,
                    "channels=" + channels.size() + " (saved and offered; expected: <= " + limit + ")");
        }

        // ---- GPADLs
        final List<Gpadl> gpadls = gpadls(s, byKey);

        // ---- queue and hvsock
        final List<ServerSnapshot.QueuedMessage> outgoing = outgoing(s, phase, info);
        final List<HvsockConnectRequest> hvsock = hvsock(s, phase);
        return new Result(
                phase,
                info,
                nextAction,
                c.getModifySent(),
                relayOutstanding,
                c.getDefaultTargetVp(),
                channels,
                gpadls,
                outgoing,
                hvsock,
                nextOfferId,
                restored,
                awaiting);
    }

    // =================================================================================================================
    // Connection
    // =================================================================================================================

    private static ConnectionPhase phase(final SavedConnection c) throws Invalid {
        if (!c.hasPhase()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "connection phase missing (expected: present)");
        }
        return ConnectionPhase.ofCode(c.getPhase())
                .orElseThrow(() -> new Invalid(
                        RestoreErrorKind.MALFORMED, "connection phase=" + c.getPhase() + " (expected: 0..3)"));
    }

    private ConnectionInfo connectionInfo(final SavedConnection c, final ConnectionPhase phase) throws Invalid {
        final boolean live = phase == ConnectionPhase.CONNECTING || phase == ConnectionPhase.CONNECTED;
        if (c.hasInfo() != live) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "connection info " + (c.hasInfo() ? "present" : "missing") + " in " + phase
                            + " (expected: present exactly in CONNECTING and CONNECTED)");
        }
        if (!live) {
            return null;
        }
        final SavedConnectionInfo i = c.getInfo();
        if (!i.hasVersion()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "connection version missing (expected: present)");
        }
        final VersionInfo version = connectionVersion(i.getVersion(), i.getTrusted());
        final MonitorPages pages = i.hasMonitorPages() ? monitorPages(i.getMonitorPages(), "monitor_pages") : null;
        final MonitorPages pending =
                i.hasPendingMonitorPages() ? monitorPages(i.getPendingMonitorPages(), "pending_monitor_pages") : null;
        if (pages != null
                && pages.serverAllocated()
                && !(phase == ConnectionPhase.CONNECTED && version.has(FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES))) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "server-allocated monitor pages in " + phase + " with flags 0x"
                            + Integer.toHexString(version.featureFlags())
                            + " (expected: CONNECTED with feature 0x40)");
        }
        if (pending != null && (!i.getModifying() || pending.serverAllocated())) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "pending monitor pages without a MODIFY_CONNECTION in flight (expected: only while modifying)");
        }
        if (phase == ConnectionPhase.CONNECTING && (i.getOffersSent() || i.getModifying() || i.getPaused())) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "CONNECTING with offers_sent=" + i.getOffersSent() + " modifying=" + i.getModifying() + " paused="
                            + i.getPaused() + " (expected: all false before the version is confirmed)");
        }
        if (i.getInterruptPage() != 0 && version.atLeast(ProtocolVersion.WIN8)) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "interrupt page 0x" + Long.toHexString(i.getInterruptPage()) + " with " + version.version()
                            + " (expected: only below Win8)");
        }
        return new ConnectionInfo(
                version,
                i.getTrusted(),
                i.getOffersSent(),
                i.getInterruptPage(),
                pages,
                i.getTargetMessageVp(),
                i.getModifying(),
                pending,
                guid(i.getClientId(), "client_id"),
                i.getPaused());
    }

    private static MonitorPages monitorPages(final SavedMonitorPages p, final String what) throws Invalid {
        if (p.getParentToChild() == 0 || p.getChildToParent() == 0) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    what + " parent_to_child=0x" + Long.toHexString(p.getParentToChild()) + " child_to_parent=0x"
                            + Long.toHexString(p.getChildToParent()) + " (expected: both non-zero)");
        }
        return new MonitorPages(p.getParentToChild(), p.getChildToParent(), p.getServerAllocated());
    }

    /** The connection's version and flags, against the restore ceiling and what this server can honour (B5). */
    private VersionInfo connectionVersion(final SavedVersionInfo v, final boolean trusted) throws Invalid {
        final ProtocolVersion version = knownVersion(v);
        if (version == null || version.compareTo(limits.maxVersion()) > 0) {
            throw new Invalid(
                    RestoreErrorKind.UNSUPPORTED_VERSION,
                    "connection version=0x" + Integer.toHexString(v.getVersion()) + " (expected: one of the 11 "
                            + "versions, at most " + limits.maxVersion() + ")");
        }
        final int allowed = allowedFlags(version, trusted);
        if ((v.getFeatureFlags() & ~allowed) != 0) {
            throw new Invalid(
                    RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS,
                    "connection feature flags=0x" + Integer.toHexString(v.getFeatureFlags()) + " for " + version
                            + " (expected: within 0x" + Integer.toHexString(allowed) + ")");
        }
        return new VersionInfo(version, v.getFeatureFlags());
    }

    /** A reserved channel's version: Win10 or later, flags as for a trusted connection (reference §4.6). */
    private VersionInfo reservedVersion(final SavedVersionInfo v) throws Invalid {
        final ProtocolVersion version = knownVersion(v);
        if (version == null || !version.atLeast(ProtocolVersion.WIN10) || version.compareTo(limits.maxVersion()) > 0) {
            throw new Invalid(
                    RestoreErrorKind.UNSUPPORTED_RESERVE_VERSION,
                    "reserved channel version=0x" + Integer.toHexString(v.getVersion()) + " (expected: Win10.."
                            + limits.maxVersion() + ")");
        }
        final int allowed = allowedFlags(version, true);
        if ((v.getFeatureFlags() & ~allowed) != 0) {
            throw new Invalid(
                    RestoreErrorKind.UNSUPPORTED_RESERVE_FEATURE_FLAGS,
                    "reserved channel feature flags=0x" + Integer.toHexString(v.getFeatureFlags()) + " for " + version
                            + " (expected: within 0x" + Integer.toHexString(allowed) + ")");
        }
        return new VersionInfo(version, v.getFeatureFlags());
    }

    private int allowedFlags(final ProtocolVersion version, final boolean trusted) {
        return version.atLeast(ProtocolVersion.COPPER)
                ? ChannelServer.supportedFeatureFlags(config, trusted) & limits.maxFeatureFlags()
                : 0;
    }

    private static ProtocolVersion knownVersion(final SavedVersionInfo v) {
        return v.hasVersion() ? ProtocolVersion.of(v.getVersion()).orElse(null) : null;
    }

    private static NextAction nextAction(final SavedConnection c, final ConnectionPhase phase) throws Invalid {
        final NextAction action = c.hasNextAction() ? nextAction(c.getNextAction()) : NextAction.NONE;
        final boolean pending = phase == ConnectionPhase.CONNECTING || phase == ConnectionPhase.DISCONNECTING;
        if (!pending && !(action instanceof NextAction.None)) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CONNECTION,
                    "next action " + action + " in " + phase + " (expected: only in CONNECTING or DISCONNECTING)");
        }
        return action;
    }

    private static NextAction nextAction(final SavedNextAction a) throws Invalid {
        return switch (a.getActionCase()) {
            case NONE -> NextAction.NONE;
            case RESET -> NextAction.RESET;
            case SEND_UNLOAD_COMPLETE -> NextAction.SEND_UNLOAD_COMPLETE;
            case RECONNECT -> new NextAction.Reconnect(initiateContact(a.getReconnect()));
            case ACTION_NOT_SET ->
                throw new Invalid(RestoreErrorKind.MALFORMED, "next action without a variant (expected: one)");
        };
    }

    private static InitiateContactRequest initiateContact(final SavedInitiateContact r) throws Invalid {
        final InitiateContactRequest.MonitorPageRequest pages = switch (r.getMonitorPages()
                .getRequestCase()) {
            case NONE -> new InitiateContactRequest.MonitorPageRequest.None();
            case INVALID -> new InitiateContactRequest.MonitorPageRequest.Invalid();
            case SOME -> {
                final SavedMonitorPages p = r.getMonitorPages().getSome();
                if (p.getParentToChild() == 0 || p.getChildToParent() == 0) {
                    throw new Invalid(
                            RestoreErrorKind.MALFORMED,
                            "reconnect monitor pages with a zero GPA (expected: Some has both non-zero)");
                }
                yield new InitiateContactRequest.MonitorPageRequest.Some(p.getParentToChild(), p.getChildToParent());
            }
            case REQUEST_NOT_SET ->
                throw new Invalid(
                        RestoreErrorKind.MALFORMED, "reconnect monitor pages without a variant (expected: one)");
        };
        u8(r.getTargetSint(), "reconnect target_sint");
        u8(r.getTargetVtl(), "reconnect target_vtl");
        return new InitiateContactRequest(
                r.getVersionRequested(),
                r.getTargetMessageVp(),
                pages,
                r.getTargetSint(),
                r.getTargetVtl(),
                r.getFeatureFlags(),
                r.getInterruptPage(),
                guid(r.getClientId(), "reconnect client_id"),
                r.getTrusted());
    }

    // =================================================================================================================
    // Channels
    // =================================================================================================================

    private Channel channel(
            final SavedChannel sc,
            final ConnectionPhase phase,
            final Map<OfferKey, Channel> byKey,
            final Channel[] byId,
            final boolean[] poolMonitor)
            throws Invalid {
        if (!sc.hasKey() || !sc.hasOffer()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "channel without key or offer (expected: both)");
        }
        final OfferKey key = key(sc.getKey());
        if (byKey.containsKey(key)) {
            throw new Invalid(RestoreErrorKind.DUPLICATE_CHANNEL_KEY, "channel " + key + " saved twice");
        }
        final OfferParams savedOffer = offer(key, sc.getOffer());
        if (!sc.hasState()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "channel " + key + ": state missing (expected: present)");
        }
        ChannelState state = ChannelState.ofCode(sc.getState())
                .orElseThrow(() -> new Invalid(
                        RestoreErrorKind.MALFORMED,
                        "channel " + key + ": state=" + sc.getState() + " (expected: 0..9)"));
        // Described only when a check fails: GUID text is costly, and a valid state needs none.
        final Object what = new Where("channel", key, state);

        // ids
        final int id = sc.getChannelId();
        if (state.isReleased() != (id == 0)) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL_ID,
                    what + ": channel id=" + Integer.toUnsignedString(id) + " (expected: 0 exactly in the released "
                            + "states)");
        }
        if (id != 0) {
            if (id < 1 || id > ConnectionIds.MAX_CHANNEL_ID) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_CHANNEL_ID,
                        what + ": channel id=" + Integer.toUnsignedString(id) + " (expected: 1..2047)");
            }
            if (byId[id] != null) {
                throw new Invalid(
                        RestoreErrorKind.DUPLICATE_CHANNEL_ID,
                        what + ": channel id=" + id + " also held by " + byId[id].offer.key());
            }
        }
        int monitorId = -1;
        if (sc.hasMonitorId()) {
            if (state.isReleased() || sc.getMonitorId() >= ConnectionIds.MONITOR_ID_COUNT) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_CHANNEL,
                        what + ": monitor id=" + Integer.toUnsignedString(sc.getMonitorId())
                                + " (expected: 0..127, and none while released)");
            }
            monitorId = sc.getMonitorId();
        }
        if (sc.getMonitorFromPool()) {
            if (monitorId < 0) {
                throw new Invalid(RestoreErrorKind.INVALID_CHANNEL, what + ": monitor_from_pool without a monitor id");
            }
            if (poolMonitor[monitorId]) {
                throw new Invalid(
                        RestoreErrorKind.DUPLICATE_MONITOR_ID,
                        what + ": server-allocated monitor id=" + monitorId + " held twice");
            }
        }
        if (sc.getOffered() && (phase != ConnectionPhase.CONNECTED || state.isReleased())) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL,
                    what + ": offered in " + phase + " (expected: only a channel holding an id while CONNECTED)");
        }
        if (sc.getHotAddPending() && (phase != ConnectionPhase.CONNECTED || !state.isReleased())) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL,
                    what + ": hot_add_pending in " + phase + " (expected: only a released channel while CONNECTED)");
        }

        // what the state carries
        final boolean hasRequest = state == ChannelState.OPENING
                || state == ChannelState.OPEN
                || state == ChannelState.CLOSING
                || state == ChannelState.CLOSING_REOPEN;
        expect(sc.hasRequest() == hasRequest, what, "request", hasRequest);
        expect(sc.hasReopenRequest() == (state == ChannelState.CLOSING_REOPEN), what, "reopen_request", false);
        if (sc.hasReserved() && !state.mayBeReserved()) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL, what + ": reserved (expected: only OPENING, OPEN or CLOSING)");
        }
        final boolean keepsOpen = StateSaver.keepsDeviceOpen(state);
        expect(sc.hasDeviceOpen() == keepsOpen, what, "device_open", keepsOpen);
        if (sc.hasModify() && state.isRevoked()) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL,
                    what + ": a MODIFY_CHANNEL in flight (expected: none once revoked)");
        }

        // match the device's offer
        final Channel existing = offered.get(key);
        final Channel ch;
        if (existing != null) {
            // A revoked (or re-offered) channel's saved id belongs to the old device: the new one may differ.
            if (existing.offer.mnf() instanceof MnfUsage.Relayed r
                    && monitorId >= 0
                    && !sc.getMonitorFromPool()
                    && !state.isRevoked()
                    && r.monitorId() != monitorId) {
                throw new Invalid(
                        RestoreErrorKind.MISMATCHED_MONITOR_ID,
                        what + ": the device offers relayed monitor id=" + r.monitorId() + " (expected: the saved "
                                + monitorId + ")");
            }
            ch = new Channel(existing.offerId, existing.offer);
            ch.restoreState = RestoreState.RESTORING;
            if (state == ChannelState.REVOKED) {
                // The device is back: the guest gets the new offer once it releases the old id.
                state = ChannelState.REOFFERED;
            }
        } else {
            ch = new Channel(new OfferId(nextOfferId++), savedOffer);
            ch.restoreState = RestoreState.UNMATCHED;
        }
        ch.state = state;
        ch.channelId = id;
        ch.monitorId = monitorId;
        ch.monitorFromPool = sc.getMonitorFromPool();
        ch.offered = sc.getOffered();
        ch.hotAddPending = sc.getHotAddPending();
        ch.request = sc.hasRequest() ? openRequest(sc.getRequest(), what) : null;
        ch.reopenRequest = sc.hasReopenRequest() ? openRequest(sc.getReopenRequest(), what) : null;
        if (sc.hasReserved()) {
            if (!sc.getReserved().hasVersion()) {
                throw new Invalid(RestoreErrorKind.MALFORMED, what + ": reserved version missing");
            }
            final VersionInfo rv = reservedVersion(sc.getReserved().getVersion());
            u8(sc.getReserved().getSint(), what);
            ch.reserved = new ReservedState(
                    rv, sc.getReserved().getVp(), sc.getReserved().getSint());
        }
        if (sc.hasModify()) {
            ch.modify = new ModifyState(
                    sc.getModify().getInFlightVp(),
                    sc.getModify().hasPendingVp()
                            ? OptionalInt.of(sc.getModify().getPendingVp())
                            : OptionalInt.empty(),
                    sc.getModify().getStale(),
                    // Older blobs: the client still holds the channel exactly when it is marked offered.
                    sc.getModify().hasAnswerGuest() ? sc.getModify().getAnswerGuest() : sc.getOffered());
        }
        if (sc.hasDeviceOpen()) {
            ch.deviceOpen = deviceOpen(sc.getDeviceOpen(), what);
        }
        byKey.put(key, ch);
        if (id != 0) {
            byId[id] = ch;
        }
        if (ch.monitorFromPool) {
            poolMonitor[monitorId] = true;
        }
        return ch;
    }

    private static void expect(final boolean ok, final Object what, final String field, final boolean wanted)
            throws Invalid {
        if (!ok) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_CHANNEL,
                    what + ": " + field
                            + (wanted
                                    ? " missing (expected: present in this state)"
                                    : " present (expected: absent in this state)"));
        }
    }

    private static OfferKey key(final SavedOfferKey k) throws Invalid {
        if ((k.getSubchannelIndex() & ~0xFFFF) != 0) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED,
                    "subchannel index=" + Integer.toUnsignedString(k.getSubchannelIndex()) + " (expected: 0..65535)");
        }
        return new OfferKey(
                guid(k.getInterfaceId(), "interface_id"),
                guid(k.getInstanceId(), "instance_id"),
                k.getSubchannelIndex());
    }

    private static OfferParams offer(final OfferKey key, final SavedOffer o) throws Invalid {
        if (o.getInterfaceName().length() > MAX_INTERFACE_NAME) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED,
                    "channel " + key + ": interface name length="
                            + o.getInterfaceName().length() + " (expected: <= " + MAX_INTERFACE_NAME + ")");
        }
        final MnfUsage mnf = switch (o.getMnf().getUsageCase()) {
            case DISABLED, USAGE_NOT_SET -> MnfUsage.DISABLED;
            case ENABLED_LATENCY_NANOS -> {
                if (o.getMnf().getEnabledLatencyNanos() < 0) {
                    throw new Invalid(RestoreErrorKind.MALFORMED, "channel " + key + ": negative MNF latency");
                }
                yield new MnfUsage.Enabled(o.getMnf().getEnabledLatencyNanos());
            }
            case RELAYED_MONITOR_ID -> {
                if (o.getMnf().getRelayedMonitorId() >= ConnectionIds.MONITOR_ID_COUNT) {
                    throw new Invalid(
                            RestoreErrorKind.MALFORMED,
                            "channel " + key + ": relayed monitor id="
                                    + Integer.toUnsignedString(o.getMnf().getRelayedMonitorId())
                                    + " (expected: 0..127)");
                }
                yield new MnfUsage.Relayed(o.getMnf().getRelayedMonitorId());
            }
        };
        try {
            return new OfferParams(
                    o.getInterfaceName(),
                    key.interfaceId(),
                    key.instanceId(),
                    key.subchannelIndex(),
                    o.getMmioMegabytes(),
                    o.getMmioMegabytesOptional(),
                    mnf,
                    o.getOfferOrder(),
                    o.getFlags(),
                    Blob.of(o.getUserDefined().toByteArray()));
        } catch (final IllegalArgumentException e) {
            throw new Invalid(RestoreErrorKind.MALFORMED, "channel " + key + ": offer " + e.getMessage());
        }
    }

    private static OpenRequest openRequest(final SavedOpenRequest r, final Object what) throws Invalid {
        userData(r.getUserData(), what);
        return new OpenRequest(
                r.getOpenId(),
                r.getRingBufferGpadlId(),
                r.getTargetVp(),
                r.getDownstreamRingBufferPageOffset(),
                Blob.of(r.getUserData().toByteArray()),
                r.hasGuestSignal()
                        ? new OpenRequest.SignalInfo(
                                r.getGuestSignal().getEventFlag(),
                                r.getGuestSignal().getConnectionId())
                        : null,
                r.getFlags());
    }

    private DeviceRequest.Open deviceOpen(final SavedDeviceOpen d, final Object what) throws Invalid {
        if (!d.hasParams() || !d.hasVersion()) {
            throw new Invalid(RestoreErrorKind.MALFORMED, what + ": device open without params or version");
        }
        final SavedOpenParams p = d.getParams();
        final ProtocolVersion v = knownVersion(d.getVersion());
        if (v == null || (!v.atLeast(ProtocolVersion.COPPER) && d.getVersion().getFeatureFlags() != 0)) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED,
                    what + ": device open version=0x"
                            + Integer.toHexString(d.getVersion().getVersion())
                            + " flags=0x" + Integer.toHexString(d.getVersion().getFeatureFlags())
                            + " (expected: a known version, flags only from Copper)");
        }
        userData(p.getUserData(), what);
        if (p.hasMonitorId() && p.getMonitorId() >= ConnectionIds.MONITOR_ID_COUNT) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED,
                    what + ": device open monitor id=" + Integer.toUnsignedString(p.getMonitorId())
                            + " (expected: 0..127)");
        }
        if (p.getMonitorLatencyNanos() < 0) {
            throw new Invalid(RestoreErrorKind.MALFORMED, what + ": negative MNF latency in the device open");
        }
        return new DeviceRequest.Open(
                new OpenParams(
                        p.getChannelId(),
                        p.getOpenId(),
                        p.getRingBufferGpadlId(),
                        p.getTargetVp(),
                        p.getDownstreamRingBufferPageOffset(),
                        Blob.of(p.getUserData().toByteArray()),
                        p.getEventFlag(),
                        p.getConnectionId(),
                        p.hasMonitorId()
                                ? new OpenParams.MonitorInfo(p.getMonitorId(), p.getMonitorLatencyNanos())
                                : null,
                        p.getFlags(),
                        p.hasReservedTarget() ? reservedTarget(p.getReservedTarget(), what) : null,
                        p.getConfidentialRing(),
                        p.getConfidentialExternalMemory(),
                        p.getExternalMemoryPinned()),
                new VersionInfo(v, d.getVersion().getFeatureFlags()));
    }

    private static MessageTarget.Reserved reservedTarget(final SavedReservedTarget t, final Object what)
            throws Invalid {
        u8(t.getSint(), what);
        return new MessageTarget.Reserved(t.getChannelId(), t.getVp(), t.getSint());
    }

    private static void userData(final ByteString data, final Object what) throws Invalid {
        if (data.size() != ChannelMessage.USER_DEFINED_SIZE) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED,
                    what + ": user data length=" + data.size() + " (expected: " + ChannelMessage.USER_DEFINED_SIZE
                            + ")");
        }
    }

    // =================================================================================================================
    // GPADLs
    // =================================================================================================================

    private List<Gpadl> gpadls(final SavedServerState s, final Map<OfferKey, Channel> byKey) throws Invalid {
        final List<Gpadl> out = new ArrayList<>(s.getGpadlsCount());
        final Set<GpadlKey> seen = new HashSet<>();
        final Set<Integer> inProgress = new HashSet<>();
        final Map<OfferId, Integer> perChannel = new HashMap<>();
        long bytes = 0;
        for (final SavedGpadl sg : s.getGpadlsList()) {
            if (!sg.hasChannel() || !sg.hasGpadlId() || !sg.hasState()) {
                throw new Invalid(
                        RestoreErrorKind.MALFORMED, "gpadl without channel, id or state (expected: all three)");
            }
            final OfferKey key = key(sg.getChannel());
            final Object what =
                    new Where("gpadl " + Integer.toUnsignedString(sg.getGpadlId()) + " of channel", key, null);
            final Channel ch = byKey.get(key);
            if (ch == null) {
                throw new Invalid(
                        RestoreErrorKind.UNKNOWN_GPADL_CHANNEL, what + ": no such channel in the saved state");
            }
            final GpadlState state = GpadlState.ofCode(sg.getState())
                    .orElseThrow(() -> new Invalid(
                            RestoreErrorKind.MALFORMED, what + ": state=" + sg.getState() + " (expected: 1..5)"));
            final int expected = sg.getExpectedWords();
            final int received = sg.getWordsCount();
            if (Integer.compareUnsigned(expected, MAX_GPADL_WORDS) > 0) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_GPADL,
                        what + ": expected words=" + Integer.toUnsignedString(expected) + " (expected: <= "
                                + MAX_GPADL_WORDS + ")");
            }
            if ((state == GpadlState.IN_PROGRESS) ? received >= expected : received != expected) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_GPADL,
                        what + " (" + state + "): received words=" + received + " of " + expected
                                + " (expected: fewer while in progress, all otherwise)");
            }
            if (ch.state.isReleased() && state != GpadlState.TEARING_DOWN && state != GpadlState.OFFERED_TEARING_DOWN) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_GPADL,
                        what + " (" + state + ") on a released channel (expected: only tearing down)");
            }
            if (!ch.state.isReleased() && state == GpadlState.OFFERED_TEARING_DOWN) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_GPADL,
                        what + " (" + state + ") on " + ch.state + " channel (expected: only on a released one)");
            }
            if (ch.state.isRevoked() && state != GpadlState.IN_PROGRESS && state != GpadlState.ACCEPTED) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_GPADL,
                        what + " (" + state + ") on a revoked channel (expected: in progress or accepted)");
            }
            if (!seen.add(new GpadlKey(ch.offerId, sg.getGpadlId()))) {
                throw new Invalid(RestoreErrorKind.DUPLICATE_GPADL_ID, what + ": saved twice for the channel");
            }
            if (state == GpadlState.IN_PROGRESS && !inProgress.add(sg.getGpadlId())) {
                throw new Invalid(
                        RestoreErrorKind.DUPLICATE_GPADL_ID,
                        what + ": another GPADL with this id is in progress (expected: unique while in progress)");
            }
            final int count = perChannel.merge(ch.offerId, 1, Integer::sum);
            if (count > config.maxGpadlsPerChannel()) {
                throw new Invalid(
                        RestoreErrorKind.LIMIT_EXCEEDED,
                        "channel " + key + ": gpadls=" + count + " (expected: <= " + config.maxGpadlsPerChannel()
                                + ")");
            }
            bytes += expected * 8L;
            if (bytes > config.maxGpadlBytesTotal()) {
                throw new Invalid(
                        RestoreErrorKind.LIMIT_EXCEEDED,
                        "gpadl bytes=" + bytes + " (expected: <= " + config.maxGpadlBytesTotal() + ")");
            }
            final Gpadl g = new Gpadl(ch.offerId, sg.getGpadlId(), sg.getRangeCount(), expected);
            for (int i = 0; i < received; i++) {
                g.words[i] = sg.getWords(i);
            }
            g.received = received;
            g.state = state;
            if (state != GpadlState.IN_PROGRESS) {
                checkRanges(g, what);
            }
            out.add(g);
        }
        return out;
    }

    private void checkRanges(final Gpadl g, final Object what) throws Invalid {
        final GpaRanges.Result parsed = GpaRanges.parse(g.rangeCount, g.words, 0, g.received);
        if (parsed instanceof GpaRanges.Invalid invalid) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_GPADL,
                    what + ": " + invalid.error().describe());
        }
        long pages = 0;
        for (final GpaRange r : ((GpaRanges.Valid) parsed).ranges()) {
            pages += r.pageCount();
        }
        if (pages > config.maxGpadlPages()) {
            throw new Invalid(
                    RestoreErrorKind.LIMIT_EXCEEDED,
                    what + ": pages=" + pages + " (expected: <= " + config.maxGpadlPages() + ")");
        }
    }

    // =================================================================================================================
    // Queue and hvsock
    // =================================================================================================================

    private static List<ServerSnapshot.QueuedMessage> outgoing(
            final SavedServerState s, final ConnectionPhase phase, final ConnectionInfo info) throws Invalid {
        final List<ServerSnapshot.QueuedMessage> targeted = new ArrayList<>();
        final List<ServerSnapshot.QueuedMessage> defaults = new ArrayList<>();
        final boolean paused = phase == ConnectionPhase.CONNECTED && info.paused();
        boolean holding = false;
        int index = 0;
        for (final SavedQueuedMessage m : s.getOutgoingList()) {
            final String what = "queued message " + index++;
            final MessageTarget target = target(m, what);
            final byte[] raw = m.getMessage().toByteArray();
            final DecodeResult decoded = MessageCodec.decode(raw, Direction.HOST_TO_GUEST, QUEUE_CONTEXT);
            if (decoded instanceof DecodeResult.Failed f) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_MESSAGE,
                        what + ": " + f.error().describe() + " (expected: a host-to-guest message)");
            }
            final ChannelMessage message = ((DecodeResult.Decoded) decoded).message();
            if (m.getHeldByPause()) {
                if (!target.isDefault() || !paused) {
                    throw new Invalid(
                            RestoreErrorKind.INVALID_MESSAGE,
                            what + ": held by a pause (expected: only default-target messages while paused)");
                }
                holding = true;
            } else if (holding && target.isDefault()) {
                throw new Invalid(
                        RestoreErrorKind.INVALID_MESSAGE,
                        what + ": not held after a held one (expected: the held messages end the default queue)");
            }
            (target.isDefault() ? defaults : targeted)
                    .add(new ServerSnapshot.QueuedMessage(target, message, m.getHeldByPause()));
        }
        final List<ServerSnapshot.QueuedMessage> out = new ArrayList<>(targeted);
        out.addAll(defaults);
        return out;
    }

    private static MessageTarget target(final SavedQueuedMessage m, final Object what) throws Invalid {
        return switch (m.getTarget().getTargetCase()) {
            case DEFAULT_TARGET -> MessageTarget.DEFAULT;
            case RESERVED -> reservedTarget(m.getTarget().getReserved(), what);
            case CUSTOM -> {
                u8(m.getTarget().getCustom().getSint(), what);
                yield new MessageTarget.Custom(
                        m.getTarget().getCustom().getVp(),
                        m.getTarget().getCustom().getSint());
            }
            case TARGET_NOT_SET ->
                throw new Invalid(RestoreErrorKind.INVALID_MESSAGE, what + ": no target (expected: one)");
        };
    }

    private static List<HvsockConnectRequest> hvsock(final SavedServerState s, final ConnectionPhase phase)
            throws Invalid {
        if (s.getHvsockRequestsCount() > 0 && phase != ConnectionPhase.CONNECTED) {
            throw new Invalid(
                    RestoreErrorKind.INVALID_HVSOCK_REQUEST,
                    "hvsock requests=" + s.getHvsockRequestsCount() + " in " + phase + " (expected: only while "
                            + "CONNECTED)");
        }
        final List<HvsockConnectRequest> out = new ArrayList<>(s.getHvsockRequestsCount());
        for (final SavedHvsockRequest r : s.getHvsockRequestsList()) {
            try {
                out.add(new HvsockConnectRequest(
                        guid(r.getServiceId(), "hvsock service_id"),
                        guid(r.getEndpointId(), "hvsock endpoint_id"),
                        guid(r.getSiloId(), "hvsock silo_id"),
                        r.getHostedSiloUnaware()));
            } catch (final Invalid e) {
                throw new Invalid(RestoreErrorKind.INVALID_HVSOCK_REQUEST, e.error.detail());
            }
        }
        return out;
    }

    // =================================================================================================================
    // Scalars
    // =================================================================================================================

    private static Guid guid(final ByteString bytes, final String what) throws Invalid {
        if (bytes.size() != Guid.SIZE) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED, what + " length=" + bytes.size() + " (expected: " + Guid.SIZE + ")");
        }
        return Guid.read(ByteBuffer.wrap(bytes.toByteArray()), 0);
    }

    private static void u8(final int value, final Object what) throws Invalid {
        if ((value & ~0xFF) != 0) {
            throw new Invalid(
                    RestoreErrorKind.MALFORMED, what + "=" + Integer.toUnsignedString(value) + " (expected: 0..255)");
        }
    }

    /** Names a saved item in an error message; formatted only when a message is built. */
    private record Where(String kind, OfferKey key, ChannelState state) {
        @Override
        public String toString() {
            return kind + " " + key + (state == null ? "" : " (" + state + ")");
        }
    }

    private static ProtocolVersion latest() {
        final ProtocolVersion[] all = ProtocolVersion.values();
        return all[all.length - 1];
    }
}
