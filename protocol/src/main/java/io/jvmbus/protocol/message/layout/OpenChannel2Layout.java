package io.jvmbus.protocol.message.layout;

/**
 * Layout of OPEN_CHANNEL in its 156-byte form (OpenChannel2, message 5): {@link OpenChannelLayout} followed by the
 * guest-specified signal parameters and flags. Required once feature 0x1 or 0x2 is negotiated on protocol 6.0.
 * Offsets are absolute from the start of the message, header included. Linux 6.1 has no such struct.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *           148 | OpenChannel                                  |
 *      148      +----------------------------------------------+
 *             4 | connection_id u32                            |
 *      152      +----------------------------------------------+
 *             2 | event_flag u16                               |
 *      154      +----------------------------------------------+
 *             2 | flags u16                                    |
 *      156      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class OpenChannel2Layout {

    /** Offset of {@code OpenChannel}: the 148-byte form, header included ({@link OpenChannelLayout}). */
    public static final int OPEN_CHANNEL_OFFSET = 0;

    /** Size of {@code OpenChannel}. */
    public static final int OPEN_CHANNEL_SIZE = OpenChannelLayout.SIZE;

    /** Offset of {@code connection_id}: the id the guest will signal (used only with feature 0x1). */
    public static final int CONNECTION_ID_OFFSET = OPEN_CHANNEL_OFFSET + OPEN_CHANNEL_SIZE;

    /** Size of {@code connection_id}. */
    public static final int CONNECTION_ID_SIZE = 4;

    /** Offset of {@code event_flag}: the event flag the host sets (used only with feature 0x1). */
    public static final int EVENT_FLAG_OFFSET = CONNECTION_ID_OFFSET + CONNECTION_ID_SIZE;

    /** Size of {@code event_flag}. */
    public static final int EVENT_FLAG_SIZE = 2;

    /** Offset of {@code flags}: OpenChannelFlags (used only with feature 0x2). */
    public static final int FLAGS_OFFSET = EVENT_FLAG_OFFSET + EVENT_FLAG_SIZE;

    /** Size of {@code flags}. */
    public static final int FLAGS_SIZE = 2;

    /** Size of the structure. */
    public static final int SIZE = FLAGS_OFFSET + FLAGS_SIZE;

    private OpenChannel2Layout() {}
}
