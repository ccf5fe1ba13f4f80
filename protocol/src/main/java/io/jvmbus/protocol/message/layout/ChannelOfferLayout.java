package io.jvmbus.protocol.message.layout;

/**
 * Layout of the 176-byte offer body inside OFFER_CHANNEL (Linux struct vmbus_channel_offer). Offsets are relative
 * to the start of the body, which sits at {@link OfferChannelLayout#OFFER_OFFSET}.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            16 | interface_id GUID                            |
 *       16      +----------------------------------------------+
 *            16 | instance_id GUID                             |
 *       32      +----------------------------------------------+
 *            16 | rsvd                                         |
 *       48      +----------------------------------------------+
 *             2 | flags u16                                    |
 *       50      +----------------------------------------------+
 *             2 | mmio_megabytes u16                           |
 *       52      +----------------------------------------------+
 *           120 | user_defined                                 |
 *      172      +----------------------------------------------+
 *             2 | subchannel_index u16                         |
 *      174      +----------------------------------------------+
 *             2 | mmio_megabytes_optional u16                  |
 *      176      +----------------------------------------------+
 * </pre>
 *
 * <p>user_defined is read as {@link PipeParametersLayout} under NAMED_PIPE_MODE and as {@link
 * HvSocketParametersLayout} under TLNPI_PROVIDER.
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class ChannelOfferLayout {

    /** Offset of {@code interface_id}: the device class (Linux if_type). */
    public static final int INTERFACE_ID_OFFSET = 0;

    /** Size of {@code interface_id}. */
    public static final int INTERFACE_ID_SIZE = 16;

    /** Offset of {@code instance_id}: the device instance (Linux if_instance). */
    public static final int INSTANCE_ID_OFFSET = INTERFACE_ID_OFFSET + INTERFACE_ID_SIZE;

    /** Size of {@code instance_id}. */
    public static final int INSTANCE_ID_SIZE = 16;

    /** Offset of {@code rsvd}: 4 x u32 zero (Linux reserved1 u64, reserved2 u64). */
    public static final int RESERVED_OFFSET = INSTANCE_ID_OFFSET + INSTANCE_ID_SIZE;

    /** Size of {@code rsvd}. */
    public static final int RESERVED_SIZE = 16;

    /** Offset of {@code flags}: OfferFlags (Linux chn_flags). */
    public static final int FLAGS_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;

    /** Size of {@code flags}. */
    public static final int FLAGS_SIZE = 2;

    /** Offset of {@code mmio_megabytes}: MMIO space the device needs. */
    public static final int MMIO_MEGABYTES_OFFSET = FLAGS_OFFSET + FLAGS_SIZE;

    /** Size of {@code mmio_megabytes}. */
    public static final int MMIO_MEGABYTES_SIZE = 2;

    /** Offset of {@code user_defined}: interface-specific data, pipe or hvsocket parameters. */
    public static final int USER_DEFINED_OFFSET = MMIO_MEGABYTES_OFFSET + MMIO_MEGABYTES_SIZE;

    /** Size of {@code user_defined}. */
    public static final int USER_DEFINED_SIZE = 120;

    /** Offset of {@code subchannel_index}: 0 for a primary channel. */
    public static final int SUBCHANNEL_INDEX_OFFSET = USER_DEFINED_OFFSET + USER_DEFINED_SIZE;

    /** Size of {@code subchannel_index}. */
    public static final int SUBCHANNEL_INDEX_SIZE = 2;

    /** Offset of {@code mmio_megabytes_optional}: optional MMIO space (Linux reserved3). */
    public static final int MMIO_MEGABYTES_OPTIONAL_OFFSET = SUBCHANNEL_INDEX_OFFSET + SUBCHANNEL_INDEX_SIZE;

    /** Size of {@code mmio_megabytes_optional}. */
    public static final int MMIO_MEGABYTES_OPTIONAL_SIZE = 2;

    /** Size of the structure. */
    public static final int SIZE = MMIO_MEGABYTES_OPTIONAL_OFFSET + MMIO_MEGABYTES_OPTIONAL_SIZE;

    private ChannelOfferLayout() {}
}
