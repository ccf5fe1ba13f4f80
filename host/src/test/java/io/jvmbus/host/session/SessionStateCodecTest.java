package io.jvmbus.host.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.jvmbus.host.session.savedstate.SavedDevice;
import io.jvmbus.host.session.savedstate.SavedSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The session state's envelope: exact refusals in the documented order, and no exception for any mutation. */
class SessionStateCodecTest {

    private static SavedSession session() {
        return SavedSession.newBuilder()
                .setVmName("vm")
                .setVpCount(2)
                .setRamBytes(1 << 20)
                .setCore(ByteString.copyFrom("JVMBUSSS-not-checked-here".getBytes(StandardCharsets.US_ASCII)))
                .addDevices(SavedDevice.newBuilder()
                        .setName("e0")
                        .setKind("echo")
                        .setInterfaceId(ByteString.copyFrom(new byte[16]))
                        .setInstanceId(ByteString.copyFrom(new byte[16]))
                        .setOpen(true))
                .build();
    }

    /** The header by hand (magic, version, flags, length, CRC32C over bytes 0..15 and the payload). */
    static byte[] envelope(final byte[] magic, final int version, final int flags, final byte[] payload) {
        final ByteBuffer b = ByteBuffer.allocate(20 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic)
                .putShort((short) version)
                .putShort((short) flags)
                .putInt(payload.length)
                .putInt(0);
        b.put(payload);
        final byte[] bytes = b.array();
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 16);
        crc.update(bytes, 20, payload.length);
        b.putInt(16, (int) crc.getValue());
        return bytes;
    }

    static final byte[] MAGIC = "JVMBUSHS".getBytes(StandardCharsets.US_ASCII);

    private static SessionStateCodec.ErrorKind kind(final byte[] blob) {
        return SessionStateCodec.decode(blob) instanceof SessionStateCodec.Decoded.Failed f ? f.kind() : null;
    }

    @Test
    void shouldRoundTripAndMatchTheHandBuiltEnvelope() {
        final byte[] blob = SessionStateCodec.encode(session());
        assertThat(blob).isEqualTo(envelope(MAGIC, 1, 0, session().toByteArray()));
        assertThat(SessionStateCodec.decode(blob))
                .isEqualTo(new SessionStateCodec.Decoded.Ok(session(), SessionStateCodec.FORMAT_VERSION));
    }

    @Test
    void shouldRefuseEachEnvelopeFaultWithItsKind() {
        final byte[] payload = session().toByteArray();
        assertThat(kind(new byte[19])).isEqualTo(SessionStateCodec.ErrorKind.TRUNCATED);
        assertThat(kind(envelope("JVMBUSSS".getBytes(StandardCharsets.US_ASCII), 1, 0, payload)))
                .isEqualTo(SessionStateCodec.ErrorKind.BAD_MAGIC);
        assertThat(kind(envelope(MAGIC, 2, 0, payload))).isEqualTo(SessionStateCodec.ErrorKind.UNSUPPORTED_VERSION);
        assertThat(kind(envelope(MAGIC, 0, 0, payload))).isEqualTo(SessionStateCodec.ErrorKind.UNSUPPORTED_VERSION);
        assertThat(kind(envelope(MAGIC, 1, 1, payload))).isEqualTo(SessionStateCodec.ErrorKind.BAD_FLAGS);
        final byte[] good = envelope(MAGIC, 1, 0, payload);
        assertThat(kind(Arrays.copyOf(good, good.length - 1))).isEqualTo(SessionStateCodec.ErrorKind.TRUNCATED);
        assertThat(kind(Arrays.copyOf(good, good.length + 1))).isEqualTo(SessionStateCodec.ErrorKind.TRAILING_BYTES);
        final byte[] flipped = good.clone();
        flipped[25] ^= 1;
        assertThat(kind(flipped)).isEqualTo(SessionStateCodec.ErrorKind.CHECKSUM);
        assertThat(kind(envelope(MAGIC, 1, 0, new byte[] {(byte) 0xFF})))
                .isEqualTo(SessionStateCodec.ErrorKind.MALFORMED);
        assertThat(kind(envelope(
                        MAGIC, 1, 0, session().toBuilder().setVpCount(0).build().toByteArray())))
                .isEqualTo(SessionStateCodec.ErrorKind.MALFORMED);
        assertThat(kind(envelope(
                        MAGIC,
                        1,
                        0,
                        session().toBuilder()
                                .setDevices(
                                        0, session().getDevices(0).toBuilder().setKind("disk"))
                                .build()
                                .toByteArray())))
                .isEqualTo(SessionStateCodec.ErrorKind.MALFORMED);
    }

    @Test
    void shouldNeverThrowForRandomMutations() {
        final long seed = new Random().nextLong();
        final Random r = new Random(seed);
        final byte[] good = SessionStateCodec.encode(session());
        for (int i = 0; i < 5_000; i++) {
            byte[] b = good.clone();
            switch (r.nextInt(3)) {
                case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 8));
                default -> {
                    r.nextBytes(b);
                    System.arraycopy(MAGIC, 0, b, 0, 8);
                }
            }
            final byte[] mutated = b;
            assertThat(SessionStateCodec.decode(mutated))
                    .as("seed %d step %d", seed, i)
                    .isNotNull();
        }
    }
}
