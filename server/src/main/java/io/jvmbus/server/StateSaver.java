package io.jvmbus.server;

import com.google.protobuf.ByteString;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.server.savedstate.SavedChannel;
import io.jvmbus.server.savedstate.SavedConnection;
import io.jvmbus.server.savedstate.SavedConnectionInfo;
import io.jvmbus.server.savedstate.SavedCustomTarget;
import io.jvmbus.server.savedstate.SavedDeviceOpen;
import io.jvmbus.server.savedstate.SavedEmpty;
import io.jvmbus.server.savedstate.SavedGpadl;
import io.jvmbus.server.savedstate.SavedHvsockRequest;
import io.jvmbus.server.savedstate.SavedInitiateContact;
import io.jvmbus.server.savedstate.SavedMnf;
import io.jvmbus.server.savedstate.SavedModifyState;
import io.jvmbus.server.savedstate.SavedMonitorPageRequest;
import io.jvmbus.server.savedstate.SavedMonitorPages;
import io.jvmbus.server.savedstate.SavedNextAction;
import io.jvmbus.server.savedstate.SavedOffer;
import io.jvmbus.server.savedstate.SavedOfferKey;
import io.jvmbus.server.savedstate.SavedOpenParams;
import io.jvmbus.server.savedstate.SavedOpenRequest;
import io.jvmbus.server.savedstate.SavedQueuedMessage;
import io.jvmbus.server.savedstate.SavedReservedState;
import io.jvmbus.server.savedstate.SavedReservedTarget;
import io.jvmbus.server.savedstate.SavedServerState;
import io.jvmbus.server.savedstate.SavedSignalInfo;
import io.jvmbus.server.savedstate.SavedTarget;
import io.jvmbus.server.savedstate.SavedVersionInfo;
import java.util.List;

/**
 * Writes the core's state as a {@link SavedServerState}: one model for every connection phase. Only {@link
 * ChannelServer} calls it, with its own fields. The output is canonical: two cores in the same state (as {@link
 * ChannelServer#inspect()} shows it) save the same bytes, whatever their history.
 */
final class StateSaver {

    private static final SavedEmpty EMPTY = SavedEmpty.getDefaultInstance();

    private StateSaver() {}

    /** The core's fields, in the order the saved state lists them. */
    record Image(
            ConnectionPhase phase,
            ConnectionInfo info,
            NextAction nextAction,
            boolean modifySent,
            boolean relayModifyOutstanding,
            int defaultVp,
            List<Channel> channelsByKey,
            List<OwnedGpadl> gpadlsByKey,
            List<ServerSnapshot.QueuedMessage> outgoing,
            List<HvsockConnectRequest> hvsock) {}

    /**
     * A GPADL with its channel's key (GPADLs are saved by key: a released channel has no id but may own GPADLs).
     *
     * @param channel the owner's key
     * @param gpadl the GPADL
     */
    record OwnedGpadl(OfferKey channel, Gpadl gpadl) {}

    static SavedServerState save(final Image image) {
        final SavedServerState.Builder s = SavedServerState.newBuilder();
        final SavedConnection.Builder c = SavedConnection.newBuilder()
                .setPhase(image.phase().code())
                .setModifySent(image.modifySent())
                .setRelayModifyOutstanding(image.relayModifyOutstanding())
                .setDefaultTargetVp(image.defaultVp());
        if (image.info() != null) {
            c.setInfo(info(image.info()));
        }
        if (!(image.nextAction() instanceof NextAction.None)) {
            c.setNextAction(nextAction(image.nextAction()));
        }
        s.setConnection(c);
        for (final Channel ch : image.channelsByKey()) {
            s.addChannels(channel(ch));
        }
        for (final OwnedGpadl g : image.gpadlsByKey()) {
            s.addGpadls(gpadl(g.channel(), g.gpadl()));
        }
        for (final ServerSnapshot.QueuedMessage m : image.outgoing()) {
            s.addOutgoing(SavedQueuedMessage.newBuilder()
                    .setTarget(target(m.target()))
                    .setMessage(ByteString.copyFrom(MessageCodec.encode(m.message())))
                    .setHeldByPause(m.heldByPause()));
        }
        for (final HvsockConnectRequest r : image.hvsock()) {
            s.addHvsockRequests(SavedHvsockRequest.newBuilder()
                    .setServiceId(guid(r.serviceId()))
                    .setEndpointId(guid(r.endpointId()))
                    .setSiloId(guid(r.siloId()))
                    .setHostedSiloUnaware(r.hostedSiloUnaware()));
        }
        return s.build();
    }

    private static SavedConnectionInfo info(final ConnectionInfo info) {
        final SavedConnectionInfo.Builder b = SavedConnectionInfo.newBuilder()
                .setVersion(version(info.version()))
                .setTrusted(info.trusted())
                .setOffersSent(info.offersSent())
                .setInterruptPage(info.interruptPage())
                .setTargetMessageVp(info.targetMessageVp())
                .setModifying(info.modifying())
                .setClientId(guid(info.clientId()))
                .setPaused(info.paused());
        if (info.monitorPages() != null) {
            b.setMonitorPages(pages(info.monitorPages()));
        }
        if (info.pendingMonitorPages() != null) {
            b.setPendingMonitorPages(pages(info.pendingMonitorPages()));
        }
        return b.build();
    }

    static SavedVersionInfo version(final VersionInfo v) {
        return SavedVersionInfo.newBuilder()
                .setVersion(v.version().code())
                .setFeatureFlags(v.featureFlags())
                .build();
    }

    private static SavedMonitorPages pages(final MonitorPages p) {
        return SavedMonitorPages.newBuilder()
                .setParentToChild(p.parentToChild())
                .setChildToParent(p.childToParent())
                .setServerAllocated(p.serverAllocated())
                .build();
    }

    private static SavedNextAction nextAction(final NextAction action) {
        final SavedNextAction.Builder b = SavedNextAction.newBuilder();
        switch (action) {
            case NextAction.None n -> b.setNone(EMPTY);
            case NextAction.Reset r -> b.setReset(EMPTY);
            case NextAction.SendUnloadComplete u -> b.setSendUnloadComplete(EMPTY);
            case NextAction.Reconnect r -> b.setReconnect(initiateContact(r.request()));
        }
        return b.build();
    }

    private static SavedInitiateContact initiateContact(final InitiateContactRequest r) {
        final SavedMonitorPageRequest.Builder pages = SavedMonitorPageRequest.newBuilder();
        switch (r.monitorPages()) {
            case InitiateContactRequest.MonitorPageRequest.None n -> pages.setNone(EMPTY);
            case InitiateContactRequest.MonitorPageRequest.Invalid i -> pages.setInvalid(EMPTY);
            case InitiateContactRequest.MonitorPageRequest.Some p ->
                pages.setSome(SavedMonitorPages.newBuilder()
                        .setParentToChild(p.parentToChild())
                        .setChildToParent(p.childToParent()));
        }
        return SavedInitiateContact.newBuilder()
                .setVersionRequested(r.versionRequested())
                .setTargetMessageVp(r.targetMessageVp())
                .setMonitorPages(pages)
                .setTargetSint(r.targetSint())
                .setTargetVtl(r.targetVtl())
                .setFeatureFlags(r.featureFlags())
                .setInterruptPage(r.interruptPage())
                .setClientId(guid(r.clientId()))
                .setTrusted(r.trusted())
                .build();
    }

    static SavedOfferKey key(final OfferKey key) {
        return SavedOfferKey.newBuilder()
                .setInterfaceId(guid(key.interfaceId()))
                .setInstanceId(guid(key.instanceId()))
                .setSubchannelIndex(key.subchannelIndex())
                .build();
    }

    private static SavedOffer offer(final OfferParams o) {
        final SavedMnf.Builder mnf = SavedMnf.newBuilder();
        switch (o.mnf()) {
            case MnfUsage.Disabled d -> mnf.setDisabled(EMPTY);
            case MnfUsage.Enabled e -> mnf.setEnabledLatencyNanos(e.latencyNanos());
            case MnfUsage.Relayed r -> mnf.setRelayedMonitorId(r.monitorId());
        }
        return SavedOffer.newBuilder()
                .setInterfaceName(o.interfaceName())
                .setMmioMegabytes(o.mmioMegabytes())
                .setMmioMegabytesOptional(o.mmioMegabytesOptional())
                .setMnf(mnf)
                .setOfferOrder(o.offerOrder())
                .setFlags(o.flags())
                .setUserDefined(ByteString.copyFrom(o.userDefined().toArray()))
                .build();
    }

    /** States in which the device holds, or is being asked for, an open: the saved state keeps the Open as sent. */
    static boolean keepsDeviceOpen(final ChannelState state) {
        return switch (state) {
            case OPENING, OPEN, CLOSING, CLOSING_REOPEN, OPENING_CLIENT_RELEASE, CLOSING_CLIENT_RELEASE -> true;
            case CLIENT_RELEASED, CLOSED, REVOKED, REOFFERED -> false;
        };
    }

    private static SavedChannel channel(final Channel ch) {
        final SavedChannel.Builder b = SavedChannel.newBuilder()
                .setKey(key(ch.offer.key()))
                .setOffer(offer(ch.offer))
                .setState(ch.state.code())
                .setChannelId(ch.channelId)
                .setMonitorFromPool(ch.monitorFromPool)
                .setOffered(ch.offered)
                .setHotAddPending(ch.hotAddPending);
        if (ch.monitorId >= 0) {
            b.setMonitorId(ch.monitorId);
        }
        if (ch.request != null) {
            b.setRequest(openRequest(ch.request));
        }
        if (ch.reopenRequest != null) {
            b.setReopenRequest(openRequest(ch.reopenRequest));
        }
        if (ch.reserved != null) {
            b.setReserved(SavedReservedState.newBuilder()
                    .setVersion(version(ch.reserved.version()))
                    .setVp(ch.reserved.vp())
                    .setSint(ch.reserved.sint()));
        }
        if (ch.modify != null) {
            final SavedModifyState.Builder m = SavedModifyState.newBuilder()
                    .setInFlightVp(ch.modify.inFlightVp())
                    .setStale(ch.modify.stale())
                    .setAnswerGuest(ch.modify.answerGuest());
            ch.modify.pendingVp().ifPresent(m::setPendingVp);
            b.setModify(m);
        }
        if (ch.deviceOpen != null && keepsDeviceOpen(ch.state)) {
            b.setDeviceOpen(deviceOpen(ch.deviceOpen));
        }
        return b.build();
    }

    private static SavedOpenRequest openRequest(final OpenRequest r) {
        final SavedOpenRequest.Builder b = SavedOpenRequest.newBuilder()
                .setOpenId(r.openId())
                .setRingBufferGpadlId(r.ringBufferGpadlId())
                .setTargetVp(r.targetVp())
                .setDownstreamRingBufferPageOffset(r.downstreamRingBufferPageOffset())
                .setUserData(ByteString.copyFrom(r.userData().toArray()))
                .setFlags(r.flags());
        if (r.guestSignal() != null) {
            b.setGuestSignal(SavedSignalInfo.newBuilder()
                    .setEventFlag(r.guestSignal().eventFlag())
                    .setConnectionId(r.guestSignal().connectionId()));
        }
        return b.build();
    }

    private static SavedDeviceOpen deviceOpen(final DeviceRequest.Open open) {
        final OpenParams p = open.params();
        final SavedOpenParams.Builder b = SavedOpenParams.newBuilder()
                .setChannelId(p.channelId())
                .setOpenId(p.openId())
                .setRingBufferGpadlId(p.ringBufferGpadlId())
                .setTargetVp(p.targetVp())
                .setDownstreamRingBufferPageOffset(p.downstreamRingBufferPageOffset())
                .setUserData(ByteString.copyFrom(p.userData().toArray()))
                .setEventFlag(p.eventFlag())
                .setConnectionId(p.connectionId())
                .setFlags(p.flags())
                .setConfidentialRing(p.confidentialRing())
                .setConfidentialExternalMemory(p.confidentialExternalMemory())
                .setExternalMemoryPinned(p.externalMemoryPinned());
        if (p.monitorInfo() != null) {
            b.setMonitorId(p.monitorInfo().monitorId())
                    .setMonitorLatencyNanos(p.monitorInfo().latencyNanos());
        }
        if (p.reservedTarget() != null) {
            b.setReservedTarget(reservedTarget(p.reservedTarget()));
        }
        return SavedDeviceOpen.newBuilder()
                .setParams(b)
                .setVersion(version(open.version()))
                .build();
    }

    private static SavedReservedTarget reservedTarget(final MessageTarget.Reserved r) {
        return SavedReservedTarget.newBuilder()
                .setChannelId(r.channelId())
                .setVp(r.vp())
                .setSint(r.sint())
                .build();
    }

    private static SavedGpadl gpadl(final OfferKey owner, final Gpadl g) {
        final SavedGpadl.Builder b = SavedGpadl.newBuilder()
                .setChannel(key(owner))
                .setGpadlId(g.gpadlId)
                .setState(g.state.code())
                .setRangeCount(g.rangeCount)
                .setExpectedWords(g.words.length);
        for (int i = 0; i < g.received; i++) {
            b.addWords(g.words[i]);
        }
        return b.build();
    }

    private static SavedTarget target(final MessageTarget t) {
        final SavedTarget.Builder b = SavedTarget.newBuilder();
        switch (t) {
            case MessageTarget.Default d -> b.setDefaultTarget(EMPTY);
            case MessageTarget.Reserved r -> b.setReserved(reservedTarget(r));
            case MessageTarget.Custom c ->
                b.setCustom(SavedCustomTarget.newBuilder().setVp(c.vp()).setSint(c.sint()));
        }
        return b.build();
    }

    static ByteString guid(final Guid g) {
        return ByteString.copyFrom(g.toBytes());
    }
}
