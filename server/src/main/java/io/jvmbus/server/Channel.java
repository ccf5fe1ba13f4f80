package io.jvmbus.server;

/**
 * One channel's mutable state inside the core. Only {@link ChannelServer} touches it, and only {@link
 * ChannelServer}'s {@code state(...)} method changes {@link #state}.
 */
final class Channel {
    OfferId offerId;
    OfferParams offer;
    ChannelState state = ChannelState.CLIENT_RELEASED;
    /** The channel id, or 0 while released. */
    int channelId;
    /** The monitor id, or -1. */
    int monitorId = -1;
    /** {@link #monitorId} came from the server's allocator (MNF Enabled), so it is returned there on release. */
    boolean monitorFromPool;
    /** An OFFER_CHANNEL for the current id went to the current connection (so the guest holds the id). */
    boolean offered;
    /** B21: offer it to the current connection once it is fully released. */
    boolean hotAddPending;
    /** The open request (Opening) or the open's parameters (Open, Closing, ClosingReopen); else null. */
    OpenRequest request;
    /** The re-open request of ClosingReopen; else null. */
    OpenRequest reopenRequest;
    /** Set only in Opening, Open and Closing of a reserved channel. */
    ReservedState reserved;
    /** A MODIFY_CHANNEL the device has not answered, or null. */
    ModifyState modify;
    /**
     * The last Open sent to the device, exactly as sent (servicing re-sends it, and hands its parameters to a device
     * that claims an open channel). Meaningful while the device holds or is getting an open.
     */
    DeviceRequest.Open deviceOpen;

    RestoreState restoreState = RestoreState.NEW;
    /** GPADLs owned, in any state. */
    int gpadlCount;

    Channel(final OfferId offerId, final OfferParams offer) {
        this.offerId = offerId;
        this.offer = offer;
    }

    boolean isReserved() {
        return reserved != null;
    }

    @Override
    public String toString() {
        return "channel " + offer.key() + " (" + offerId + ", id " + channelId + ", " + state
                + (reserved != null ? " reserved" : "") + ")";
    }
}
