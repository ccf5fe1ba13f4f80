package io.jvmbus.testkit.transport;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * VMBus channel messages a guest posts, built byte by byte from Linux 6.1's struct layouts
 * (shared/reference/linux-6.1-struct-layouts.txt), independent of the project's codec. Offsets are those of the
 * struct, header included.
 */
public final class GuestMessages {

    /** INITIATE_CONTACT. */
    public static final int INITIATE_CONTACT = 14;
    /** REQUESTOFFERS. */
    public static final int REQUEST_OFFERS = 3;
    /** OPENCHANNEL. */
    public static final int OPEN_CHANNEL = 5;
    /** CLOSECHANNEL. */
    public static final int CLOSE_CHANNEL = 7;
    /** GPADL_HEADER. */
    public static final int GPADL_HEADER = 8;
    /** GPADL_TEARDOWN. */
    public static final int GPADL_TEARDOWN = 11;
    /** RELID_RELEASED. */
    public static final int RELID_RELEASED = 13;
    /** UNLOAD. */
    public static final int UNLOAD = 16;
    /** MODIFYCHANNEL. */
    public static final int MODIFY_CHANNEL = 22;

    /** Offset of the child relid in OFFERCHANNEL. */
    public static final int OFFER_CHILD_RELID = 184;
    /** Offset of the connection id in OFFERCHANNEL. */
    public static final int OFFER_CONNECTION_ID = 192;

    private GuestMessages() {}

    private static ByteBuffer message(final int type, final int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).putInt(0, type);
    }

    /**
     * vmbus_channel_initiate_contact (40 bytes) with msg_sint 2 and no monitor pages.
     *
     * @param version the version word
     * @param vp target_vcpu
     * @return the bytes
     */
    public static byte[] initiateContact(final int version, final int vp) {
        final ByteBuffer b = message(INITIATE_CONTACT, 40).putInt(8, version).putInt(12, vp);
        b.put(16, (byte) 2);
        return b.array();
    }

    /**
     * REQUESTOFFERS (header only).
     *
     * @return the bytes
     */
    public static byte[] requestOffers() {
        return message(REQUEST_OFFERS, 8).array();
    }

    /**
     * UNLOAD (header only).
     *
     * @return the bytes
     */
    public static byte[] unload() {
        return message(UNLOAD, 8).array();
    }

    /**
     * vmbus_channel_gpadl_header with one page-aligned range.
     *
     * @param relid child_relid
     * @param gpadl the GPADL id
     * @param firstPfn the first page number
     * @param pages how many pages (at most 26, to fit 240 bytes)
     * @return the bytes
     */
    public static byte[] gpadlHeader(final int relid, final int gpadl, final long firstPfn, final int pages) {
        final int rangeBytes = 8 + 8 * pages;
        final ByteBuffer b = message(GPADL_HEADER, 20 + rangeBytes)
                .putInt(8, relid)
                .putInt(12, gpadl)
                .putShort(16, (short) rangeBytes)
                .putShort(18, (short) 1)
                .putInt(20, pages * 4096)
                .putInt(24, 0);
        for (int i = 0; i < pages; i++) {
            b.putLong(28 + 8 * i, firstPfn + i);
        }
        return b.array();
    }

    /**
     * vmbus_channel_open_channel (148 bytes).
     *
     * @param relid child_relid
     * @param openId openid
     * @param gpadl ringbuffer_gpadlhandle
     * @param vp target_vp
     * @param downstreamPage downstream_ringbuffer_pageoffset
     * @return the bytes
     */
    public static byte[] openChannel(
            final int relid, final int openId, final int gpadl, final int vp, final int downstreamPage) {
        return message(OPEN_CHANNEL, 148)
                .putInt(8, relid)
                .putInt(12, openId)
                .putInt(16, gpadl)
                .putInt(20, vp)
                .putInt(24, downstreamPage)
                .array();
    }

    /**
     * A message whose only field is a child relid (CLOSECHANNEL, RELID_RELEASED: 12 bytes).
     *
     * @param type the message type
     * @param relid child_relid
     * @return the bytes
     */
    public static byte[] relidMessage(final int type, final int relid) {
        return message(type, 12).putInt(8, relid).array();
    }

    /**
     * vmbus_channel_gpadl_teardown (16 bytes).
     *
     * @param relid child_relid
     * @param gpadl the GPADL id
     * @return the bytes
     */
    public static byte[] gpadlTeardown(final int relid, final int gpadl) {
        return message(GPADL_TEARDOWN, 16).putInt(8, relid).putInt(12, gpadl).array();
    }

    /**
     * vmbus_channel_modifychannel (16 bytes).
     *
     * @param relid child_relid
     * @param vp target_vp
     * @return the bytes
     */
    public static byte[] modifyChannel(final int relid, final int vp) {
        return message(MODIFY_CHANNEL, 16).putInt(8, relid).putInt(12, vp).array();
    }
}
