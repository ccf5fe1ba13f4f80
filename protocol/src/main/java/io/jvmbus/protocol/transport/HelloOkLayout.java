package io.jvmbus.protocol.transport;

/**
 * HELLO_OK (0x8001), server to VMM: HELLO accepted.
 *
 * <pre>
 *  0       2       4                       8                       12
 * +-------+-------+-----------------------+-----------------------+
 * | tver  | rsvd  | highest VMBus version | feature flags         |
 * | (u16) | (u16) | supported (u32)       | supported (u32)       |
 * +-------+-------+-----------------------+-----------------------+
 * </pre>
 *
 * <p>Publication rule: exactly {@link #SIZE} bytes, sent once per session, before any other answer.
 */
public final class HelloOkLayout {

    /** Offset of {@code transport_version}, u16. */
    public static final int TRANSPORT_VERSION_OFFSET = 0;
    /** Offset of the reserved u16. */
    public static final int RESERVED_OFFSET = TRANSPORT_VERSION_OFFSET + Short.BYTES;
    /** Offset of the highest VMBus protocol version, u32 ({@code major << 16 | minor}). */
    public static final int MAX_VERSION_OFFSET = RESERVED_OFFSET + Short.BYTES;
    /** Offset of the supported feature flags, u32. */
    public static final int FEATURE_FLAGS_OFFSET = MAX_VERSION_OFFSET + Integer.BYTES;
    /** Body size. */
    public static final int SIZE = FEATURE_FLAGS_OFFSET + Integer.BYTES;

    private HelloOkLayout() {}
}
