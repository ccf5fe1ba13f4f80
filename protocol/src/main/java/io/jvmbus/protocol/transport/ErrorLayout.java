package io.jvmbus.protocol.transport;

/**
 * ERROR (0x80FF), server to VMM: the negative answer to the frame that caused it.
 *
 * <pre>
 *  0               4       6
 * +---------------+-------+--------------------+
 * | code (u32)    | str message              |
 * |               | (2 + n bytes)            |
 * +---------------+-------+--------------------+
 * </pre>
 *
 * <p>Publication rule: the body is exactly {@code 6 + n} bytes; {@code code} is a {@link TransportError}. It takes the
 * place of the answer the frame would have had, in request order.
 */
public final class ErrorLayout {

    /** Offset of {@code code}, u32. */
    public static final int CODE_OFFSET = 0;
    /** Offset of the {@code message} str. */
    public static final int MESSAGE_OFFSET = CODE_OFFSET + Integer.BYTES;
    /** Size with an empty message. */
    public static final int MIN_SIZE = MESSAGE_OFFSET + StrLayout.MIN_SIZE;
    /** Size with the longest message. */
    public static final int MAX_SIZE = MIN_SIZE + StrLayout.MAX_BYTES;

    private ErrorLayout() {}
}
