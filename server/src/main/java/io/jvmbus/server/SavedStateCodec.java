package io.jvmbus.server;

import static io.jvmbus.server.SavedStateEnvelopeLayout.CHECKSUM_OFFSET;
import static io.jvmbus.server.SavedStateEnvelopeLayout.FLAGS_OFFSET;
import static io.jvmbus.server.SavedStateEnvelopeLayout.FORMAT_VERSION_OFFSET;
import static io.jvmbus.server.SavedStateEnvelopeLayout.HEADER_LENGTH;
import static io.jvmbus.server.SavedStateEnvelopeLayout.MAGIC;
import static io.jvmbus.server.SavedStateEnvelopeLayout.PAYLOAD_LENGTH_OFFSET;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.jvmbus.server.savedstate.SavedServerState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Turns a {@link SavedServerState} into a self-describing blob and back (envelope: {@link SavedStateEnvelopeLayout}).
 *
 * <p>A blob is hostile input: decoding checks the envelope before parsing, counts the payload's repeated top-level
 * entries (channels, GPADLs, messages, hvsocket requests) against the server's limits before protobuf allocates
 * them, and parses with a recursion limit, so memory stays proportional to a bounded input. Every failure is a typed
 * {@link RestoreError}; nothing throws.
 */
public final class SavedStateCodec {

    /** The format version this build writes. */
    public static final int FORMAT_VERSION = 1;

    /** The oldest format version this build reads. */
    public static final int OLDEST_FORMAT_VERSION = 1;

    private static final int RECURSION_LIMIT = 16;

    private SavedStateCodec() {}

    /** The result of {@link #decode}. */
    public sealed interface Decoded {
        /**
         * The blob was well formed.
         *
         * @param state the payload
         * @param formatVersion its format version
         */
        record Ok(SavedServerState state, int formatVersion) implements Decoded {}

        /**
         * The blob was refused.
         *
         * @param error why
         */
        record Failed(RestoreError error) implements Decoded {}
    }

    /**
     * Wraps a state in the envelope.
     *
     * @param state the state
     * @return the blob
     */
    public static byte[] encode(final SavedServerState state) {
        Objects.requireNonNull(state, "state");
        final int length = state.getSerializedSize();
        final byte[] blob = new byte[HEADER_LENGTH + length];
        final ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, MAGIC);
        b.putShort(FORMAT_VERSION_OFFSET, (short) FORMAT_VERSION);
        b.putShort(FLAGS_OFFSET, (short) 0);
        b.putInt(PAYLOAD_LENGTH_OFFSET, length);
        try {
            state.writeTo(com.google.protobuf.CodedOutputStream.newInstance(blob, HEADER_LENGTH, length));
        } catch (final IOException e) {
            // Writing into an exactly sized array cannot run out of space.
            throw new IllegalStateException("saved state serialization", e);
        }
        b.putInt(CHECKSUM_OFFSET, checksum(blob, length));
        return blob;
    }

    /**
     * Checks the envelope and parses the payload, within the limits of a server.
     *
     * @param blob the bytes (not retained)
     * @param limits the blob size limit
     * @param config the server whose limits bound the repeated entries
     * @return the state, or why not
     */
    public static Decoded decode(final byte[] blob, final RestoreLimits limits, final ServerConfig config) {
        if (blob == null) {
            return failed(RestoreErrorKind.TRUNCATED, "blob=null (expected: bytes)");
        }
        if (blob.length > limits.maxBlobBytes()) {
            return failed(
                    RestoreErrorKind.LIMIT_EXCEEDED,
                    "blob length=" + blob.length + " (expected: <= " + limits.maxBlobBytes() + ")");
        }
        if (blob.length < HEADER_LENGTH) {
            return failed(
                    RestoreErrorKind.TRUNCATED,
                    "blob length=" + blob.length + " (expected: >= the " + HEADER_LENGTH + "-byte header)");
        }
        if (!Arrays.equals(blob, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return failed(RestoreErrorKind.BAD_MAGIC, "magic=" + hex(blob, 0, MAGIC.length) + " (expected: JVMBUSSS)");
        }
        final ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        final int version = Short.toUnsignedInt(b.getShort(FORMAT_VERSION_OFFSET));
        if (version > FORMAT_VERSION || version < OLDEST_FORMAT_VERSION) {
            return failed(
                    RestoreErrorKind.UNSUPPORTED_FORMAT_VERSION,
                    "format version=" + version + " (expected: " + OLDEST_FORMAT_VERSION + ".." + FORMAT_VERSION + ")");
        }
        final int flags = Short.toUnsignedInt(b.getShort(FLAGS_OFFSET));
        if (flags != 0) {
            return failed(RestoreErrorKind.BAD_HEADER, "flags=0x" + Integer.toHexString(flags) + " (expected: 0)");
        }
        final long length = Integer.toUnsignedLong(b.getInt(PAYLOAD_LENGTH_OFFSET));
        final long present = blob.length - (long) HEADER_LENGTH;
        if (present < length) {
            return failed(
                    RestoreErrorKind.TRUNCATED,
                    "payload bytes=" + present + " (expected: the declared length " + length + ")");
        }
        if (present > length) {
            return failed(
                    RestoreErrorKind.BAD_HEADER,
                    "payload bytes=" + present + " (expected: the declared length " + length + ", nothing after)");
        }
        final int stored = b.getInt(CHECKSUM_OFFSET);
        final int actual = checksum(blob, (int) length);
        if (stored != actual) {
            return failed(
                    RestoreErrorKind.CHECKSUM_MISMATCH,
                    "crc32c=0x" + Integer.toHexString(stored) + " (expected: 0x" + Integer.toHexString(actual) + ")");
        }
        final RestoreError tooMany = countEntries(blob, (int) length, config);
        if (tooMany != null) {
            return new Decoded.Failed(tooMany);
        }
        try {
            final CodedInputStream in = CodedInputStream.newInstance(blob, HEADER_LENGTH, (int) length);
            in.setRecursionLimit(RECURSION_LIMIT);
            final SavedServerState state = SavedServerState.parseFrom(in);
            return new Decoded.Ok(state, version);
        } catch (final InvalidProtocolBufferException e) {
            return failed(RestoreErrorKind.MALFORMED, "payload does not parse: " + e.getMessage());
        } catch (final IOException | RuntimeException e) {
            return failed(RestoreErrorKind.MALFORMED, "payload does not parse: " + e);
        }
    }

    /**
     * Counts the top-level repeated entries without building them, so a payload of millions of tiny entries is
     * refused before protobuf allocates an object for each.
     */
    private static RestoreError countEntries(final byte[] blob, final int length, final ServerConfig config) {
        final int[] count = new int[6];
        final int[] max = {
            0,
            0,
            config.channelLimit(),
            config.maxGpadls(),
            config.maxQueuedMessages(),
            config.maxOutstandingHvsockRequests()
        };
        final String[] name = {"", "", "channels", "gpadls", "outgoing messages", "hvsock requests"};
        try {
            final CodedInputStream in = CodedInputStream.newInstance(blob, HEADER_LENGTH, length);
            in.setRecursionLimit(RECURSION_LIMIT);
            while (true) {
                final int tag = in.readTag();
                if (tag == 0) {
                    return null;
                }
                final int field = WireFormat.getTagFieldNumber(tag);
                if (field >= 2
                        && field <= 5
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    if (++count[field] > max[field]) {
                        return new RestoreError(
                                RestoreErrorKind.LIMIT_EXCEEDED,
                                name[field] + " > " + max[field] + " (expected: at most this server's limit)");
                    }
                }
                if (!in.skipField(tag)) {
                    return null;
                }
            }
        } catch (final IOException | RuntimeException e) {
            return new RestoreError(RestoreErrorKind.MALFORMED, "payload does not parse: " + e.getMessage());
        }
    }

    private static int checksum(final byte[] blob, final int payloadLength) {
        final CRC32C crc = new CRC32C();
        crc.update(blob, 0, CHECKSUM_OFFSET);
        crc.update(blob, HEADER_LENGTH, payloadLength);
        return (int) crc.getValue();
    }

    private static String hex(final byte[] b, final int from, final int to) {
        final StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            s.append(String.format("%02x", b[i] & 0xFF));
        }
        return s.toString();
    }

    private static Decoded failed(final RestoreErrorKind kind, final String detail) {
        return new Decoded.Failed(new RestoreError(kind, detail));
    }
}
