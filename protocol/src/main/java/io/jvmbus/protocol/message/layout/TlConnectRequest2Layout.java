package io.jvmbus.protocol.message.layout;

/**
 * Layout of TL_CONNECT_REQUEST in its 56-byte form (TlConnectRequest2, message 21): {@link TlConnectRequestLayout}
 * followed by a silo id. Selected when the negotiated version is at least 5.2 and the payload at least 48 bytes.
 * Offsets are absolute, header included. Linux 6.1 has no such struct.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            40 | TlConnectRequest                             |
 *       40      +----------------------------------------------+
 *            16 | silo_id GUID                                 |
 *       56      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class TlConnectRequest2Layout {

    /** Offset of {@code TlConnectRequest}: the 40-byte form, header included ({@link TlConnectRequestLayout}). */
    public static final int TL_CONNECT_REQUEST_OFFSET = 0;

    /** Size of {@code TlConnectRequest}. */
    public static final int TL_CONNECT_REQUEST_SIZE = TlConnectRequestLayout.SIZE;

    /** Offset of {@code silo_id}: the silo. */
    public static final int SILO_ID_OFFSET = TL_CONNECT_REQUEST_OFFSET + TL_CONNECT_REQUEST_SIZE;

    /** Size of {@code silo_id}. */
    public static final int SILO_ID_SIZE = 16;

    /** Size of the structure. */
    public static final int SIZE = SILO_ID_OFFSET + SILO_ID_SIZE;

    private TlConnectRequest2Layout() {}
}
