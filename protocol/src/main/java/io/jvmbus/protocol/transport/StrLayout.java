package io.jvmbus.protocol.transport;

/**
 * The transport's {@code str}: a u16 byte count, then that many UTF-8 bytes (no terminator).
 *
 * <pre>
 *  0       2
 * +-------+---------------------------+
 * | len   | UTF-8 bytes (len bytes)   |
 * | (u16) |                           |
 * +-------+---------------------------+
 * </pre>
 *
 * <p>Publication rule: none of its own; a str is read only as part of a complete frame. Bytes that are not valid
 * UTF-8 make the whole frame malformed.
 */
public final class StrLayout {

    /** Offset of {@code len}, u16. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the first UTF-8 byte. */
    public static final int BYTES_OFFSET = LENGTH_OFFSET + Short.BYTES;
    /** Size of an empty str. */
    public static final int MIN_SIZE = BYTES_OFFSET;
    /** The most UTF-8 bytes a str can carry. */
    public static final int MAX_BYTES = 0xFFFF;

    private StrLayout() {}
}
