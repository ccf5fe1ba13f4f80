package io.jvmbus.protocol.message.layout;

/**
 * Layout of TL_CONNECT_REQUEST_RESULT (message 23): the host reports a failed socket connection. Linux has no such
 * struct (it drops the message). Offsets are absolute from the start of the message, header included.
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
 *             4 | status u32                                   |
 *       44      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class TlConnectResultLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code endpoint_id}: echo of the request. */
    public static final int ENDPOINT_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code endpoint_id}. */
    public static final int ENDPOINT_ID_SIZE = 16;

    /** Offset of {@code service_id}: echo of the request. */
    public static final int SERVICE_ID_OFFSET = ENDPOINT_ID_OFFSET + ENDPOINT_ID_SIZE;

    /** Size of {@code service_id}. */
    public static final int SERVICE_ID_SIZE = 16;

    /** Offset of {@code status}: NT status (i32). */
    public static final int STATUS_OFFSET = SERVICE_ID_OFFSET + SERVICE_ID_SIZE;

    /** Size of {@code status}. */
    public static final int STATUS_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = STATUS_OFFSET + STATUS_SIZE;

    private TlConnectResultLayout() {}
}
