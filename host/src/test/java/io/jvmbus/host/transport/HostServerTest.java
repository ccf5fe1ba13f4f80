package io.jvmbus.host.transport;

import static io.jvmbus.testkit.transport.TestVmm.CONTROL;
import static io.jvmbus.testkit.transport.TestVmm.CONTROL_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.ERROR;
import static io.jvmbus.testkit.transport.TestVmm.HELLO;
import static io.jvmbus.testkit.transport.TestVmm.HELLO_OK;
import static io.jvmbus.testkit.transport.TestVmm.MESSAGE_SLOT_FREE;
import static io.jvmbus.testkit.transport.TestVmm.POST_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.POST_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.RESET;
import static io.jvmbus.testkit.transport.TestVmm.RESET_DONE;
import static io.jvmbus.testkit.transport.TestVmm.RESTORE;
import static io.jvmbus.testkit.transport.TestVmm.SAVE;
import static io.jvmbus.testkit.transport.TestVmm.SIGNAL_EVENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Drives a real {@link HostServer} over its real socket with the independent {@link TestVmm}. */
@Timeout(60)
class HostServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HostServer server;
    private Path socket;

    static SessionEnvironment env(final ConfigFile config) {
        return new SessionEnvironment(
                config,
                MappedFileRam::map,
                io.jvmbus.server.ServerConfig.builder()
                        .maxVersion(ProtocolVersion.IRON)
                        .build());
    }

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("s.sock");
        server = HostServer.start(new HostServer.Options(socket, null, env(ConfigFile.EMPTY), 256));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TestVmm vmm() throws IOException {
        return TestVmm.connect(socket, Duration.ofSeconds(5));
    }

    @Test
    void shouldAnswerHelloWithTransportVersionAndVmbusVersion() throws IOException {
        try (TestVmm vmm = vmm()) {
            final TestVmm.Frame ok = vmm.hello("vm-a");
            assertThat(ok.body()).hasSize(12);
            assertThat(ok.u16(0)).isEqualTo(1);
            assertThat(ok.u16(2)).isZero();
            assertThat(ok.u32(4)).isEqualTo(ProtocolVersion.IRON.code());
            assertThat(ok.u32(8)).isEqualTo(FeatureFlags.ALWAYS_SUPPORTED | FeatureFlags.CONFIDENTIAL_CHANNELS);
        }
    }

    @Test
    void shouldRefuseEveryFrameBeforeHelloAndStillAcceptHelloAfterwards() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.send(CONTROL, "{\"op\":\"inspect\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(vmm.expect(ERROR).errorMessage()).contains("before HELLO");
            vmm.send(RESET, new byte[0]);
            assertThat(vmm.expect(ERROR).errorMessage()).contains("before HELLO");
            vmm.hello("late");
        }
    }

    @Test
    void shouldRefuseSecondHelloAndUnknownTransportVersion() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.send(HELLO, TestVmm.helloBody(2, 1, 0, "", "v2"));
            final TestVmm.Frame e = vmm.expect(ERROR);
            assertThat(e.errorCode()).isEqualTo(5);
            assertThat(e.errorMessage()).contains("transport_version=2");
            vmm.hello("v1");
            vmm.send(HELLO, TestVmm.helloBody(1, 1, 0, "", "again"));
            assertThat(vmm.expect(ERROR).errorMessage()).contains("second HELLO");
        }
    }

    @Test
    void shouldRefuseHelloWithZeroVpsOrMissingRamFile() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.send(HELLO, TestVmm.helloBody(1, 0, 0, "", "novp"));
            assertThat(vmm.expect(ERROR).errorMessage()).contains("vp_count=0");
            vmm.send(
                    HELLO,
                    TestVmm.helloBody(1, 1, 1 << 20, dir.resolve("missing.ram").toString(), "noram"));
            final TestVmm.Frame e = vmm.expect(ERROR);
            assertThat(e.errorCode()).isEqualTo(7);
            assertThat(e.errorMessage()).contains("missing.ram");
            vmm.hello("fine");
        }
    }

    @Test
    void shouldMapRamFileNamedInHello() throws IOException {
        final Path ram = dir.resolve("guest.ram");
        try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        try (TestVmm vmm = vmm()) {
            vmm.send(HELLO, TestVmm.helloBody(1, 2, 1 << 20, ram.toString(), "with-ram"));
            vmm.expect(HELLO_OK);
        }
        try (TestVmm vmm = vmm()) {
            vmm.send(HELLO, TestVmm.helloBody(1, 2, 2 << 20, ram.toString(), "too-big"));
            assertThat(vmm.expect(ERROR).errorMessage()).contains("file size=" + (1 << 20));
        }
    }

    @Test
    void shouldAnswerUnknownKindWithErrorAndKeepTheSession() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("unknown-kind");
            vmm.send(0x0777, new byte[] {1, 2, 3});
            final TestVmm.Frame e = vmm.expect(ERROR);
            assertThat(e.errorCode()).isEqualTo(2);
            assertThat(e.errorMessage()).contains("0x0777");
            // a server-to-VMM kind sent by the VMM is unknown to the server too
            vmm.send(HELLO_OK, new byte[12]);
            assertThat(vmm.expect(ERROR).errorCode()).isEqualTo(2);
            assertThat(vmm.control("{\"op\":\"inspect\"}")).contains("\"ok\":true");
        }
    }

    @Test
    void shouldAnswerWrongBodySizesWithErrorAndKeepTheSession() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("sizes");
            final int[][] cases = {
                {SIGNAL_EVENT, 7}, {SIGNAL_EVENT, 9}, {MESSAGE_SLOT_FREE, 4}, {DELIVER_RESULT, 12},
                {SAVE, 1}, {RESET, 3}, {POST_MESSAGE, 15}, {HELLO, 5}
            };
            for (final int[] c : cases) {
                vmm.send(c[0], new byte[c[1]]);
                final TestVmm.Frame e = vmm.expect(ERROR);
                assertThat(e.errorCode())
                        .as("kind 0x%04x with %d bytes", c[0], c[1])
                        .isIn(3, 4);
                assertThat(e.errorMessage()).contains("length=" + c[1]);
            }
            // POST_MESSAGE whose payload_size contradicts the body
            final byte[] post = TestVmm.postBody(4, 0, 1, new byte[8]);
            post[12] = 9; // payload_size 9, body carries 8
            vmm.send(POST_MESSAGE, post);
            assertThat(vmm.expect(ERROR).errorMessage()).contains("payload_size=9");
            // a HELLO whose str length runs past the body
            vmm.send(RESET, new byte[0]);
            vmm.expect(RESET_DONE);
        }
    }

    @Test
    void shouldRejectHelloWithBadStrings() throws IOException {
        try (TestVmm vmm = vmm()) {
            final byte[] h = TestVmm.helloBody(1, 1, 0, "", "abc");
            h[18] = 9; // vm_name length 9 in a body that carries 3
            vmm.send(HELLO, h);
            assertThat(vmm.expect(ERROR).errorCode()).isEqualTo(3);
            final byte[] bad = TestVmm.helloBody(1, 1, 0, "", "ab");
            bad[bad.length - 1] = (byte) 0xC3; // a lone UTF-8 lead byte
            vmm.send(HELLO, bad);
            assertThat(vmm.expect(ERROR).errorMessage()).contains("not UTF-8");
            vmm.hello("good");
        }
    }

    @Test
    void shouldAnswerOversizePostWithInvalidParameter() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("big-post");
            vmm.send(POST_MESSAGE, TestVmm.postBody(1, 0, 1, new byte[241]));
            final TestVmm.Frame r = vmm.expect(POST_RESULT);
            assertThat(r.u16(0)).isEqualTo(5);
            vmm.send(POST_MESSAGE, TestVmm.postBody(1, 0, 1, new byte[100_000]));
            assertThat(vmm.expect(POST_RESULT).u16(0)).isEqualTo(5);
        }
    }

    @Test
    void shouldEndSessionAfterOversizeLengthButServeOthers() throws IOException, InterruptedException {
        try (TestVmm other = vmm();
                TestVmm vmm = vmm()) {
            other.hello("bystander");
            vmm.hello("oversize");
            vmm.sendRaw(TestVmm.header((16 << 20) + 1, CONTROL, 0));
            final List<TestVmm.Frame> last = vmm.awaitClose(CLOSE_WAIT);
            assertThat(last).hasSize(1);
            assertThat(last.get(0).kind()).isEqualTo(ERROR);
            assertThat(last.get(0).errorCode()).isEqualTo(1);
            assertThat(server.awaitSessionCount(1, CLOSE_WAIT)).isTrue();
            assertThat(other.control("{\"op\":\"inspect\"}")).contains("\"vm\":\"bystander\"");
        }
    }

    @Test
    void shouldAcceptMaximumLengthHeaderWithoutAllocatingItUpFront() throws IOException, InterruptedException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("max-claim");
            // claims 16 MiB of RESTORE, sends 4 bytes, then hangs up: the session ends, the server stays
            vmm.sendRaw(TestVmm.header(16 << 20, RESTORE, 0));
            vmm.sendRaw(new byte[4]);
        }
        assertThat(server.awaitSessionCount(0, CLOSE_WAIT)).isTrue();
        try (TestVmm vmm = vmm()) {
            vmm.hello("after");
        }
    }

    @Test
    void shouldSurviveVmmThatDisconnectsMidFrame() throws IOException, InterruptedException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("mid-header");
            vmm.sendRaw(new byte[] {8, 0, 0}); // 3 bytes of a header
        }
        try (TestVmm vmm = vmm()) {
            vmm.hello("mid-body");
            final byte[] f = TestVmm.frame(CONTROL, 0, "{\"op\":\"inspect\"}".getBytes(StandardCharsets.UTF_8));
            vmm.sendRaw(java.util.Arrays.copyOf(f, f.length - 3));
        }
        assertThat(server.awaitSessionCount(0, CLOSE_WAIT)).isTrue();
        try (TestVmm vmm = vmm()) {
            vmm.hello("next");
            assertThat(vmm.control("{\"op\":\"inspect\"}")).contains("\"ok\":true");
        }
    }

    @Test
    void shouldAcceptFramesSplitIntoSingleBytes() throws IOException {
        try (TestVmm vmm = vmm()) {
            final byte[] hello = TestVmm.frame(HELLO, 0, TestVmm.helloBody(1, 1, 0, "", "trickle"));
            for (final byte b : hello) {
                vmm.sendRaw(new byte[] {b});
            }
            vmm.expect(HELLO_OK);
        }
    }

    @Test
    void shouldAnswerSaveWithSavedRestoreOfGarbageWithErrorAndResetWithResetDone() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("servicing");
            vmm.send(SAVE, new byte[0]);
            assertThat(vmm.expect(TestVmm.SAVED).body()).startsWith("JVMBUSHS".getBytes(StandardCharsets.US_ASCII));
            vmm.send(RESTORE, new byte[] {1, 2, 3});
            final TestVmm.Frame e = vmm.expect(ERROR);
            assertThat(e.errorCode()).isEqualTo(8);
            assertThat(e.errorMessage()).contains("3 bytes");
            vmm.send(RESET, new byte[0]);
            assertThat(vmm.expect(RESET_DONE).body()).isEmpty();
        }
    }

    @Test
    void shouldTreatStrayDeliveryFramesPerSpec() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("stray");
            vmm.send(MESSAGE_SLOT_FREE, TestVmm.slotFreeBody(0, 2)); // nothing waits: ignored, no answer
            vmm.send(DELIVER_RESULT, TestVmm.u32u16(77, 0)); // nothing outstanding: ERROR
            final TestVmm.Frame e = vmm.expect(ERROR);
            assertThat(e.errorCode()).isEqualTo(4);
            assertThat(e.errorMessage()).contains("sequence=77");
        }
    }

    @Test
    void shouldAnswerControlErrorsWithOkFalse() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("control");
            final String[][] cases = {
                {"not json", "not JSON"},
                {"[1,2]", "expected: a JSON object"},
                {"{\"op\":\"dance\"}", "op 'dance'"},
                {"{\"op\":\"offer\",\"name\":\"x\"}", "device missing"},
                {"{\"op\":\"revoke\",\"name\":\"nobody\"}", "no channel named 'nobody'"},
                {"{\"op\":\"inspect\",\"extra\":1}", "unknown field 'extra'"},
                {"{\"op\":\"inspect\"} trailing", "not JSON"},
                {"{\"op\":\"inspect\",\"op\":\"inspect\"}", "not JSON"},
            };
            for (final String[] c : cases) {
                final JsonNode r = JSON.readTree(vmm.control(c[0]));
                assertThat(r.path("ok").asBoolean(true)).as(c[0]).isFalse();
                assertThat(r.path("error").asText()).as(c[0]).contains(c[1]);
            }
            final StringBuilder deep = new StringBuilder();
            deep.append("[".repeat(1000)).append("]".repeat(1000));
            assertThat(JSON.readTree(vmm.control(deep.toString())).path("ok").asBoolean(true))
                    .isFalse();
            vmm.send(CONTROL, new byte[100_000]);
            final JsonNode big = JSON.readTree(vmm.expect(CONTROL_RESULT).text());
            assertThat(big.path("error").asText()).contains("100000 bytes");
        }
    }

    @Test
    void shouldOfferAndRevokeByName() throws IOException {
        try (TestVmm vmm = vmm()) {
            vmm.hello("offers");
            final String offer = "{\"op\":\"offer\",\"name\":\"e0\",\"device\":\"echo\","
                    + "\"interface\":\"a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01\","
                    + "\"instance\":\"11111111-0000-0000-0000-000000000001\"}";
            assertThat(JSON.readTree(vmm.control(offer)).path("ok").asBoolean()).isTrue();
            assertThat(JSON.readTree(vmm.control(offer)).path("error").asText()).contains("exists");
            final JsonNode state =
                    JSON.readTree(vmm.control("{\"op\":\"inspect\"}")).path("state");
            assertThat(state.path("channels").get(0).path("name").asText()).isEqualTo("e0");
            assertThat(JSON.readTree(vmm.control("{\"op\":\"revoke\",\"name\":\"e0\"}"))
                            .path("ok")
                            .asBoolean())
                    .isTrue();
        }
    }

    @Test
    void shouldRunFiftyConcurrentIndependentSessions() throws Exception {
        final int n = 50;
        final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            final List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                final int k = i;
                results.add(pool.submit((Callable<String>) () -> {
                    try (TestVmm vmm = vmm()) {
                        vmm.hello("vm-" + k);
                        final String offer = "{\"op\":\"offer\",\"name\":\"dev" + k + "\",\"device\":\"echo\","
                                + "\"interface\":\"a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01\","
                                + "\"instance\":\"11111111-0000-0000-0000-0000000000" + String.format("%02d", k)
                                + "\"}";
                        assertThat(vmm.control(offer)).contains("\"ok\":true");
                        if (k % 5 == 0) {
                            vmm.send(0x0999, new byte[3]); // a bad frame in some sessions only
                            vmm.expect(ERROR);
                        }
                        return vmm.control("{\"op\":\"inspect\"}");
                    }
                }));
            }
            for (int i = 0; i < n; i++) {
                final JsonNode state = JSON.readTree(results.get(i).get()).path("state");
                assertThat(state.path("vm").asText()).isEqualTo("vm-" + i);
                // each session sees only its own device
                assertThat(state.path("channels")).hasSize(1);
                assertThat(state.path("channels").get(0).path("name").asText()).isEqualTo("dev" + i);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(server.awaitSessionCount(0, CLOSE_WAIT)).isTrue();
    }

    @Test
    void shouldInspectOtherSessionsByVmName() throws IOException {
        try (TestVmm a = vmm();
                TestVmm b = vmm();
                TestVmm looker = vmm()) {
            a.hello("alpha");
            b.hello("beta");
            looker.hello("looker");
            final JsonNode one = JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"beta\"}"));
            assertThat(one.path("sessions")).hasSize(1);
            assertThat(one.path("sessions").get(0).path("state").path("vm").asText())
                    .isEqualTo("beta");
            final JsonNode all = JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"*\"}"));
            assertThat(all.path("sessions")).hasSize(2);
            assertThat(JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"gamma\"}"))
                            .path("sessions"))
                    .isEmpty();
        }
    }

    @Test
    void shouldKeepTheLastStateOfAnEndedSessionForInspectByName() throws IOException, InterruptedException {
        try (TestVmm looker = vmm()) {
            looker.hello("looker");
            try (TestVmm gone = vmm()) {
                gone.hello("gone-vm");
                assertThat(gone.control("{\"op\":\"offer\",\"name\":\"e0\",\"device\":\"echo\","
                                + "\"interface\":\"a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01\","
                                + "\"instance\":\"11111111-0000-0000-0000-000000000031\"}"))
                        .contains("\"ok\":true");
            }
            assertThat(server.awaitSessionCount(1, CLOSE_WAIT)).isTrue();
            final JsonNode sessions = JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"gone-vm\"}"))
                    .path("sessions");
            assertThat(sessions).hasSize(1);
            final JsonNode rec = sessions.get(0);
            assertThat(rec.path("ended").asBoolean()).isTrue();
            assertThat(rec.path("reason").asText()).isEqualTo("the VMM closed the connection");
            assertThat(rec.path("state").path("channels").get(0).path("name").asText())
                    .isEqualTo("e0");
            assertThat(rec.path("state")
                            .path("channels")
                            .get(0)
                            .path("echo")
                            .path("mapped_gpadls")
                            .asInt(-1))
                    .isZero();
            // "*" lists live sessions only: the ended one is looked up by its name
            assertThat(JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"*\"}"))
                            .path("sessions"))
                    .isEmpty();
        }
    }

    @Test
    void shouldRememberOnlyTheMostRecentEndedSessions() throws IOException, InterruptedException {
        final int n = SessionRegistry.ENDED_RECORDS + 3;
        for (int i = 0; i < n; i++) {
            try (TestVmm vmm = vmm()) {
                vmm.hello("churn");
            }
            assertThat(server.awaitSessionCount(0, CLOSE_WAIT)).isTrue();
        }
        try (TestVmm looker = vmm()) {
            looker.hello("looker");
            final JsonNode sessions = JSON.readTree(looker.control("{\"op\":\"inspect\",\"vm\":\"churn\"}"))
                    .path("sessions");
            assertThat(sessions).hasSize(SessionRegistry.ENDED_RECORDS);
            final long first = sessions.get(0).path("session").asLong();
            final long last = sessions.get(SessionRegistry.ENDED_RECORDS - 1)
                    .path("session")
                    .asLong();
            assertThat(last - first)
                    .as("oldest first, the 3 oldest dropped")
                    .isEqualTo(SessionRegistry.ENDED_RECORDS - 1);
            assertThat(last).as("the newest churn session").isEqualTo(n);
        }
    }

    @Test
    void shouldCreateSocketWithMode0600AndRemoveItAtClose() throws IOException {
        assertThat(Files.getPosixFilePermissions(socket))
                .containsExactlyInAnyOrder(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("s.sock");
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void shouldRefuseSecondServerOnLiveSocket() {
        assertThatThrownBy(() -> HostServer.start(new HostServer.Options(socket, null, env(ConfigFile.EMPTY), 4)))
                .hasMessageContaining("live server");
    }

    @Test
    void shouldListenOnLoopbackTcpToo() throws IOException {
        server.close();
        server = HostServer.start(
                new HostServer.Options(socket, new InetSocketAddress("127.0.0.1", 0), env(ConfigFile.EMPTY), 4));
        assertThat(server.tcpAddress().getPort()).isPositive();
        try (TestVmm vmm = TestVmm.connectTcp(server.tcpAddress())) {
            vmm.hello("over-tcp");
        }
    }

    @Test
    void shouldOfferConfiguredDevicesInEverySession() throws Exception {
        server.close();
        final ConfigFile config = ConfigFile.parse(("{\"offers\":[{\"name\":\"cfg0\",\"device\":\"echo\","
                        + "\"interface\":\"a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01\","
                        + "\"instance\":\"11111111-0000-0000-0000-000000000009\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        server = HostServer.start(new HostServer.Options(socket, null, env(config), 4));
        for (int i = 0; i < 2; i++) {
            try (TestVmm vmm = vmm()) {
                vmm.hello("cfg-" + i);
                final JsonNode state =
                        JSON.readTree(vmm.control("{\"op\":\"inspect\"}")).path("state");
                assertThat(state.path("channels").get(0).path("name").asText()).isEqualTo("cfg0");
            }
        }
    }
}
