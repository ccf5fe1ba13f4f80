package io.jvmbus.host.session;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jvmbus.host.device.DeviceKind;
import io.jvmbus.host.session.savedstate.SavedDevice;
import io.jvmbus.host.session.savedstate.SavedSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes a session's saved state: {@link SessionStateEnvelopeLayout} around a protobuf {@link
 * SavedSession}. Decoding never throws: a bad blob is a typed {@link Decoded.Failed}.
 */
public final class SessionStateCodec {

    /** The format version this server writes. */
    public static final int FORMAT_VERSION = 1;

    /** The oldest format version this server reads. */
    public static final int OLDEST_FORMAT_VERSION = 1;

    /** Why a blob was refused. */
    public enum ErrorKind {
        /** Shorter than the header, or than the header says. */
        TRUNCATED,
        /** Not a session blob (e.g. a core blob, "JVMBUSSS", or anything else). */
        BAD_MAGIC,
        /** A format version this server does not know (newer, or older than it reads). */
        UNSUPPORTED_VERSION,
        /** Flags set that no version defines. */
        BAD_FLAGS,
        /** Bytes after the payload. */
        TRAILING_BYTES,
        /** The CRC32C does not match. */
        CHECKSUM,
        /** The payload does not parse, or a field is out of range. */
        MALFORMED
    }

    /** The outcome of {@link #decode}. */
    public sealed interface Decoded {
        /**
         * A valid blob.
         *
         * @param session the state
         * @param formatVersion the blob's format version
         */
        record Ok(SavedSession session, int formatVersion) implements Decoded {}

        /**
         * A refused blob.
         *
         * @param kind why
         * @param detail the value seen and the expectation
         */
        record Failed(ErrorKind kind, String detail) implements Decoded {
            @Override
            public String toString() {
                return kind + ": " + detail;
            }
        }
    }

    private SessionStateCodec() {}

    /**
     * Wraps a session state in its envelope.
     *
     * @param session the state
     * @return the blob
     */
    public static byte[] encode(final SavedSession session) {
        final byte[] payload = session.toByteArray();
        final ByteBuffer b = ByteBuffer.allocate(SessionStateEnvelopeLayout.HEADER_LENGTH + payload.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(SessionStateEnvelopeLayout.MAGIC_OFFSET, SessionStateEnvelopeLayout.MAGIC);
        b.putShort(SessionStateEnvelopeLayout.FORMAT_VERSION_OFFSET, (short) FORMAT_VERSION);
        b.putShort(SessionStateEnvelopeLayout.FLAGS_OFFSET, (short) 0);
        b.putInt(SessionStateEnvelopeLayout.PAYLOAD_LENGTH_OFFSET, payload.length);
        b.putInt(SessionStateEnvelopeLayout.CHECKSUM_OFFSET, 0);
        b.put(SessionStateEnvelopeLayout.HEADER_LENGTH, payload);
        final byte[] blob = b.array();
        b.putInt(SessionStateEnvelopeLayout.CHECKSUM_OFFSET, checksum(blob));
        return blob;
    }

    /**
     * Whether the bytes start with this envelope's magic (to tell a session blob from a core blob).
     *
     * @param blob the bytes
     * @return true if the magic matches
     */
    public static boolean hasMagic(final byte[] blob) {
        return blob.length >= SessionStateEnvelopeLayout.MAGIC_LENGTH
                && Arrays.equals(
                        blob,
                        SessionStateEnvelopeLayout.MAGIC_OFFSET,
                        SessionStateEnvelopeLayout.MAGIC_LENGTH,
                        SessionStateEnvelopeLayout.MAGIC,
                        0,
                        SessionStateEnvelopeLayout.MAGIC_LENGTH);
    }

    /** CRC32C over header bytes 0..15 and the payload (the checksum field itself excluded). */
    private static int checksum(final byte[] blob) {
        final CRC32C crc = new CRC32C();
        crc.update(blob, 0, SessionStateEnvelopeLayout.CHECKSUM_OFFSET);
        crc.update(
                blob, SessionStateEnvelopeLayout.HEADER_LENGTH, blob.length - SessionStateEnvelopeLayout.HEADER_LENGTH);
        return (int) crc.getValue();
    }

    /**
     * Checks and parses a blob.
     *
     * @param blob the bytes (a RESTORE body or a saved file)
     * @return the state, or why not
     */
    public static Decoded decode(final byte[] blob) {
        if (blob.length < SessionStateEnvelopeLayout.HEADER_LENGTH) {
            return fail(
                    ErrorKind.TRUNCATED,
                    "blob of " + blob.length + " bytes (expected: >= " + SessionStateEnvelopeLayout.HEADER_LENGTH
                            + ", the envelope header)");
        }
        if (!hasMagic(blob)) {
            return fail(
                    ErrorKind.BAD_MAGIC,
                    "magic " + printable(blob) + " (expected: \""
                            + new String(SessionStateEnvelopeLayout.MAGIC, StandardCharsets.US_ASCII) + "\")");
        }
        final ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        final int version = Short.toUnsignedInt(b.getShort(SessionStateEnvelopeLayout.FORMAT_VERSION_OFFSET));
        if (version < OLDEST_FORMAT_VERSION || version > FORMAT_VERSION) {
            return fail(
                    ErrorKind.UNSUPPORTED_VERSION,
                    "format version " + version + " (expected: " + OLDEST_FORMAT_VERSION + ".." + FORMAT_VERSION + ")");
        }
        final int flags = Short.toUnsignedInt(b.getShort(SessionStateEnvelopeLayout.FLAGS_OFFSET));
        if (flags != 0) {
            return fail(ErrorKind.BAD_FLAGS, "flags=0x" + Integer.toHexString(flags) + " (expected: 0)");
        }
        final long length = Integer.toUnsignedLong(b.getInt(SessionStateEnvelopeLayout.PAYLOAD_LENGTH_OFFSET));
        final long have = blob.length - SessionStateEnvelopeLayout.HEADER_LENGTH;
        if (have < length) {
            return fail(ErrorKind.TRUNCATED, "payload of " + have + " bytes (expected: " + length + ")");
        }
        if (have > length) {
            return fail(ErrorKind.TRAILING_BYTES, (have - length) + " bytes after the payload (expected: none)");
        }
        final int stored = b.getInt(SessionStateEnvelopeLayout.CHECKSUM_OFFSET);
        final int computed = checksum(blob);
        if (stored != computed) {
            return fail(
                    ErrorKind.CHECKSUM,
                    "crc32c=0x" + Integer.toHexString(stored) + " (expected: 0x" + Integer.toHexString(computed) + ")");
        }
        final SavedSession s;
        try {
            s = SavedSession.parseFrom(ByteBuffer.wrap(blob, SessionStateEnvelopeLayout.HEADER_LENGTH, (int) length));
        } catch (final InvalidProtocolBufferException e) {
            return fail(ErrorKind.MALFORMED, "payload does not parse: " + e.getMessage());
        }
        final String invalid = validate(s);
        return invalid == null ? new Decoded.Ok(s, version) : fail(ErrorKind.MALFORMED, invalid);
    }

    private static String validate(final SavedSession s) {
        if (s.getCore().isEmpty()) {
            return "core state of 0 bytes (expected: the core's blob)";
        }
        if (s.getVpCount() < 1 || s.getVpCount() > SessionEngine.MAX_VP_COUNT) {
            return "vp_count=" + Integer.toUnsignedString(s.getVpCount()) + " (expected: 1.."
                    + SessionEngine.MAX_VP_COUNT + ")";
        }
        for (int i = 0; i < s.getDevicesCount(); i++) {
            final SavedDevice d = s.getDevices(i);
            if (d.getInterfaceId().size() != 16 || d.getInstanceId().size() != 16) {
                return "device " + i + " ('" + d.getName() + "'): interface/instance id of "
                        + d.getInterfaceId().size() + "/" + d.getInstanceId().size() + " bytes (expected: 16 each)";
            }
            if (Integer.compareUnsigned(d.getSubchannelIndex(), 0xFFFF) > 0) {
                return "device " + i + " ('" + d.getName() + "'): subchannel_index="
                        + Integer.toUnsignedString(d.getSubchannelIndex()) + " (expected: 0..65535)";
            }
            if (DeviceKind.of(d.getKind()).isEmpty()) {
                return "device " + i + " ('" + d.getName() + "'): kind '" + d.getKind()
                        + "' (expected: echo, manual or pipe)";
            }
        }
        return null;
    }

    private static String printable(final byte[] blob) {
        final StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < SessionStateEnvelopeLayout.MAGIC_LENGTH; i++) {
            final int c = blob[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }

    private static Decoded fail(final ErrorKind kind, final String detail) {
        return new Decoded.Failed(kind, detail);
    }
}
