package io.jvmbus.testkit.wire;

import io.jvmbus.protocol.Guid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw guest-to-host channel messages, byte for byte as reference §1.7 lays them out (offsets include the 8-byte
 * header). Every builder writes the header (message type at 0, padding 0 at 4) and each field at its absolute offset.
 */
public final class GuestMessages {

    /** Message numbers used here (reference §1.6). */
    public static final int INITIATE_CONTACT = 14;

    private GuestMessages() {}

    private static ByteBuffer message(final int type, final int size) {
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        b.putInt(4, 0);
        return b;
    }

    /**
     * Writes a GUID in the Windows mixed-endian layout: data1, data2, data3 little-endian, data4 as 8 raw bytes.
     *
     * @param b the buffer
     * @param offset absolute offset
     * @param g the GUID
     */
    public static void putGuid(final ByteBuffer b, final int offset, final Guid g) {
        b.put(offset, (byte) g.data1());
        b.put(offset + 1, (byte) (g.data1() >>> 8));
        b.put(offset + 2, (byte) (g.data1() >>> 16));
        b.put(offset + 3, (byte) (g.data1() >>> 24));
        b.put(offset + 4, (byte) g.data2());
        b.put(offset + 5, (byte) (g.data2() >>> 8));
        b.put(offset + 6, (byte) g.data3());
        b.put(offset + 7, (byte) (g.data3() >>> 8));
        for (int i = 0; i < 8; i++) {
            b.put(offset + 8 + i, (byte) (g.data4() >>> (56 - 8 * i)));
        }
    }

    /**
     * The TargetInfo u64 of INITIATE_CONTACT (5.0+): sint at byte 16, vtl at byte 17, feature flags at bytes 20..23.
     *
     * @param sint the SINT
     * @param vtl the VTL
     * @param featureFlags the Copper feature flags
     * @return the u64
     */
    public static long targetInfo(final int sint, final int vtl, final int featureFlags) {
        return (sint & 0xFFL) | ((vtl & 0xFFL) << 8) | ((featureFlags & 0xFFFFFFFFL) << 32);
    }

    /**
     * INITIATE_CONTACT, 40 bytes.
     *
     * @param version the version word
     * @param targetVp target_message_vp
     * @param interruptPageOrTargetInfo the u64 at 16
     * @param parentToChild monitor page 1 (host-written)
     * @param childToParent monitor page 2 (guest-written)
     * @return the bytes
     */
    public static byte[] initiateContact(
            final int version,
            final int targetVp,
            final long interruptPageOrTargetInfo,
            final long parentToChild,
            final long childToParent) {
        final ByteBuffer b = message(INITIATE_CONTACT, 40);
        b.putInt(8, version);
        b.putInt(12, targetVp);
        b.putLong(16, interruptPageOrTargetInfo);
        b.putLong(24, parentToChild);
        b.putLong(32, childToParent);
        return b.array();
    }

    /**
     * InitiateContact2, 56 bytes: INITIATE_CONTACT plus a client GUID at 40.
     *
     * @param version the version word
     * @param targetVp target_message_vp
     * @param interruptPageOrTargetInfo the u64 at 16
     * @param parentToChild monitor page 1
     * @param childToParent monitor page 2
     * @param clientId the client GUID
     * @return the bytes
     */
    public static byte[] initiateContact2(
            final int version,
            final int targetVp,
            final long interruptPageOrTargetInfo,
            final long parentToChild,
            final long childToParent,
            final Guid clientId) {
        final ByteBuffer b = message(INITIATE_CONTACT, 56);
        b.putInt(8, version);
        b.putInt(12, targetVp);
        b.putLong(16, interruptPageOrTargetInfo);
        b.putLong(24, parentToChild);
        b.putLong(32, childToParent);
        putGuid(b, 40, clientId);
        return b.array();
    }

    /**
     * INITIATE_CONTACT as Linux 6.1 fills it (§1.3 of the Linux reference): 40 bytes, msg_sint 2 for 5.0+, the
     * interrupt page below 5.0, both monitor pages.
     *
     * @param version the version word
     * @param vp the VP of CPU 0
     * @param interruptPage the interrupt page GPA (used below 5.0)
     * @param monitorPage1 parent-to-child page
     * @param monitorPage2 child-to-parent page
     * @return the bytes
     */
    public static byte[] linuxInitiateContact(
            final int version,
            final int vp,
            final long interruptPage,
            final long monitorPage1,
            final long monitorPage2) {
        final long field = Integer.compareUnsigned(version, 0x00050000) >= 0 ? 2L : interruptPage;
        return initiateContact(version, vp, field, monitorPage1, monitorPage2);
    }

    /**
     * REQUEST_OFFERS, 8 bytes.
     *
     * @return the bytes
     */
    public static byte[] requestOffers() {
        return message(3, 8).array();
    }

    /**
     * OPEN_CHANNEL, 148 bytes.
     *
     * @param channelId child_relid
     * @param openId openid
     * @param gpadlId ring buffer GPADL
     * @param targetVp target_vp
     * @param downstreamPageOffset downstream ring page offset
     * @param userData up to 120 bytes of user data (zero-padded)
     * @return the bytes
     */
    public static byte[] openChannel(
            final int channelId,
            final int openId,
            final int gpadlId,
            final int targetVp,
            final int downstreamPageOffset,
            final byte[] userData) {
        final ByteBuffer b = message(5, 148);
        putOpen(b, channelId, openId, gpadlId, targetVp, downstreamPageOffset, userData);
        return b.array();
    }

    /**
     * OPEN_CHANNEL with zero user data.
     *
     * @param channelId child_relid
     * @param openId openid
     * @param gpadlId ring GPADL
     * @param targetVp target_vp
     * @param downstreamPageOffset ring page offset
     * @return the bytes
     */
    public static byte[] openChannel(
            final int channelId,
            final int openId,
            final int gpadlId,
            final int targetVp,
            final int downstreamPageOffset) {
        return openChannel(channelId, openId, gpadlId, targetVp, downstreamPageOffset, new byte[0]);
    }

    /**
     * OpenChannel2, 156 bytes: OPEN_CHANNEL plus connection_id at 148, event_flag at 152, flags at 154.
     *
     * @param channelId child_relid
     * @param openId openid
     * @param gpadlId ring GPADL
     * @param targetVp target_vp
     * @param downstreamPageOffset ring page offset
     * @param userData user data
     * @param connectionId guest-specified connection id
     * @param eventFlag guest-specified event flag
     * @param flags OpenChannelFlags
     * @return the bytes
     */
    public static byte[] openChannel2(
            final int channelId,
            final int openId,
            final int gpadlId,
            final int targetVp,
            final int downstreamPageOffset,
            final byte[] userData,
            final int connectionId,
            final int eventFlag,
            final int flags) {
        final ByteBuffer b = message(5, 156);
        putOpen(b, channelId, openId, gpadlId, targetVp, downstreamPageOffset, userData);
        b.putInt(148, connectionId);
        b.putShort(152, (short) eventFlag);
        b.putShort(154, (short) flags);
        return b.array();
    }

    private static void putOpen(
            final ByteBuffer b,
            final int channelId,
            final int openId,
            final int gpadlId,
            final int targetVp,
            final int downstreamPageOffset,
            final byte[] userData) {
        if (userData.length > 120) {
            throw new IllegalArgumentException("userData length=" + userData.length + " (expected: <= 120)");
        }
        b.putInt(8, channelId);
        b.putInt(12, openId);
        b.putInt(16, gpadlId);
        b.putInt(20, targetVp);
        b.putInt(24, downstreamPageOffset);
        b.put(28, userData);
    }

    /**
     * CLOSE_CHANNEL, 12 bytes.
     *
     * @param channelId child_relid
     * @return the bytes
     */
    public static byte[] closeChannel(final int channelId) {
        final ByteBuffer b = message(7, 12);
        b.putInt(8, channelId);
        return b.array();
    }

    /**
     * GPADL_HEADER, 20 bytes plus u64 range words.
     *
     * @param channelId owning channel
     * @param gpadlId GPADL id
     * @param rangeBufferLength total range-data bytes (u16)
     * @param rangeCount number of ranges (u16)
     * @param words the range words this message carries
     * @return the bytes
     */
    public static byte[] gpadlHeader(
            final int channelId,
            final int gpadlId,
            final int rangeBufferLength,
            final int rangeCount,
            final long... words) {
        final ByteBuffer b = message(8, 20 + 8 * words.length);
        b.putInt(8, channelId);
        b.putInt(12, gpadlId);
        b.putShort(16, (short) rangeBufferLength);
        b.putShort(18, (short) rangeCount);
        for (int i = 0; i < words.length; i++) {
            b.putLong(20 + 8 * i, words[i]);
        }
        return b.array();
    }

    /**
     * GPADL_HEADER with arbitrary trailing bytes (e.g. a partial word).
     *
     * @param channelId owning channel
     * @param gpadlId GPADL id
     * @param rangeBufferLength len
     * @param rangeCount count
     * @param data trailing bytes
     * @return the bytes
     */
    public static byte[] gpadlHeaderBytes(
            final int channelId,
            final int gpadlId,
            final int rangeBufferLength,
            final int rangeCount,
            final byte[] data) {
        final ByteBuffer b = message(8, 20 + data.length);
        b.putInt(8, channelId);
        b.putInt(12, gpadlId);
        b.putShort(16, (short) rangeBufferLength);
        b.putShort(18, (short) rangeCount);
        b.put(20, data);
        return b.array();
    }

    /**
     * GPADL_BODY, 16 bytes plus u64 range words.
     *
     * @param messageNumber msgnumber (Linux sends 0)
     * @param gpadlId GPADL id
     * @param words the words
     * @return the bytes
     */
    public static byte[] gpadlBody(final int messageNumber, final int gpadlId, final long... words) {
        final ByteBuffer b = message(9, 16 + 8 * words.length);
        b.putInt(8, messageNumber);
        b.putInt(12, gpadlId);
        for (int i = 0; i < words.length; i++) {
            b.putLong(16 + 8 * i, words[i]);
        }
        return b.array();
    }

    /**
     * The reference tests' GPADL(k, g): one complete header, len 16, count 1, words [1, 0] (a 1-byte range in page 0).
     *
     * @param channelId channel
     * @param gpadlId GPADL id
     * @return the bytes
     */
    public static byte[] simpleGpadl(final int channelId, final int gpadlId) {
        return gpadlHeader(channelId, gpadlId, 16, 1, 1L, 0L);
    }

    /**
     * A GPADL the way Linux sends one for a buffer of {@code pfns.length} pages (§1.7 of the Linux reference): a
     * header with {@code range_buflen = 8 + 8 n}, one range {@code {byte_count = n * 4096, byte_offset = 0}} and the
     * first 26 PFNs, then bodies of up to 28 PFNs each with msgnumber 0.
     *
     * @param channelId channel
     * @param gpadlId GPADL id
     * @param pfns page frame numbers
     * @return header then bodies
     */
    public static List<byte[]> linuxGpadl(final int channelId, final int gpadlId, final long[] pfns) {
        final List<byte[]> out = new ArrayList<>();
        final int n = pfns.length;
        final int inHeader = Math.min(n, 26);
        final long[] headerWords = new long[1 + inHeader];
        headerWords[0] = (long) n * 4096L; // byte_offset 0 in the high half
        System.arraycopy(pfns, 0, headerWords, 1, inHeader);
        out.add(gpadlHeader(channelId, gpadlId, 8 + 8 * n, 1, headerWords));
        for (int pos = inHeader; pos < n; pos += 28) {
            final int chunk = Math.min(28, n - pos);
            final long[] words = new long[chunk];
            System.arraycopy(pfns, pos, words, 0, chunk);
            out.add(gpadlBody(0, gpadlId, words));
        }
        return out;
    }

    /**
     * GPADL_TEARDOWN, 16 bytes.
     *
     * @param channelId channel
     * @param gpadlId GPADL id
     * @return the bytes
     */
    public static byte[] gpadlTeardown(final int channelId, final int gpadlId) {
        final ByteBuffer b = message(11, 16);
        b.putInt(8, channelId);
        b.putInt(12, gpadlId);
        return b.array();
    }

    /**
     * REL_ID_RELEASED, 12 bytes.
     *
     * @param channelId child_relid
     * @return the bytes
     */
    public static byte[] relIdReleased(final int channelId) {
        final ByteBuffer b = message(13, 12);
        b.putInt(8, channelId);
        return b.array();
    }

    /**
     * UNLOAD, 8 bytes.
     *
     * @return the bytes
     */
    public static byte[] unload() {
        return message(16, 8).array();
    }

    /**
     * OPEN_RESERVED_CHANNEL, 28 bytes.
     *
     * @param channelId channel
     * @param targetVp VP for this channel's control messages
     * @param targetSint SINT for them
     * @param gpadlId ring GPADL
     * @param downstreamPageOffset ring page offset
     * @return the bytes
     */
    public static byte[] openReservedChannel(
            final int channelId,
            final int targetVp,
            final int targetSint,
            final int gpadlId,
            final int downstreamPageOffset) {
        final ByteBuffer b = message(18, 28);
        b.putInt(8, channelId);
        b.putInt(12, targetVp);
        b.putInt(16, targetSint);
        b.putInt(20, gpadlId);
        b.putInt(24, downstreamPageOffset);
        return b.array();
    }

    /**
     * CLOSE_RESERVED_CHANNEL, 20 bytes.
     *
     * @param channelId channel
     * @param targetVp VP for the response
     * @param targetSint SINT for the response
     * @return the bytes
     */
    public static byte[] closeReservedChannel(final int channelId, final int targetVp, final int targetSint) {
        final ByteBuffer b = message(19, 20);
        b.putInt(8, channelId);
        b.putInt(12, targetVp);
        b.putInt(16, targetSint);
        return b.array();
    }

    /**
     * TL_CONNECT_REQUEST, 40 bytes: endpoint at 8, service at 24.
     *
     * @param endpointId guest endpoint
     * @param serviceId host service
     * @return the bytes
     */
    public static byte[] tlConnectRequest(final Guid endpointId, final Guid serviceId) {
        final ByteBuffer b = message(21, 40);
        putGuid(b, 8, endpointId);
        putGuid(b, 24, serviceId);
        return b.array();
    }

    /**
     * TlConnectRequest2, 56 bytes: plus silo at 40.
     *
     * @param endpointId guest endpoint
     * @param serviceId host service
     * @param siloId silo
     * @return the bytes
     */
    public static byte[] tlConnectRequest2(final Guid endpointId, final Guid serviceId, final Guid siloId) {
        final ByteBuffer b = message(21, 56);
        putGuid(b, 8, endpointId);
        putGuid(b, 24, serviceId);
        putGuid(b, 40, siloId);
        return b.array();
    }

    /**
     * MODIFY_CHANNEL, 16 bytes.
     *
     * @param channelId channel
     * @param targetVp new VP
     * @return the bytes
     */
    public static byte[] modifyChannel(final int channelId, final int targetVp) {
        final ByteBuffer b = message(22, 16);
        b.putInt(8, channelId);
        b.putInt(12, targetVp);
        return b.array();
    }

    /**
     * MODIFY_CONNECTION, 24 bytes.
     *
     * @param parentToChild new parent-to-child page
     * @param childToParent new child-to-parent page
     * @return the bytes
     */
    public static byte[] modifyConnection(final long parentToChild, final long childToParent) {
        final ByteBuffer b = message(25, 24);
        b.putLong(8, parentToChild);
        b.putLong(16, childToParent);
        return b.array();
    }

    /**
     * PAUSE, 8 bytes.
     *
     * @return the bytes
     */
    public static byte[] pause() {
        return message(27, 8).array();
    }

    /**
     * RESUME, 8 bytes.
     *
     * @return the bytes
     */
    public static byte[] resume() {
        return message(29, 8).array();
    }

    /**
     * Any message number with any payload: for hostile input (host-to-guest types, unknown numbers, bad sizes).
     *
     * @param type the message_type field
     * @param payload the bytes after the header
     * @return the bytes
     */
    public static byte[] raw(final int type, final byte[] payload) {
        final ByteBuffer b = message(type, 8 + payload.length);
        b.put(8, payload);
        return b.array();
    }
}
