package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.testkit.process.ServeProcess;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The testkit's child-process launcher, run against the real {@code jvmbus serve}. */
@Timeout(90)
class ServeProcessTest {

    @TempDir
    Path dir;

    @Test
    void shouldStartServingAndStopOnTermWithTheSocketRemoved() throws Exception {
        final Path socket = dir.resolve("a.sock");
        final ServeProcess serve = ServeProcess.start(socket, dir);
        assertThat(serve.isAlive()).isTrue();
        assertThat(serve.pid()).isNotEqualTo(ProcessHandle.current().pid());
        try (TestVmm vmm = TestVmm.connect(socket, Duration.ofSeconds(10))) {
            vmm.hello("child");
            assertThat(vmm.control("{\"op\":\"inspect\"}")).contains("\"ok\":true");
        }
        serve.awaitLine(l -> l.contains("session 1: connected"), Duration.ofSeconds(10));
        final int status = serve.stop();
        assertThat(serve.isAlive()).isFalse();
        assertThat(serve.lines()).as("exit %d", status).anyMatch(l -> l.contains("server stopped"));
        assertThat(socket).doesNotExist();
        assertThat(serve.log()).content().contains("listening on " + socket);
    }

    @Test
    void shouldKillWithoutCleanUp() throws Exception {
        final Path socket = dir.resolve("k.sock");
        final ServeProcess serve = ServeProcess.start(socket, dir);
        assertThat(serve.kill()).isEqualTo(137);
        assertThat(serve.lines()).noneMatch(l -> l.contains("server stopped"));
        serve.close(); // idempotent after the kill
    }

    @Test
    void shouldReportAServeThatExitsBeforeListening() {
        final Path socket = dir.resolve("bad.sock");
        assertThatThrownBy(() -> ServeProcess.start(socket, dir, "--log-level", "loud"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("ended its output")
                .hasMessageContaining("loud");
    }
}
