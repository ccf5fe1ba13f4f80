package io.jvmbus.protocol.transport;

/**
 * HELLO (0x0001), VMM to server: the first frame of a session.
 *
 * <pre>
 *  0       2       4               8                               16      18
 * +-------+-------+---------------+-------------------------------+-------+----------+-------+---------+
 * | tver  | rsvd  | vp_count (u32)| ram_bytes (u64)               | str ram_path     | str vm_name     |
 * | (u16) | (u16) |               |                               | (2 + n bytes)    | (2 + m bytes)   |
 * +-------+-------+---------------+-------------------------------+-------+----------+-------+---------+
 * </pre>
 *
 * <p>Publication rule: the body must be exactly {@code 18 + 2 + n + m} bytes, with both strs inside it; guest physical
 * address G is offset G of the file {@code ram_path}, for G below {@code ram_bytes}; an empty {@code ram_path} means
 * the server may touch no guest memory.
 */
public final class HelloLayout {

    /** Offset of {@code transport_version}, u16 (1). */
    public static final int TRANSPORT_VERSION_OFFSET = 0;
    /** Offset of the reserved u16 (0). */
    public static final int RESERVED_OFFSET = TRANSPORT_VERSION_OFFSET + Short.BYTES;
    /** Offset of {@code vp_count}, u32. */
    public static final int VP_COUNT_OFFSET = RESERVED_OFFSET + Short.BYTES;
    /** Offset of {@code ram_bytes}, u64. */
    public static final int RAM_BYTES_OFFSET = VP_COUNT_OFFSET + Integer.BYTES;
    /** Offset of the {@code ram_path} str. */
    public static final int RAM_PATH_OFFSET = RAM_BYTES_OFFSET + Long.BYTES;
    /** Size of a HELLO whose two strs are empty. */
    public static final int MIN_SIZE = RAM_PATH_OFFSET + 2 * StrLayout.MIN_SIZE;
    /** Size of the largest HELLO: two strs of 65535 bytes each. */
    public static final int MAX_SIZE = MIN_SIZE + 2 * StrLayout.MAX_BYTES;

    /** The only transport version this server speaks. */
    public static final int TRANSPORT_VERSION = 1;

    private HelloLayout() {}
}
