package io.jvmbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UserDefinedParametersTest {

    @Test
    void shouldEncodePipeParametersAtTheirOffsets() {
        final byte[] provider = new byte[112];
        provider[0] = 0x11;
        provider[111] = 0x22;
        final byte[] bytes = new PipeParameters(PipeParameters.PIPE_TYPE_MESSAGE, Blob.of(provider), 1)
                .encode()
                .toArray();
        assertThat(bytes).hasSize(120);
        assertThat(bytes[0]).isEqualTo((byte) 4);
        assertThat(bytes[4]).isEqualTo((byte) 0x11);
        assertThat(bytes[115]).isEqualTo((byte) 0x22);
        assertThat(bytes[116]).isEqualTo((byte) 1);
        assertThat(PipeParameters.decode(Blob.of(bytes)).providerData()).isEqualTo(Blob.of(provider));
    }

    @Test
    void shouldDecodeMessageModeDeviceParameters() {
        final byte[] bytes = new byte[120];
        bytes[0] = 4;
        assertThat(PipeParameters.decode(Blob.of(bytes))).isEqualTo(PipeParameters.messageMode());
    }

    @Test
    void shouldRejectUserDefinedOfWrongLength() {
        assertThatThrownBy(() -> PipeParameters.decode(Blob.zeros(119)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length=119 (expected: 120)");
        assertThatThrownBy(() -> HvSocketParameters.decode(Blob.zeros(28)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("length=28 (expected: 120)");
    }

    @Test
    void shouldEncodeHvSocketParametersUnaligned() {
        final Guid silo = Guid.parse("01020304-0506-0708-090a-0b0c0d0e0f10");
        final byte[] bytes = HvSocketParameters.of(true, false, silo).encode().toArray();
        assertThat(bytes).hasSize(120);
        // pipe_type BYTE = 0 at 0..3, accept at 4, container at 5, version 1 at 6..9 (unaligned)
        assertThat(bytes[0]).isZero();
        assertThat(bytes[4]).isEqualTo((byte) 1);
        assertThat(bytes[5]).isZero();
        assertThat(new byte[] {bytes[6], bytes[7], bytes[8], bytes[9]}).containsExactly(1, 0, 0, 0);
        // GUID mixed-endian at 10: data1 LE, data2 LE, data3 LE, data4 raw
        assertThat(java.util.Arrays.copyOfRange(bytes, 10, 26))
                .containsExactly(4, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16);
        for (int i = 26; i < 120; i++) {
            assertThat(bytes[i]).as("byte %d", i).isZero();
        }
        final HvSocketParameters decoded = HvSocketParameters.decode(Blob.of(bytes));
        assertThat(decoded.forGuestAccept()).isTrue();
        assertThat(decoded.forGuestContainer()).isFalse();
        assertThat(decoded.version()).isEqualTo(HvSocketParameters.VERSION_RS5);
        assertThat(decoded.siloId()).isEqualTo(silo);
    }

    @Test
    void shouldNameOfferFlagsWithReferenceAndLinuxNames() {
        assertThat(OfferFlags.describe(OfferFlags.HVSOCKET))
                .isEqualTo("enumerate_device_interface|named_pipe_mode|tlnpi_provider");
        assertThat(OfferFlags.describe(OfferFlags.LINUX_PARENT_OFFER | 0x8000)).isEqualTo("parent_offer|0x8000");
        assertThat(OfferFlags.LINUX_SERVER_SUPPORTS_GPADLS).isEqualTo(0x4);
        assertThat(OfferFlags.describe(0)).isEqualTo("none");
    }

    @Test
    void shouldClearConfidentialAndPinnedBitsUnlessNegotiated() {
        final int all = OfferFlags.CONFIDENTIAL_RING_BUFFER
                | OfferFlags.CONFIDENTIAL_EXTERNAL_MEMORY
                | OfferFlags.REQUIRE_PINNED_EXTERNAL_MEMORY
                | OfferFlags.ENUMERATE_DEVICE_INTERFACE;
        assertThat(OfferFlags.forConnection(all, 0)).isEqualTo(OfferFlags.ENUMERATE_DEVICE_INTERFACE);
        assertThat(OfferFlags.forConnection(all, FeatureFlags.CONFIDENTIAL_CHANNELS))
                .isEqualTo(all & ~OfferFlags.REQUIRE_PINNED_EXTERNAL_MEMORY);
        assertThat(OfferFlags.forConnection(all, FeatureFlags.CONFIDENTIAL_CHANNELS | FeatureFlags.GPA_PINNING))
                .isEqualTo(all);
    }

    @Test
    void shouldHonourRedirectInterruptOnlyWhenNegotiated() {
        assertThat(OpenChannelFlags.effective(0xFFFF, 0)).isZero();
        assertThat(OpenChannelFlags.effective(0xFFFF, FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION))
                .isEqualTo(OpenChannelFlags.REDIRECT_INTERRUPT);
        assertThat(OpenChannelFlags.redirectInterrupt(0xFFFE)).isFalse();
    }
}
