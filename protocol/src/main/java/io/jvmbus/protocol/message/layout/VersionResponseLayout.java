package io.jvmbus.protocol.message.layout;

/**
 * Layout of VERSION_RESPONSE in its 16-byte form (message 15, Linux struct vmbus_channel_version_response): the
 * host answers a version request. Longer forms: {@link VersionResponse2Layout}, {@link VersionResponse3Layout}.
 * Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             1 | version_supported u8                         |
 *        9      +----------------------------------------------+
 *             1 | connection_state u8                          |
 *       10      +----------------------------------------------+
 *             2 | padding u16                                  |
 *       12      +----------------------------------------------+
 *             4 | selected_version_or_connection_id u32        |
 *       16      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class VersionResponseLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code version_supported}: 1 = accepted. */
    public static final int VERSION_SUPPORTED_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code version_supported}. */
    public static final int VERSION_SUPPORTED_SIZE = 1;

    /** Offset of {@code connection_state}: ConnectionState code. */
    public static final int CONNECTION_STATE_OFFSET = VERSION_SUPPORTED_OFFSET + VERSION_SUPPORTED_SIZE;

    /** Size of {@code connection_state}. */
    public static final int CONNECTION_STATE_SIZE = 1;

    /** Offset of {@code padding}: zero. */
    public static final int PADDING_OFFSET = CONNECTION_STATE_OFFSET + CONNECTION_STATE_SIZE;

    /** Size of {@code padding}. */
    public static final int PADDING_SIZE = 2;

    /** Offset of {@code selected_version_or_connection_id}: the version below 5.0, the message connection id from 5.0 (Linux msg_conn_id). */
    public static final int SELECTED_VERSION_OR_CONNECTION_ID_OFFSET = PADDING_OFFSET + PADDING_SIZE;

    /** Size of {@code selected_version_or_connection_id}. */
    public static final int SELECTED_VERSION_OR_CONNECTION_ID_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = SELECTED_VERSION_OR_CONNECTION_ID_OFFSET + SELECTED_VERSION_OR_CONNECTION_ID_SIZE;

    private VersionResponseLayout() {}
}
