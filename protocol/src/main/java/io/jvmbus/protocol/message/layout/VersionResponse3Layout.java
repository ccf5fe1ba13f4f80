package io.jvmbus.protocol.message.layout;

/**
 * Layout of VERSION_RESPONSE in its 40-byte form (VersionResponse3, message 15): {@link VersionResponse2Layout}
 * followed by server-supplied monitor pages. Selected when the payload is at least 32 bytes. Offsets are absolute,
 * header included. Linux 6.1 has no such struct.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            20 | VersionResponse2                             |
 *       20      +----------------------------------------------+
 *             4 | _padding u32                                 |
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
public final class VersionResponse3Layout {

    /** Offset of {@code VersionResponse2}: the 20-byte form, header included ({@link VersionResponse2Layout}). */
    public static final int VERSION_RESPONSE2_OFFSET = 0;

    /** Size of {@code VersionResponse2}. */
    public static final int VERSION_RESPONSE2_SIZE = VersionResponse2Layout.SIZE;

    /** Offset of {@code _padding}: zero (aligns the u64s). */
    public static final int PADDING_OFFSET = VERSION_RESPONSE2_OFFSET + VERSION_RESPONSE2_SIZE;

    /** Size of {@code _padding}. */
    public static final int PADDING_SIZE = 4;

    /** Offset of {@code parent_to_child_monitor_page_gpa}: server-supplied page, may be 0. */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET = PADDING_OFFSET + PADDING_SIZE;

    /** Size of {@code parent_to_child_monitor_page_gpa}. */
    public static final int PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE = 8;

    /** Offset of {@code child_to_parent_monitor_page_gpa}: server-supplied page. */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET =
            PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET + PARENT_TO_CHILD_MONITOR_PAGE_GPA_SIZE;

    /** Size of {@code child_to_parent_monitor_page_gpa}. */
    public static final int CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE = 8;

    /** Size of the structure. */
    public static final int SIZE = CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET + CHILD_TO_PARENT_MONITOR_PAGE_GPA_SIZE;

    private VersionResponse3Layout() {}
}
