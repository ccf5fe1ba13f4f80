package io.jvmbus.protocol.transport;

/**
 * POST_RESULT (0x8002), server to VMM: the hypercall status of one POST_MESSAGE.
 *
 * <pre>
 *  0       2       4
 * +-------+-------+
 * | hv    | rsvd  |
 * | status| (u16) |
 * +-------+-------+
 * </pre>
 *
 * <p>Publication rule: exactly {@link #SIZE} bytes, one per POST_MESSAGE, in request order.
 */
public final class PostResultLayout {

    /** Offset of {@code hv_status}, u16. */
    public static final int HV_STATUS_OFFSET = 0;
    /** Offset of the reserved u16. */
    public static final int RESERVED_OFFSET = HV_STATUS_OFFSET + Short.BYTES;
    /** Body size. */
    public static final int SIZE = RESERVED_OFFSET + Short.BYTES;

    /** HV_STATUS_SUCCESS. */
    public static final int SUCCESS = 0;
    /** HV_STATUS_INVALID_PARAMETER: payload_size over 240. */
    public static final int INVALID_PARAMETER = 5;
    /** HV_STATUS_INVALID_PORT_ID. */
    public static final int INVALID_PORT_ID = 0x11;
    /** HV_STATUS_INVALID_CONNECTION_ID: nothing listens on that connection id. */
    public static final int INVALID_CONNECTION_ID = 0x12;
    /** HV_STATUS_INSUFFICIENT_BUFFERS: the server takes no input now; the guest retries. */
    public static final int INSUFFICIENT_BUFFERS = 0x13;

    private PostResultLayout() {}
}
