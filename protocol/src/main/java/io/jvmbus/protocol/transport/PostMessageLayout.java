package io.jvmbus.protocol.transport;

/**
 * POST_MESSAGE (0x0002), VMM to server: the guest executed HvPostMessage. Header flag bit 0 marks the trusted path.
 *
 * <pre>
 *  0               4               8               12              16
 * +---------------+---------------+---------------+---------------+---------------------------+
 * | connection_id | vp_index      | message_type  | payload_size  | payload (payload_size)    |
 * | (u32)         | (u32)         | (u32)         | (u32)         | at most 240 bytes         |
 * +---------------+---------------+---------------+---------------+---------------------------+
 * </pre>
 *
 * <p>Publication rule: the body is exactly {@code 16 + payload_size} bytes; a payload over {@link #MAX_PAYLOAD} is
 * answered with POST_RESULT 5 (invalid parameter), never handed on.
 */
public final class PostMessageLayout {

    /** Offset of {@code connection_id}, u32. */
    public static final int CONNECTION_ID_OFFSET = 0;
    /** Offset of {@code vp_index}, u32. */
    public static final int VP_INDEX_OFFSET = CONNECTION_ID_OFFSET + Integer.BYTES;
    /** Offset of {@code message_type}, u32 (1 for VMBus channel messages). */
    public static final int MESSAGE_TYPE_OFFSET = VP_INDEX_OFFSET + Integer.BYTES;
    /** Offset of {@code payload_size}, u32. */
    public static final int PAYLOAD_SIZE_OFFSET = MESSAGE_TYPE_OFFSET + Integer.BYTES;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = PAYLOAD_SIZE_OFFSET + Integer.BYTES;
    /** The largest payload: a SynIC message's 240 bytes. */
    public static final int MAX_PAYLOAD = 240;
    /** The largest body with a legal payload. */
    public static final int MAX_SIZE = PAYLOAD_OFFSET + MAX_PAYLOAD;

    private PostMessageLayout() {}
}
