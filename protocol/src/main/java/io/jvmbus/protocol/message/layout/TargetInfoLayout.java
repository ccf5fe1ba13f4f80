package io.jvmbus.protocol.message.layout;

/**
 * Layout of the TargetInfo bit field: the u64 interrupt_page_or_target_info of INITIATE_CONTACT when the requested
 * version is 5.0 or later. Offsets are relative to that u64 (at {@link
 * InitiateContactLayout#INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET}).
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             1 | sint u8                                      |
 *        1      +----------------------------------------------+
 *             1 | vtl u8                                       |
 *        2      +----------------------------------------------+
 *             2 | padding u16                                  |
 *        4      +----------------------------------------------+
 *             4 | feature_flags u32                            |
 *        8      +----------------------------------------------+
 * </pre>
 *
 * <p>As bits of the u64: sint 0-7, vtl 8-15, padding 16-31, feature_flags 32-63.
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class TargetInfoLayout {

    /** Offset of {@code sint}: SINT for host messages (honoured for multiclient messages only). */
    public static final int SINT_OFFSET = 0;

    /** Size of {@code sint}. */
    public static final int SINT_SIZE = 1;

    /** Offset of {@code vtl}: VTL for host messages (honoured for multiclient messages from 5.1). */
    public static final int VTL_OFFSET = SINT_OFFSET + SINT_SIZE;

    /** Size of {@code vtl}. */
    public static final int VTL_SIZE = 1;

    /** Offset of {@code padding}: zero. */
    public static final int PADDING_OFFSET = VTL_OFFSET + VTL_SIZE;

    /** Size of {@code padding}. */
    public static final int PADDING_SIZE = 2;

    /** Offset of {@code feature_flags}: requested feature flags (read from 6.0). */
    public static final int FEATURE_FLAGS_OFFSET = PADDING_OFFSET + PADDING_SIZE;

    /** Size of {@code feature_flags}. */
    public static final int FEATURE_FLAGS_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = FEATURE_FLAGS_OFFSET + FEATURE_FLAGS_SIZE;

    private TargetInfoLayout() {}
}
