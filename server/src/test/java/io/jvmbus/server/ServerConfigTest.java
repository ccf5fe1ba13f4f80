package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.ProtocolVersion;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Configuration defaults, properties and validation. */
class ServerConfigTest {

    @Test
    void shouldDefaultToTheDocumentedValues() {
        final ServerConfig c = ServerConfig.defaults();
        assertThat(c.maxVersion()).isEqualTo(ServerConfig.DEFAULT_MAX_VERSION);
        assertThat(c.maxChannels()).isEqualTo(2047);
        assertThat(c.channelLimit()).isEqualTo(2047);
        assertThat(c.maxQueuedMessages()).isEqualTo(ServerConfig.DEFAULT_MAX_QUEUED_MESSAGES);
        assertThat(c.maxOutstandingHvsockRequests()).isEqualTo(16);
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void shouldReadProperties() {
        final Properties p = new Properties();
        p.setProperty(ServerConfig.PROP_MAX_VERSION, "5.3");
        p.setProperty(ServerConfig.PROP_MAX_FEATURE_FLAGS, "0x2f");
        p.setProperty(ServerConfig.PROP_GPA_PINNING, "true");
        p.setProperty(ServerConfig.PROP_CHANNEL_ID_OFFSET, "1024");
        p.setProperty(ServerConfig.PROP_MAX_GPADL_BYTES_TOTAL, "1048576");
        final ServerConfig c = ServerConfig.fromProperties(p);
        assertThat(c.maxVersion()).isEqualTo(ProtocolVersion.IRON);
        assertThat(c.maxFeatureFlags()).isEqualTo(0x2f);
        assertThat(c.gpaPinning()).isTrue();
        assertThat(c.channelLimit()).isEqualTo(1023);
        assertThat(c.maxGpadlBytesTotal()).isEqualTo(1 << 20);
    }

    @Test
    void shouldNameTheBadSetting() {
        final Properties p = new Properties();
        p.setProperty(ServerConfig.PROP_MAX_VERSION, "7.0");
        assertThatThrownBy(() -> ServerConfig.fromProperties(p)).hasMessageContaining(ServerConfig.PROP_MAX_VERSION);
        final Properties q = new Properties();
        q.setProperty(ServerConfig.PROP_GPA_PINNING, "yes");
        assertThatThrownBy(() -> ServerConfig.fromProperties(q)).hasMessageContaining("expected: true or false");
        assertThatThrownBy(() -> ServerConfig.builder().maxQueuedMessages(100).build())
                .hasMessageContaining("maxQueuedMessages=100");
        assertThatThrownBy(() -> ServerConfig.builder().channelIdOffset(2047).build())
                .hasMessageContaining("channelIdOffset=2047");
        assertThatThrownBy(() -> ServerConfig.builder().maxGpadls(0).build()).hasMessageContaining("maxGpadls=0");
    }
}
