package io.jvmbus.host.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class UnixSocketBinderTest {

    @TempDir
    Path dir;

    @Test
    void shouldCreateSocketWithMode0600AndLeaveNoTemporaryDirectory() throws IOException {
        final Path p = dir.resolve("a.sock");
        final UnixSocketBinder.Bound b = UnixSocketBinder.bind(p, 4);
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                    .isEqualTo("rw-------");
            try (var list = Files.list(dir)) {
                assertThat(list.map(x -> x.getFileName().toString())).containsExactly("a.sock");
            }
            try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
                assertThat(c.isConnected()).isTrue();
            }
        } finally {
            b.channel().close();
            UnixSocketBinder.unlink(b);
        }
        assertThat(p).doesNotExist();
    }

    @Test
    void shouldReplaceStaleSocket() throws IOException {
        final Path p = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(p));
        } // closed: the file stays, nobody listens
        assertThat(p).exists();
        final UnixSocketBinder.Bound b = UnixSocketBinder.bind(p, 4);
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(p))) {
            assertThat(c.isConnected()).isTrue();
        } finally {
            b.channel().close();
            UnixSocketBinder.unlink(b);
        }
    }

    @Test
    void shouldRefuseLiveSocketAndNonSocketFile() throws IOException {
        final Path live = dir.resolve("live.sock");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(live));
            assertThatThrownBy(() -> UnixSocketBinder.bind(live, 4)).hasMessageContaining("live server");
        }
        final Path file = Files.writeString(dir.resolve("file"), "keep me");
        assertThatThrownBy(() -> UnixSocketBinder.bind(file, 4)).hasMessageContaining("not a socket");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void shouldNotRemoveASocketThatAnotherServerPutInItsPlace() throws IOException {
        final Path p = dir.resolve("shared.sock");
        final UnixSocketBinder.Bound first = UnixSocketBinder.bind(p, 4);
        first.channel().close(); // stale now
        final UnixSocketBinder.Bound second = UnixSocketBinder.bind(p, 4);
        try {
            UnixSocketBinder.unlink(first);
            assertThat(p).exists();
        } finally {
            second.channel().close();
            UnixSocketBinder.unlink(second);
        }
        assertThat(p).doesNotExist();
    }
}
