package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, deterministic picture of everything the core holds, from {@link ChannelServer#inspect()}. Two servers
 * in the same state produce equal snapshots: lists are ordered by offer key (channels), by (offer key, unsigned GPADL
 * id) (GPADLs) and by queue order (messages), and no handle or sequence number that depends on the history appears.
 *
 * @param connection the connection
 * @param channels every channel, ordered by offer key
 * @param gpadls every GPADL, ordered by channel key then unsigned GPADL id
 * @param outgoing the outgoing queue: targeted messages first, then default-target ones, each in order
 * @param hvsockRequests outstanding hvsock connect requests, oldest first
 * @param monitorIdsInUse the server-allocated monitor ids in use, ascending
 */
public record ServerSnapshot(
        ConnectionSnapshot connection,
        List<ChannelSnapshot> channels,
        List<GpadlSnapshot> gpadls,
        List<QueuedMessage> outgoing,
        List<HvsockConnectRequest> hvsockRequests,
        List<Integer> monitorIdsInUse) {

    /** Copies the lists. */
    public ServerSnapshot {
        Objects.requireNonNull(connection, "connection");
        channels = List.copyOf(channels);
        gpadls = List.copyOf(gpadls);
        outgoing = List.copyOf(outgoing);
        hvsockRequests = List.copyOf(hvsockRequests);
        monitorIdsInUse = List.copyOf(monitorIdsInUse);
    }

    /**
     * The connection.
     *
     * @param phase the state
     * @param version the negotiated version (Connecting, Connected), else {@code null}
     * @param trusted established by a trusted message
     * @param offersSent REQUEST_OFFERS was handled
     * @param interruptPage the pre-Win8 interrupt page, 0 if none
     * @param monitorPages the monitor pages in force, or {@code null}
     * @param targetMessageVp the VP of the connection (Connecting, Connected), else 0
     * @param modifying a MODIFY_CONNECTION is in flight
     * @param pendingMonitorPages the pages that MODIFY_CONNECTION asks for, or {@code null}
     * @param clientId the client GUID (zero if none)
     * @param paused the guest paused host messages
     * @param nextAction what happens once disconnected (Connecting, Disconnecting), else None
     * @param modifySent (Disconnecting) the reset request was sent and its answer is awaited
     * @param relayModifyOutstanding a MODIFY_CONNECTION request's answer is still expected from the host
     * @param defaultTargetVp the VP default-target messages currently go to
     */
    public record ConnectionSnapshot(
            ConnectionPhase phase,
            VersionInfo version,
            boolean trusted,
            boolean offersSent,
            long interruptPage,
            MonitorPages monitorPages,
            int targetMessageVp,
            boolean modifying,
            MonitorPages pendingMonitorPages,
            Guid clientId,
            boolean paused,
            NextAction nextAction,
            boolean modifySent,
            boolean relayModifyOutstanding,
            int defaultTargetVp) {}

    /**
     * One channel.
     *
     * @param key the offer key
     * @param offer the device's offer
     * @param channelId the channel id, 0 while released
     * @param connectionId the connection id its offer carries, 0 while released
     * @param state the state
     * @param reserved the reserved attribute (Opening, Open, Closing of a reserved channel), else {@code null}
     * @param openRequest the open request (Opening) or parameters (Open, Closing, ClosingReopen), else {@code null}
     * @param reopenRequest the re-open request of ClosingReopen, else {@code null}
     * @param monitorId the monitor id, -1 if none
     * @param monitorFromPool the monitor id came from the server's allocator (MNF Enabled when the id was assigned; a
     *     re-offered channel keeps its old incarnation's id until the guest releases it)
     * @param modify an unanswered MODIFY_CHANNEL, or {@code null}
     * @param offeredToConnection the current connection was sent its offer (the guest holds the id)
     * @param hotAddPending (B21) it will be offered to the current connection once fully released
     * @param restoreState the restore state
     */
    public record ChannelSnapshot(
            OfferKey key,
            OfferParams offer,
            int channelId,
            int connectionId,
            ChannelState state,
            ReservedState reserved,
            OpenRequest openRequest,
            OpenRequest reopenRequest,
            int monitorId,
            boolean monitorFromPool,
            ModifyState modify,
            boolean offeredToConnection,
            boolean hotAddPending,
            RestoreState restoreState) {

        /**
         * The state's name with the reserved variant spelled out, e.g. {@code OPEN_RESERVED}.
         *
         * @return the name
         */
        public String stateName() {
            return reserved == null ? state.name() : state.name() + "_RESERVED";
        }
    }

    /**
     * One GPADL.
     *
     * @param channel the owning channel's key
     * @param channelId the owning channel's id (0 if released)
     * @param gpadlId the guest's id
     * @param state the state
     * @param rangeCount the ranges the header declared
     * @param expectedWords the u64 words the header's length declared ({@code len / 8})
     * @param receivedWords the words received so far
     * @param data the received words
     */
    public record GpadlSnapshot(
            OfferKey channel,
            int channelId,
            int gpadlId,
            GpadlState state,
            int rangeCount,
            int expectedWords,
            int receivedWords,
            Blob data) {}

    /**
     * A queued message.
     *
     * @param target where it goes
     * @param message the message
     * @param heldByPause a default-target message queued after PAUSE_RESPONSE, held until RESUME
     */
    public record QueuedMessage(MessageTarget target, ChannelMessage message, boolean heldByPause) {}

    /**
     * The channel with this key.
     *
     * @param key the key
     * @return the channel, or {@code null}
     */
    public ChannelSnapshot channel(final OfferKey key) {
        for (final ChannelSnapshot c : channels) {
            if (c.key().equals(key)) {
                return c;
            }
        }
        return null;
    }

    /**
     * The channel holding this id.
     *
     * @param channelId the id
     * @return the channel, or {@code null}
     */
    public ChannelSnapshot channelById(final int channelId) {
        for (final ChannelSnapshot c : channels) {
            if (channelId != 0 && c.channelId() == channelId) {
                return c;
            }
        }
        return null;
    }
}
