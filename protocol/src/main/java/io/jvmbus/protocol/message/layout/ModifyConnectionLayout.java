package io.jvmbus.protocol.message.layout;

/**
 * Layout of MODIFY_CONNECTION (message 25): the guest changes its monitor pages (both zero = none). Linux has no
 * such struct. Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             8 | parent_to_child_monitor_page_gpa u64         |
 *       16      +----------------------------------------------+
 *             8 | child_to_parent_monitor_page_gpa u64         |
 *       24      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class ModifyConnectionLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code parent_to_child_monitor_page_gpa}: MNF page the host writes. */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code parent_to_child_monitor_page_gpa}. */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE = 8;

    /** Offset of {@code child_to_parent_monitor_page_gpa}: MNF page the guest writes. */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET =
            PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET + PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE;

    /** Size of {@code child_to_parent_monitor_page_gpa}. */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE = 8;

    /** Size of the structure. */
    public static final int SIZE = CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET + CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE;

    private ModifyConnectionLayout() {}
}
