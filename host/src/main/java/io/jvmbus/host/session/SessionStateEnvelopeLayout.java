package io.jvmbus.host.session;

import java.nio.charset.StandardCharsets;

/**
 * The envelope around a session's saved state (the SAVED/RESTORE frame body), so that a truncated, corrupted or newer
 * blob is recognised before any protobuf parsing. Same layout as the core's envelope, with its own magic.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 magic "JVMBUSHS" (8 ASCII bytes)              |  0
 * |                                                               |
 * +-------------------------------+-------------------------------+
 * |   format version (u16 LE)     |   flags (u16 LE, must be 0)   |  8
 * +-------------------------------+-------------------------------+
 * |              payload length in bytes (u32 LE)                 | 12
 * +---------------------------------------------------------------+
 * |     CRC32C of bytes 0..15 followed by the payload (u32 LE)    | 16
 * +---------------------------------------------------------------+
 * |     payload: one protobuf SavedSession (length bytes)         | 20
 * |                              ...                              |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Rule for writers: fill the header with the checksum field zero, write the payload, then compute the checksum
 * over header bytes 0..15 and the payload and store it last. Rule for readers: check, in this order, the header's
 * length, the magic, the format version (a newer one is refused before anything else is read), the flags, that
 * exactly {@code length} bytes follow, the checksum; only then parse the payload.
 */
public final class SessionStateEnvelopeLayout {

    /** The magic: the ASCII bytes {@code JVMBUSHS} (host session). */
    public static final byte[] MAGIC = "JVMBUSHS".getBytes(StandardCharsets.US_ASCII);

    /** Offset of the magic. */
    public static final int MAGIC_OFFSET = 0;

    /** Length of the magic. */
    public static final int MAGIC_LENGTH = MAGIC.length;

    /** Offset of the format version (u16 LE). */
    public static final int FORMAT_VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;

    /** Offset of the flags (u16 LE); no flag is defined, so they must be zero. */
    public static final int FLAGS_OFFSET = FORMAT_VERSION_OFFSET + Short.BYTES;

    /** Offset of the payload length (u32 LE). */
    public static final int PAYLOAD_LENGTH_OFFSET = FLAGS_OFFSET + Short.BYTES;

    /** Offset of the CRC32C (u32 LE). */
    public static final int CHECKSUM_OFFSET = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;

    /** Length of the header; the payload starts here. */
    public static final int HEADER_LENGTH = CHECKSUM_OFFSET + Integer.BYTES;

    private SessionStateEnvelopeLayout() {}
}
