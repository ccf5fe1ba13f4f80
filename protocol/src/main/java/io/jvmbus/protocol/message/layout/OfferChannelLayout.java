package io.jvmbus.protocol.message.layout;

/**
 * Layout of OFFER_CHANNEL (message 1, Linux struct vmbus_channel_offer_channel): the host offers a channel. The
 * 176-byte offer body is {@link ChannelOfferLayout}; the absolute offsets of its fields are repeated here. Offsets
 * are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *           176 | offer                                        |
 *      184      +----------------------------------------------+
 *             4 | channel_id u32                               |
 *      188      +----------------------------------------------+
 *             1 | monitor_id u8                                |
 *      189      +----------------------------------------------+
 *             1 | monitor_allocated u8                         |
 *      190      +----------------------------------------------+
 *             2 | is_dedicated u16                             |
 *      192      +----------------------------------------------+
 *             4 | connection_id u32                            |
 *      196      +----------------------------------------------+
 * </pre>
 *
 * <p>Linux declares monitor_allocated and is_dedicated_interrupt as bit 0 of a u8 and of a u16 bitfield; the
 * reference server reads and writes the whole u8/u16.
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class OfferChannelLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code offer}: the offer body ({@link ChannelOfferLayout}). */
    public static final int OFFER_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code offer}. */
    public static final int OFFER_SIZE = ChannelOfferLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = OFFER_OFFSET + OFFER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code monitor_id}: MNF monitor id, 0xFF if none. */
    public static final int MONITOR_ID_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code monitor_id}. */
    public static final int MONITOR_ID_SIZE = 1;

    /** Offset of {@code monitor_allocated}: bit 0: monitor_id is valid. */
    public static final int MONITOR_ALLOCATED_OFFSET = MONITOR_ID_OFFSET + MONITOR_ID_SIZE;

    /** Size of {@code monitor_allocated}. */
    public static final int MONITOR_ALLOCATED_SIZE = 1;

    /** Offset of {@code is_dedicated}: bit 0: the channel has a dedicated interrupt. */
    public static final int IS_DEDICATED_OFFSET = MONITOR_ALLOCATED_OFFSET + MONITOR_ALLOCATED_SIZE;

    /** Size of {@code is_dedicated}. */
    public static final int IS_DEDICATED_SIZE = 2;

    /** Offset of {@code connection_id}: the id the guest signals. */
    public static final int CONNECTION_ID_OFFSET = IS_DEDICATED_OFFSET + IS_DEDICATED_SIZE;

    /** Size of {@code connection_id}. */
    public static final int CONNECTION_ID_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = CONNECTION_ID_OFFSET + CONNECTION_ID_SIZE;

    /** Bit of monitor_allocated that Linux reads. */
    public static final int MONITOR_ALLOCATED_MASK = 0x1;
    /** Bit of is_dedicated that Linux reads. */
    public static final int IS_DEDICATED_MASK = 0x1;
    /** Absolute offset of the interface id. */
    public static final int INTERFACE_ID_OFFSET = OFFER_OFFSET + ChannelOfferLayout.INTERFACE_ID_OFFSET;
    /** Absolute offset of the instance id. */
    public static final int INSTANCE_ID_OFFSET = OFFER_OFFSET + ChannelOfferLayout.INSTANCE_ID_OFFSET;
    /** Absolute offset of the reserved words. */
    public static final int RESERVED_OFFSET = OFFER_OFFSET + ChannelOfferLayout.RESERVED_OFFSET;
    /** Absolute offset of the offer flags. */
    public static final int FLAGS_OFFSET = OFFER_OFFSET + ChannelOfferLayout.FLAGS_OFFSET;
    /** Absolute offset of mmio_megabytes. */
    public static final int MMIO_MEGABYTES_OFFSET = OFFER_OFFSET + ChannelOfferLayout.MMIO_MEGABYTES_OFFSET;
    /** Absolute offset of user_defined. */
    public static final int USER_DEFINED_OFFSET = OFFER_OFFSET + ChannelOfferLayout.USER_DEFINED_OFFSET;
    /** Absolute offset of subchannel_index. */
    public static final int SUBCHANNEL_INDEX_OFFSET = OFFER_OFFSET + ChannelOfferLayout.SUBCHANNEL_INDEX_OFFSET;
    /** Absolute offset of mmio_megabytes_optional. */
    public static final int MMIO_MEGABYTES_OPTIONAL_OFFSET =
            OFFER_OFFSET + ChannelOfferLayout.MMIO_MEGABYTES_OPTIONAL_OFFSET;

    private OfferChannelLayout() {}
}
