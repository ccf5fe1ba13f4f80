package io.jvmbus.host.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.Guid;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    private static ControlRequest parse(final String json) throws ControlException {
        return ControlCodec.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final String INST = "11111111-0000-0000-0000-000000000001";

    @Test
    void shouldParseOfferWithEveryOptionalField() throws ControlException {
        final ControlRequest r = parse("{\"op\":\"offer\",\"name\":\"n\",\"device\":\"echo\",\"interface\":\"" + IFACE
                + "\",\"instance\":\"" + INST + "\",\"flags\":8192,\"mmio_mb\":16,\"user_defined\":\"0a0B\","
                + "\"subchannels\":3,\"mnf\":true,\"order\":7}");
        final ControlRequest.Offer o = (ControlRequest.Offer) r;
        assertThat(o.interfaceId()).isEqualTo(Guid.parse(IFACE));
        assertThat(o.flags()).isEqualTo(8192);
        assertThat(o.mmioMegabytes()).isEqualTo(16);
        assertThat(o.userDefined().toArray()).containsExactly(0x0a, 0x0b);
        assertThat(o.subchannels()).isEqualTo(3);
        assertThat(o.mnf()).isTrue();
        assertThat(o.order()).hasValue(7);
    }

    @Test
    void shouldRefuseOutOfRangeAndMistypedOfferFields() {
        final String base = "{\"op\":\"offer\",\"name\":\"n\",\"device\":\"echo\",\"interface\":\"" + IFACE
                + "\",\"instance\":\"" + INST + "\"";
        assertThatThrownBy(() -> parse(base + ",\"flags\":65536}")).hasMessageContaining("flags=65536");
        assertThatThrownBy(() -> parse(base + ",\"user_defined\":\"" + "00".repeat(121) + "\"}"))
                .hasMessageContaining("at most 240");
        assertThatThrownBy(() -> parse(base + ",\"user_defined\":\"zz\"}")).hasMessageContaining("hex");
        assertThatThrownBy(() -> parse(base + ",\"mnf\":1}")).hasMessageContaining("true or false");
        assertThatThrownBy(() -> parse(base + ",\"subchannels\":1.5}")).hasMessageContaining("integer");
        assertThatThrownBy(() -> parse(base.replace(IFACE, "nope") + "}")).hasMessageContaining("interface='nope'");
        assertThatThrownBy(() -> parse(base.replace("\"n\"", "\"\"") + "}")).hasMessageContaining("name length=0");
    }

    @Test
    void shouldParseCompleteAndRequireGpadlWhereNeeded() throws ControlException {
        final ControlRequest.Complete c = (ControlRequest.Complete)
                parse("{\"op\":\"complete\",\"name\":\"m\",\"request\":\"open\",\"status\":0}");
        assertThat(c.request()).isEqualTo(ControlRequest.RequestKind.OPEN);
        assertThat(((ControlRequest.Complete)
                                parse(
                                        "{\"op\":\"complete\",\"name\":\"m\",\"request\":\"gpadl\",\"status\":3221225473,\"gpadl\":5}"))
                        .status())
                .isEqualTo(0xC0000001);
        assertThatThrownBy(() -> parse("{\"op\":\"complete\",\"name\":\"m\",\"request\":\"teardown\",\"status\":0}"))
                .hasMessageContaining("gpadl missing");
        assertThatThrownBy(() -> parse("{\"op\":\"complete\",\"name\":\"m\",\"request\":\"jump\",\"status\":0}"))
                .hasMessageContaining("request 'jump'");
    }

    @Test
    void shouldBoundTheInput() {
        final byte[] huge = new byte[ControlCodec.MAX_DOCUMENT_BYTES + 1];
        assertThatThrownBy(() -> ControlCodec.parse(huge)).isInstanceOf(ControlException.class);
        assertThatThrownBy(() -> parse("{\"op\":\"" + "x".repeat(5000) + "\"}")).isInstanceOf(ControlException.class);
        assertThatThrownBy(() -> parse("{\"op\":\"inspect\",\"vm\":" + "1".repeat(100) + "}"))
                .isInstanceOf(ControlException.class);
    }

    @Test
    void shouldParseConfigOffersAndRefuseDuplicateNames() throws ControlException {
        final String entry =
                "{\"name\":\"a\",\"device\":\"echo\",\"interface\":\"" + IFACE + "\",\"instance\":\"" + INST + "\"}";
        assertThat(ConfigFile.parse(("{\"offers\":[" + entry + "]}").getBytes(StandardCharsets.UTF_8))
                        .offers())
                .hasSize(1);
        assertThatThrownBy(() -> ConfigFile.parse(
                        ("{\"offers\":[" + entry + "," + entry + "]}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("offers[1]: name 'a' used twice");
        assertThatThrownBy(() -> ConfigFile.parse("{\"devices\":[]}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("unknown field 'devices'");
    }
}
