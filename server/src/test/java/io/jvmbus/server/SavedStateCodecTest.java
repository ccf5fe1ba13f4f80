package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.savedstate.SavedServerState;
import io.jvmbus.testkit.wire.GuestMessages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The blob envelope: round trip, and a typed error (never an exception) for truncated, corrupted, newer, oversized
 * or unparsable blobs. Envelopes are built here independently of the production encoder.
 */
@Timeout(30)
final class SavedStateCodecTest {

    private static final ServerConfig CONFIG = ServerConfig.defaults();

    /** An envelope as docs/saved-state.md describes it. */
    static byte[] envelope(final int version, final int flags, final byte[] payload) {
        final ByteBuffer b = ByteBuffer.allocate(20 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("JVMBUSSS".getBytes(StandardCharsets.US_ASCII));
        b.putShort((short) version);
        b.putShort((short) flags);
        b.putInt(payload.length);
        b.putInt(0);
        b.put(payload);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, 16);
        crc.update(payload);
        b.putInt(16, (int) crc.getValue());
        return b.array();
    }

    /** A state with a bit of everything: connection, channels, GPADLs, a queued message. */
    private static ChannelServer sample() {
        final ServerHarness h = new ServerHarness(CONFIG);
        h.offer(1);
        h.offer(2);
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0x8);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(new OfferId(1), 10, 0);
        h.pend = true;
        h.sendOk(GuestMessages.openChannel(2, 5, 20, 0, 0));
        h.oc(new OfferId(2), 0);
        return h.server;
    }

    private static RestoreErrorKind decodeError(final byte[] blob) {
        final SavedStateCodec.Decoded d = SavedStateCodec.decode(blob, RestoreLimits.defaults(), CONFIG);
        assertThat(d).isInstanceOf(SavedStateCodec.Decoded.Failed.class);
        return ((SavedStateCodec.Decoded.Failed) d).error().kind();
    }

    @Test
    void shouldRoundTripTheStateThroughTheEnvelope() {
        final ChannelServer s = sample();
        final SavedServerState state = s.saveState();
        final byte[] blob = s.save();
        assertThat(Arrays.copyOf(blob, 8)).isEqualTo("JVMBUSSS".getBytes(StandardCharsets.US_ASCII));
        assertThat(blob).isEqualTo(envelope(1, 0, state.toByteArray()));
        final SavedStateCodec.Decoded d = SavedStateCodec.decode(blob, RestoreLimits.defaults(), CONFIG);
        assertThat(d).isEqualTo(new SavedStateCodec.Decoded.Ok(state, 1));
        assertThat(state.getOutgoingCount()).isEqualTo(1);
    }

    @Test
    void shouldRejectTruncatedBlobsAtEveryLength() {
        final byte[] blob = sample().save();
        for (int n = 0; n < blob.length; n++) {
            final RestoreErrorKind kind = decodeError(Arrays.copyOf(blob, n));
            assertThat(kind).as("length %d", n).isEqualTo(RestoreErrorKind.TRUNCATED);
        }
    }

    @Test
    void shouldRejectEverySingleBitFlip() {
        final byte[] blob = sample().save();
        for (int bit = 0; bit < blob.length * 8; bit++) {
            final byte[] bad = blob.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            final RestoreErrorKind kind = decodeError(bad);
            final int at = bit / 8;
            if (at < 8) {
                assertThat(kind).isEqualTo(RestoreErrorKind.BAD_MAGIC);
            } else if (at >= 20) {
                assertThat(kind).as("payload bit %d", bit).isEqualTo(RestoreErrorKind.CHECKSUM_MISMATCH);
            } else {
                assertThat(kind).as("header bit %d", bit).isNotNull();
            }
        }
    }

    @Test
    void shouldRejectNewerAndUnknownFormatVersions() {
        final byte[] payload = sample().saveState().toByteArray();
        assertThat(decodeError(envelope(2, 0, payload))).isEqualTo(RestoreErrorKind.UNSUPPORTED_FORMAT_VERSION);
        assertThat(decodeError(envelope(0xFFFF, 0, new byte[3])))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_FORMAT_VERSION);
        assertThat(decodeError(envelope(0, 0, payload))).isEqualTo(RestoreErrorKind.UNSUPPORTED_FORMAT_VERSION);
    }

    @Test
    void shouldRejectFlagsTrailingBytesAndBadMagic() {
        final byte[] payload = sample().saveState().toByteArray();
        assertThat(decodeError(envelope(1, 1, payload))).isEqualTo(RestoreErrorKind.BAD_HEADER);
        final byte[] trailing = Arrays.copyOf(envelope(1, 0, payload), 20 + payload.length + 1);
        assertThat(decodeError(trailing)).isEqualTo(RestoreErrorKind.BAD_HEADER);
        final byte[] magic = envelope(1, 0, payload);
        magic[7] = 'X';
        assertThat(decodeError(magic)).isEqualTo(RestoreErrorKind.BAD_MAGIC);
        assertThat(decodeError(null)).isEqualTo(RestoreErrorKind.TRUNCATED);
    }

    @Test
    void shouldRejectPayloadsThatDoNotParse() {
        // A length-delimited field whose length runs past the end.
        assertThat(decodeError(envelope(1, 0, new byte[] {0x12, 0x7F, 0x01}))).isEqualTo(RestoreErrorKind.MALFORMED);
        // A group nested beyond the recursion limit.
        final byte[] deep = new byte[200];
        Arrays.fill(deep, (byte) 0x0B); // start group, field 1
        assertThat(decodeError(envelope(1, 0, deep))).isEqualTo(RestoreErrorKind.MALFORMED);
        // A well-formed payload without a connection parses, and is refused by the restore.
        final ServerHarness r = new ServerHarness(CONFIG);
        assertThat(r.server.restore(envelope(1, 0, new byte[0])).errorKind()).isEqualTo(RestoreErrorKind.MALFORMED);
    }

    @Test
    void shouldCountEntriesBeforeBuildingThem() {
        // 5,000 empty channel entries (field 2, length 0): 10 KB of input, refused before protobuf builds them.
        final byte[] payload = new byte[10_000];
        for (int i = 0; i < payload.length; i += 2) {
            payload[i] = 0x12;
        }
        assertThat(decodeError(envelope(1, 0, payload))).isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
        final byte[] gpadls = payload.clone();
        for (int i = 0; i < gpadls.length; i += 2) {
            gpadls[i] = 0x1A;
        }
        assertThat(decodeError(envelope(1, 0, gpadls))).isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRejectBlobsLargerThanTheLimit() {
        final byte[] blob = sample().save();
        final SavedStateCodec.Decoded d =
                SavedStateCodec.decode(blob, new RestoreLimits(ProtocolVersion.COPPER, -1, blob.length - 1), CONFIG);
        assertThat(((SavedStateCodec.Decoded.Failed) d).error().kind()).isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
    }
}
