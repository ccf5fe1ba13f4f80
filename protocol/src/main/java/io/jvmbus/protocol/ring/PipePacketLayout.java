package io.jvmbus.protocol.ring;

/**
 * The 8-byte header Hyper-V's byte-pipe channels put at the start of every in-band packet's payload, followed by the
 * stream bytes it counts. Little-endian.
 *
 * <pre>
 *   0                               4                               8
 *   +-------------------------------+-------------------------------+----------------------+
 *   |        pkt_type u32 (1)       |        data_size u32          |  data_size bytes ... |
 *   +-------------------------------+-------------------------------+----------------------+
 * </pre>
 *
 * <p>The header lives inside a ring packet's payload, so it is published with the packet (see {@link
 * PacketDescriptorLayout}); a reader validates {@code data_size} against the payload length it read once, because
 * the other side can rewrite both at any time.
 */
public final class PipePacketLayout {

    /** Offset of pkt_type (u32). */
    public static final int TYPE_OFFSET = 0;
    /** Size of pkt_type. */
    public static final int TYPE_SIZE = 4;
    /** Offset of data_size (u32): stream bytes after the header. */
    public static final int DATA_SIZE_OFFSET = TYPE_OFFSET + TYPE_SIZE;
    /** Size of data_size. */
    public static final int DATA_SIZE_SIZE = 4;
    /** Bytes before the stream data. */
    public static final int HEADER_BYTES = DATA_SIZE_OFFSET + DATA_SIZE_SIZE;

    /** pkt_type of a packet carrying stream bytes. */
    public static final int TYPE_DATA = 1;

    private PipePacketLayout() {}
}
