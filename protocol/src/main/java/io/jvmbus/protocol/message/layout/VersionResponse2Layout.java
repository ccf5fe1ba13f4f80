package io.jvmbus.protocol.message.layout;

/**
 * Layout of VERSION_RESPONSE in its 20-byte form (VersionResponse2, message 15): {@link VersionResponseLayout}
 * followed by the negotiated feature flags. Selected when the payload is at least 12 bytes. Offsets are absolute,
 * header included. Linux 6.1 has no such struct.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            16 | VersionResponse                              |
 *       16      +----------------------------------------------+
 *             4 | supported_features u32                       |
 *       20      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class VersionResponse2Layout {

    /** Offset of {@code VersionResponse}: the 16-byte form, header included ({@link VersionResponseLayout}). */
    public static final int VERSION_RESPONSE_OFFSET = 0;

    /** Size of {@code VersionResponse}. */
    public static final int VERSION_RESPONSE_SIZE = VersionResponseLayout.SIZE;

    /** Offset of {@code supported_features}: negotiated feature flags. */
    public static final int SUPPORTED_FEATURES_OFFSET = VERSION_RESPONSE_OFFSET + VERSION_RESPONSE_SIZE;

    /** Size of {@code supported_features}. */
    public static final int SUPPORTED_FEATURES_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = SUPPORTED_FEATURES_OFFSET + SUPPORTED_FEATURES_SIZE;

    private VersionResponse2Layout() {}
}
