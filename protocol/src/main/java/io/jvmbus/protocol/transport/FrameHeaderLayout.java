package io.jvmbus.protocol.transport;

/**
 * The 8-byte header in front of every frame, little-endian.
 *
 * <pre>
 *  0               4       6       8
 * +---------------+-------+-------+----------------------------
 * | length (u32)  | kind  | flags | body: length bytes ...
 * |               | (u16) | (u16) |
 * +---------------+-------+-------+----------------------------
 * </pre>
 *
 * <p>Publication rule: a frame exists only once all {@code length} body bytes have arrived after its header; nothing
 * in it is acted on before. {@code length} counts the body only and is at most {@link #MAX_BODY_LENGTH}; a larger
 * value means the stream can no longer be trusted (the session ends). {@code flags} is 0 except bit 0 of POST_MESSAGE
 * ({@link #FLAG_TRUSTED}).
 */
public final class FrameHeaderLayout {

    /** Offset of {@code length}, u32: body bytes after the header. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of {@code kind}, u16 (see {@link FrameKind}). */
    public static final int KIND_OFFSET = LENGTH_OFFSET + Integer.BYTES;
    /** Offset of {@code flags}, u16. */
    public static final int FLAGS_OFFSET = KIND_OFFSET + Short.BYTES;
    /** Size of the header. */
    public static final int SIZE = FLAGS_OFFSET + Short.BYTES;

    /** The largest body a frame may have: 16 MiB. */
    public static final int MAX_BODY_LENGTH = 16 << 20;

    /** POST_MESSAGE flag bit 0: the guest posted on the trusted (paravisor) path. */
    public static final int FLAG_TRUSTED = 0x0001;

    private FrameHeaderLayout() {}
}
