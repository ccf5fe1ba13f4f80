package io.jvmbus.protocol;

/** SINTs, VTLs, connection ids and the formulas that build them. */
public final class ConnectionIds {

    /** The SINT VMBus messages and events use. */
    public static final int VMBUS_SINT = 2;
    /** The SINT of a control plane redirected to a paravisor. */
    public static final int REDIRECT_SINT = 7;
    /** The VTL of a redirected control plane. */
    public static final int REDIRECT_VTL = 2;
    /** The message port a VTL0 guest posts to (all messages below 5.0). */
    public static final int MESSAGE_CONNECTION_ID = 1;
    /** The shared event connection a pre-Win8 guest signals (interrupt page). */
    public static final int SHARED_EVENT_CONNECTION_ID = 2;
    /** The monitor connection id. */
    public static final int MONITOR_CONNECTION_ID = 3;
    /** The multiclient message port: INITIATE_CONTACT for version 5.0 and later. */
    public static final int MULTICLIENT_MESSAGE_CONNECTION_ID = 4;
    /** The redirect connection id (vtl 2, vp 0, sint 7). */
    public static final int REDIRECT_MESSAGE_CONNECTION_ID = 0x800074;
    /** The SynIC message type of every VMBus channel message. */
    public static final int VMBUS_MESSAGE_TYPE = 1;
    /** A target VP that disables host-to-guest interrupts for a channel. */
    public static final int VP_INDEX_DISABLE_INTERRUPT = 0xFFFFFFFF;
    /** The largest channel id (the event-flag bitmap has 2048 bits, bit 0 reserved). */
    public static final int MAX_CHANNEL_ID = 2047;
    /** The number of monitor ids (4 groups of 32). */
    public static final int MONITOR_ID_COUNT = 128;
    /** The monitor id of an offer without one. */
    public static final int NO_MONITOR_ID = 0xFF;

    private ConnectionIds() {}

    /**
     * The connection id a channel's offer carries; the guest signals it.
     *
     * @param channelId the channel id
     * @param vtl the server's VTL
     * @return {@code channelId | 2 << 12 | vtl << 16}
     */
    public static int offerConnectionId(final int channelId, final int vtl) {
        return channelId | (VMBUS_SINT << 12) | (vtl << 16);
    }

    /**
     * The message port of a non-VTL0 or redirected server.
     *
     * @param vtl the VTL
     * @param vp the VP
     * @param sint the SINT
     * @return {@code 4 | vtl << 22 | vp << 8 | sint << 4}
     */
    public static int childMessageConnectionId(final int vtl, final int vp, final int sint) {
        return MULTICLIENT_MESSAGE_CONNECTION_ID | (vtl << 22) | (vp << 8) | (sint << 4);
    }

    /**
     * The port id of a channel's host-to-guest event.
     *
     * @param vtl the VTL
     * @param channelId the channel id
     * @param sint the SINT
     * @return {@code 2 | vtl << 22 | channelId << 8 | sint << 4}
     */
    public static int childEventPortId(final int vtl, final int channelId, final int sint) {
        return SHARED_EVENT_CONNECTION_ID | (vtl << 22) | (channelId << 8) | (sint << 4);
    }

    /**
     * The monitor-page group of a monitor id.
     *
     * @param monitorId 0..127
     * @return {@code monitorId / 32}
     */
    public static int monitorGroup(final int monitorId) {
        return monitorId >>> 5;
    }

    /**
     * The bit within its group of a monitor id.
     *
     * @param monitorId 0..127
     * @return {@code monitorId % 32}
     */
    public static int monitorBit(final int monitorId) {
        return monitorId & 31;
    }
}
