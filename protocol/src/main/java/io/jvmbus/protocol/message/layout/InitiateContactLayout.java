package io.jvmbus.protocol.message.layout;

/**
 * Layout of INITIATE_CONTACT in its 40-byte form (message 14, Linux struct vmbus_channel_initiate_contact): the
 * guest asks for a protocol version. The 56-byte form is {@link InitiateContact2Layout}. Offsets are absolute from
 * the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | version_requested u32                        |
 *       12      +----------------------------------------------+
 *             4 | target_message_vp u32                        |
 *       16      +----------------------------------------------+
 *             8 | interrupt_page_or_target_info u64            |
 *       24      +----------------------------------------------+
 *             8 | parent_to_child_monitor_page_gpa u64         |
 *       32      +----------------------------------------------+
 *             8 | child_to_parent_monitor_page_gpa u64         |
 *       40      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class InitiateContactLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code version_requested}: exact (major << 16 | minor). */
    public static final int VERSION_REQUESTED_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code version_requested}. */
    public static final int VERSION_REQUESTED_SIZE = 4;

    /** Offset of {@code target_message_vp}: VP for host messages (Linux target_vcpu). */
    public static final int TARGET_MESSAGE_VP_OFFSET = VERSION_REQUESTED_OFFSET + VERSION_REQUESTED_SIZE;

    /** Size of {@code target_message_vp}. */
    public static final int TARGET_MESSAGE_VP_SIZE = 4;

    /** Offset of {@code interrupt_page_or_target_info}: interrupt page GPA below 5.0, {@link TargetInfoLayout} from 5.0. */
    public static final int INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET = TARGET_MESSAGE_VP_OFFSET + TARGET_MESSAGE_VP_SIZE;

    /** Size of {@code interrupt_page_or_target_info}. */
    public static final int INTERRUPT_PAGE_OR_TARGET_INFO_SIZE = 8;

    /** Offset of {@code parent_to_child_monitor_page_gpa}: MNF page the host writes (Linux monitor_page1). */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET =
            INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET + INTERRUPT_PAGE_OR_TARGET_INFO_SIZE;

    /** Size of {@code parent_to_child_monitor_page_gpa}. */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE = 8;

    /** Offset of {@code child_to_parent_monitor_page_gpa}: MNF page the guest writes (Linux monitor_page2). */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET =
            PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET + PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE;

    /** Size of {@code child_to_parent_monitor_page_gpa}. */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE = 8;

    /** Size of the structure. */
    public static final int SIZE = CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET + CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE;

    /** Absolute offset of the target SINT (Linux msg_sint), inside interrupt_page_or_target_info. */
    public static final int TARGET_SINT_OFFSET = INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET + TargetInfoLayout.SINT_OFFSET;
    /** Absolute offset of the target VTL (Linux 6.12 msg_vtl), inside interrupt_page_or_target_info. */
    public static final int TARGET_VTL_OFFSET = INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET + TargetInfoLayout.VTL_OFFSET;
    /** Absolute offset of the requested feature flags (Linux 6.1 padding2), inside interrupt_page_or_target_info. */
    public static final int FEATURE_FLAGS_OFFSET =
            INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET + TargetInfoLayout.FEATURE_FLAGS_OFFSET;

    private InitiateContactLayout() {}
}
