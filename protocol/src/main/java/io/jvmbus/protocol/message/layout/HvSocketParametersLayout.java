package io.jvmbus.protocol.message.layout;

/**
 * The Hyper-V socket interpretation of the 120-byte {@code user_defined} field of OFFER_CHANNEL, used when the offer
 * has {@code TLNPI_PROVIDER}. Offsets are relative to the start of {@code user_defined}; {@code version} and
 * {@code silo_id} are deliberately unaligned (the structure is packed). Bytes {@link #SIZE}..119 are zero.
 *
 * <pre>
 *   0               4     5     6               10                              26    28
 *   +---------------+-----+-----+---------------+-------------------------------+-----+
 *   | pipe_type u32 | acc | ctr | version u32   |        silo_id GUID           | pad |
 *   +---------------+-----+-----+---------------+-------------------------------+-----+
 *   acc = is_for_guest_accept u8, ctr = is_for_guest_container u8
 * </pre>
 *
 * <p>pipe_type is always BYTE (0); version PRE_RS5 = 0, RS5 = 1 (the reference server writes 1). Published once,
 * inside the offer.
 */
public final class HvSocketParametersLayout {

    /** Offset of pipe_type (u32). */
    public static final int PIPE_TYPE_OFFSET = 0;
    /** Size of pipe_type. */
    public static final int PIPE_TYPE_SIZE = 4;
    /** Offset of is_for_guest_accept (u8). */
    public static final int IS_FOR_GUEST_ACCEPT_OFFSET = PIPE_TYPE_OFFSET + PIPE_TYPE_SIZE;
    /** Size of is_for_guest_accept. */
    public static final int IS_FOR_GUEST_ACCEPT_SIZE = 1;
    /** Offset of is_for_guest_container (u8). */
    public static final int IS_FOR_GUEST_CONTAINER_OFFSET = IS_FOR_GUEST_ACCEPT_OFFSET + IS_FOR_GUEST_ACCEPT_SIZE;
    /** Size of is_for_guest_container. */
    public static final int IS_FOR_GUEST_CONTAINER_SIZE = 1;
    /** Offset of version (u32, unaligned). */
    public static final int VERSION_OFFSET = IS_FOR_GUEST_CONTAINER_OFFSET + IS_FOR_GUEST_CONTAINER_SIZE;
    /** Size of version. */
    public static final int VERSION_SIZE = 4;
    /** Offset of silo_id (GUID, unaligned). */
    public static final int SILO_ID_OFFSET = VERSION_OFFSET + VERSION_SIZE;
    /** Size of silo_id. */
    public static final int SILO_ID_SIZE = 16;
    /** Offset of the trailing padding. */
    public static final int PADDING_OFFSET = SILO_ID_OFFSET + SILO_ID_SIZE;
    /** Size of the trailing padding. */
    public static final int PADDING_SIZE = 2;
    /** Size of the structure (the rest of user_defined is zero). */
    public static final int SIZE = PADDING_OFFSET + PADDING_SIZE;
    /** Size of the whole user_defined field it lives in. */
    public static final int USER_DEFINED_SIZE = 120;

    private HvSocketParametersLayout() {}
}
