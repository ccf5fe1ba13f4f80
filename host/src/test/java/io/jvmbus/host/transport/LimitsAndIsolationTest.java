package io.jvmbus.host.transport;

import static io.jvmbus.testkit.transport.TestVmm.CONTROL;
import static io.jvmbus.testkit.transport.TestVmm.CONTROL_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.HELLO;
import static io.jvmbus.testkit.transport.TestVmm.HELLO_OK;
import static io.jvmbus.testkit.transport.TestVmm.POST_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.POST_RESULT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.testkit.transport.GuestMessages;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits and isolation at the session level (docs/reliability.md): the session limit refuses a connection without
 * disturbing the sessions it has, and a guest's GPADL naming pages outside its RAM is refused with a failed
 * GPADL_CREATED while the session, and a GPADL inside RAM, keep working.
 */
@Timeout(60)
class LimitsAndIsolationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int V5_3 = 0x00050003;
    private static final int RAM_BYTES = 1 << 20;

    @TempDir
    Path dir;

    private HostServer server;
    private final List<TestVmm.Frame> unsolicited = new ArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path start(final int maxSessions) throws IOException {
        final Path socket = dir.resolve("l.sock");
        server = HostServer.start(
                new HostServer.Options(socket, null, HostServerTest.env(ConfigFile.EMPTY), maxSessions));
        return socket;
    }

    @Test
    void shouldCloseAConnectionBeyondTheSessionLimitAndKeepTheSessionsItHas() throws Exception {
        final Path socket = start(2);
        try (TestVmm a = TestVmm.connect(socket, WAIT);
                TestVmm b = TestVmm.connect(socket, WAIT)) {
            a.hello("a");
            b.hello("b");
            assertThat(server.awaitSessionCount(2, WAIT)).isTrue();
            try (TestVmm third = TestVmm.connect(socket, WAIT)) {
                assertThat(third.awaitClose(WAIT)).as("closed before any frame").isEmpty();
            }
            assertThat(server.awaitSessionCount(2, WAIT)).isTrue();
            assertThat(a.control("{\"op\":\"inspect\"}")).contains("\"vm\":\"a\"");
            assertThat(b.control("{\"op\":\"inspect\"}")).contains("\"vm\":\"b\"");
        }
        assertThat(server.awaitSessionCount(0, WAIT)).isTrue();
        try (TestVmm next = TestVmm.connect(socket, WAIT)) {
            next.hello("after the others left");
        }
    }

    @Test
    void shouldRefuseAGpadlOutsideGuestRamAndKeepTheSession() throws Exception {
        final Path socket = start(4);
        final Path ram = dir.resolve("guest.ram");
        try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "rw")) {
            f.setLength(RAM_BYTES);
        }
        try (TestVmm vmm = TestVmm.connect(socket, WAIT)) {
            vmm.send(HELLO, TestVmm.helloBody(1, 1, RAM_BYTES, ram.toString(), "ram-bounds"));
            vmm.expect(HELLO_OK);
            final JsonNode offered = control(
                    vmm,
                    "{\"op\":\"offer\",\"name\":\"e\",\"device\":\"echo\",\"interface\":\"" + IFACE
                            + "\",\"instance\":\"11111111-0000-0000-0000-000000000001\"}");
            assertThat(offered.path("ok").asBoolean()).as(offered.toString()).isTrue();
            assertThat(post(vmm, 4, GuestMessages.initiateContact(V5_3, 0))).isZero();
            deliverResult(vmm, next(vmm), 0); // VERSION_RESPONSE
            assertThat(post(vmm, 1, GuestMessages.requestOffers())).isZero();
            final TestVmm.Frame offer = next(vmm);
            final int relid = offer.u32(20 + 184);
            deliverResult(vmm, offer, 0);
            deliverResult(vmm, next(vmm), 0); // ALLOFFERS_DELIVERED

            final long ramPages = RAM_BYTES / 4096;
            // The last page of RAM and the first one past it: the whole GPADL is refused.
            assertThat(post(vmm, 1, GuestMessages.gpadlHeader(relid, 7, ramPages - 1, 2)))
                    .isZero();
            final TestVmm.Frame refused = next(vmm);
            assertThat(refused.u32(20)).as("GPADL_CREATED").isEqualTo(10);
            assertThat(refused.u32(20 + 12)).as("gpadl id").isEqualTo(7);
            assertThat(refused.u32(20 + 16)).as("status of a GPADL outside RAM").isNotZero();
            deliverResult(vmm, refused, 0);
            // A page far beyond any RAM (a 52-bit PFN) too.
            assertThat(post(vmm, 1, GuestMessages.gpadlHeader(relid, 8, (1L << 52) - 1, 1)))
                    .isZero();
            final TestVmm.Frame far = next(vmm);
            assertThat(far.u32(20 + 16)).as("status of a GPADL at PFN 2^52-1").isNotZero();
            deliverResult(vmm, far, 0);
            // The session still works: a GPADL inside RAM is created.
            assertThat(post(vmm, 1, GuestMessages.gpadlHeader(relid, 9, ramPages - 2, 2)))
                    .isZero();
            final TestVmm.Frame created = next(vmm);
            assertThat(created.u32(20 + 12)).as("gpadl id").isEqualTo(9);
            assertThat(created.u32(20 + 16)).as("status of a GPADL inside RAM").isZero();
            deliverResult(vmm, created, 0);
            final JsonNode state = control(vmm, "{\"op\":\"inspect\"}");
            assertThat(state.toString()).contains("\"vm\":\"ram-bounds\"");
        }
    }

    private int post(final TestVmm vmm, final int connectionId, final byte[] payload) throws IOException {
        vmm.send(POST_MESSAGE, TestVmm.postBody(connectionId, 0, 1, payload));
        final TestVmm.Frame f = vmm.readAnswer(unsolicited);
        assertThat(f.kind()).as("answer %s", f).isEqualTo(POST_RESULT);
        return f.u16(0);
    }

    private JsonNode control(final TestVmm vmm, final String json) throws IOException {
        vmm.send(CONTROL, json.getBytes(StandardCharsets.UTF_8));
        final TestVmm.Frame f = vmm.readAnswer(unsolicited);
        assertThat(f.kind()).as("answer %s", f).isEqualTo(CONTROL_RESULT);
        return JSON.readTree(f.text());
    }

    /** The next DELIVER_MESSAGE, whether it came before an answer or comes now. */
    private TestVmm.Frame next(final TestVmm vmm) throws IOException {
        for (int i = 0; i < unsolicited.size(); i++) {
            if (unsolicited.get(i).kind() == DELIVER_MESSAGE) {
                return unsolicited.remove(i);
            }
        }
        while (true) {
            final TestVmm.Frame f = vmm.read();
            if (f.kind() == DELIVER_MESSAGE) {
                return f;
            }
            unsolicited.add(f);
        }
    }

    private static void deliverResult(final TestVmm vmm, final TestVmm.Frame delivery, final int status)
            throws IOException {
        vmm.send(DELIVER_RESULT, TestVmm.u32u16(delivery.u32(0), status));
    }
}
