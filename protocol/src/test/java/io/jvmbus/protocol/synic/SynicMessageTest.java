package io.jvmbus.protocol.synic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.Blob;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SynicMessageTest {

    /** Test-side slot image: message_type u32 @0, payload_size u8 @4, flags u8 @5, reserved @6, sender u64 @8. */
    private static byte[] slot(
            final int type, final int payloadSize, final int flags, final long sender, final byte[] payload) {
        final byte[] b = new byte[256];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (type >>> (8 * i));
        }
        b[4] = (byte) payloadSize;
        b[5] = (byte) flags;
        for (int i = 0; i < 8; i++) {
            b[8 + i] = (byte) (sender >>> (8 * i));
        }
        System.arraycopy(payload, 0, b, 16, payload.length);
        return b;
    }

    private static SynicMessage decoded(final SynicMessage.Result r) {
        assertThat(r).isInstanceOf(SynicMessage.Decoded.class);
        return ((SynicMessage.Decoded) r).message();
    }

    @Test
    void shouldEncodeHeaderFieldsAndPayloadAtTheirOffsets() {
        final byte[] payload = {7, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0};
        final SynicMessage m = new SynicMessage(1, 1, 0x0000_0001_0000_0004L, Blob.of(payload));
        assertThat(m.encode()).containsExactly(slot(1, 12, 1, 0x0000_0001_0000_0004L, payload));
        assertThat(m.messagePending()).isTrue();
        assertThat(m.port()).isEqualTo(4);
    }

    @Test
    void shouldDecodeOnlyPayloadSizeBytesOfThePayloadArea() {
        final byte[] image = slot(1, 3, 0, 2, new byte[] {9, 8, 7, 6, 5});
        final SynicMessage m = decoded(SynicMessage.decode(image, 0));
        assertThat(m.payload()).isEqualTo(Blob.of(new byte[] {9, 8, 7}));
        assertThat(m.messageType()).isEqualTo(SynicMessageHeaderLayout.HVMSG_VMBUS);
        assertThat(m.isFree()).isFalse();
    }

    @Test
    void shouldRecogniseAFreeSlot() {
        assertThat(decoded(SynicMessage.decode(new byte[256], 0)).isFree()).isTrue();
    }

    @Test
    void shouldRejectPayloadSizeAbove240() {
        final SynicMessage.Result r = SynicMessage.decode(slot(1, 241, 0, 0, new byte[0]), 0);
        assertThat(r).isEqualTo(new SynicMessage.Failed(SynicMessage.Failed.Kind.PAYLOAD_TOO_LARGE, 241, 240));
        assertThat(((SynicMessage.Failed) r).describe()).isEqualTo("synic payload_size=241 (expected: <= 240)");
    }

    @Test
    void shouldRejectASlotImageShorterThan256Bytes() {
        final SynicMessage.Result r = SynicMessage.decode(new byte[300], 45);
        assertThat(r).isEqualTo(new SynicMessage.Failed(SynicMessage.Failed.Kind.TOO_SHORT, 255, 256));
        assertThat(SynicMessage.decode(new byte[10], -1)).isInstanceOf(SynicMessage.Failed.class);
        assertThat(SynicMessage.decode(new byte[10], 11)).isInstanceOf(SynicMessage.Failed.class);
    }

    @Test
    void shouldDecodeAtAnOffset() {
        final byte[] image = slot(1, 2, 0, 0, new byte[] {1, 2});
        final byte[] padded = new byte[256 + 9];
        System.arraycopy(image, 0, padded, 9, 256);
        assertThat(decoded(SynicMessage.decode(padded, 9)).payload()).isEqualTo(Blob.of(new byte[] {1, 2}));
    }

    @Test
    void shouldRejectOversizedPayloadAtConstruction() {
        assertThatThrownBy(() -> new SynicMessage(1, 0, 0, Blob.zeros(241)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload length=241 (expected: <= 240)");
    }

    @Test
    void shouldRoundTripRandomSlotImages() {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            final byte[] image = new byte[256];
            random.nextBytes(image);
            image[6] = 0;
            image[7] = 0;
            final SynicMessage.Result r = SynicMessage.decode(image, 0);
            if (r instanceof SynicMessage.Decoded(final SynicMessage m)) {
                final byte[] again = m.encode();
                // header and the used payload survive; reserved bytes and the unused payload tail are zeroed
                assertThat(Arrays.copyOf(again, 16 + m.payload().length()))
                        .as("seed=%d", seed)
                        .containsExactly(Arrays.copyOf(image, 16 + m.payload().length()));
            } else {
                assertThat(Byte.toUnsignedInt(image[4])).as("seed=%d", seed).isGreaterThan(240);
            }
        }
    }
}
