package io.jvmbus.protocol.message.layout;

/**
 * Layout of TL_CONNECT_REQUEST in its 40-byte form (message 21, Linux struct vmbus_channel_tl_connect_request):
 * the guest asks for a Hyper-V socket connection. Endpoint first, service second. The 56-byte form is {@link
 * TlConnectRequest2Layout}. Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *            16 | endpoint_id GUID                             |
 *       24      +----------------------------------------------+
 *            16 | service_id GUID                              |
 *       40      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class TlConnectRequestLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code endpoint_id}: the guest endpoint (Linux guest_endpoint_id). */
    public static final int ENDPOINT_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code endpoint_id}. */
    public static final int ENDPOINT_ID_SIZE = 16;

    /** Offset of {@code service_id}: the host service (Linux host_service_id). */
    public static final int SERVICE_ID_OFFSET = ENDPOINT_ID_OFFSET + ENDPOINT_ID_SIZE;

    /** Size of {@code service_id}. */
    public static final int SERVICE_ID_SIZE = 16;

    /** Size of the structure. */
    public static final int SIZE = SERVICE_ID_OFFSET + SERVICE_ID_SIZE;

    private TlConnectRequestLayout() {}
}
