package io.jvmbus.host.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LoopbackAddressTest {

    @Test
    void shouldAcceptLoopbackAddresses() {
        assertThat(LoopbackAddress.parse("127.0.0.1:7000").getPort()).isEqualTo(7000);
        assertThat(LoopbackAddress.parse("127.1.2.3:0").getAddress().isLoopbackAddress())
                .isTrue();
        assertThat(LoopbackAddress.parse("[::1]:9").getAddress().isLoopbackAddress())
                .isTrue();
        assertThat(LoopbackAddress.parse("localhost:9").getAddress().isLoopbackAddress())
                .isTrue();
    }

    @Test
    void shouldRefuseEveryOtherAddress() {
        for (final String bad : new String[] {"0.0.0.0:7000", "10.0.0.1:7000", "[::]:7000", "192.168.1.1:1"}) {
            assertThatThrownBy(() -> LoopbackAddress.parse(bad)).as(bad).hasMessageContaining("not a loopback");
        }
        assertThatThrownBy(() -> LoopbackAddress.parse("example.com:80")).hasMessageContaining("IP literal");
        assertThatThrownBy(() -> LoopbackAddress.parse("127.0.0.1")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> LoopbackAddress.parse("127.0.0.1:70000")).hasMessageContaining("0..65535");
    }

    @Test
    void shouldRefuseNonLoopbackInServerOptions() {
        assertThatThrownBy(() -> new HostServer.Options(
                        java.nio.file.Path.of("/tmp/x"),
                        new java.net.InetSocketAddress("0.0.0.0", 1),
                        HostServerTest.env(io.jvmbus.host.control.ConfigFile.EMPTY),
                        1))
                .hasMessageContaining("loopback");
    }
}
