package io.jvmbus.host.transport;

import static io.jvmbus.testkit.transport.TestVmm.CONTROL;
import static io.jvmbus.testkit.transport.TestVmm.CONTROL_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.EVENT;
import static io.jvmbus.testkit.transport.TestVmm.MESSAGE_SLOT_FREE;
import static io.jvmbus.testkit.transport.TestVmm.POST_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.POST_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.RESET;
import static io.jvmbus.testkit.transport.TestVmm.RESET_DONE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.testkit.transport.GuestMessages;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test VMM plays a guest too: it builds VMBus channel messages from Linux's struct layouts (its own bytes) and
 * posts them through a real server, so these tests see the channel server core, the devices and message flow control
 * working together over the socket.
 */
@Timeout(60)
class GuestOverSocketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int V5_3 = 0x00050003;

    @TempDir
    Path dir;

    private HostServer server;
    private TestVmm vmm;
    /** Unsolicited frames seen while waiting for answers. */
    private final List<TestVmm.Frame> unsolicited = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        final Path socket = dir.resolve("g.sock");
        server = HostServer.start(new HostServer.Options(socket, null, HostServerTest.env(ConfigFile.EMPTY), 4));
        vmm = TestVmm.connect(socket, Duration.ofSeconds(5));
        vmm.hello("guest-over-socket");
    }

    @AfterEach
    void stop() throws IOException {
        vmm.close();
        server.close();
    }

    // ---- driving ----------------------------------------------------------------------------------------------

    private int post(final int connectionId, final byte[] payload) throws IOException {
        vmm.send(POST_MESSAGE, TestVmm.postBody(connectionId, 0, 1, payload));
        return answer(POST_RESULT).u16(0);
    }

    private TestVmm.Frame answer(final int kind) throws IOException {
        final TestVmm.Frame f = vmm.readAnswer(unsolicited);
        assertThat(f.kind()).as("answer %s", f).isEqualTo(kind);
        return f;
    }

    private JsonNode control(final String json) throws IOException {
        vmm.send(CONTROL, json.getBytes(StandardCharsets.UTF_8));
        return JSON.readTree(answer(CONTROL_RESULT).text());
    }

    /** A round trip after which every frame the server sent before it has arrived (frames are handled in order). */
    private List<TestVmm.Frame> barrier() throws IOException {
        control("{\"op\":\"inspect\"}");
        final List<TestVmm.Frame> seen = new ArrayList<>(unsolicited);
        unsolicited.clear();
        return seen;
    }

    private TestVmm.Frame nextDelivery() throws IOException {
        return next(DELIVER_MESSAGE);
    }

    /** The next unsolicited frame of a kind, whether it came before an answer or comes now. */
    private TestVmm.Frame next(final int kind) throws IOException {
        for (int i = 0; i < unsolicited.size(); i++) {
            if (unsolicited.get(i).kind() == kind) {
                return unsolicited.remove(i);
            }
        }
        while (true) {
            final TestVmm.Frame f = vmm.read();
            if (f.kind() == kind) {
                return f;
            }
            unsolicited.add(f);
        }
    }

    private void deliverResult(final TestVmm.Frame delivery, final int status) throws IOException {
        vmm.send(DELIVER_RESULT, TestVmm.u32u16(delivery.u32(0), status));
    }

    /** The VMBus message type of a DELIVER_MESSAGE. */
    private static int vmbusType(final TestVmm.Frame delivery) {
        return delivery.u32(20);
    }

    private static long deliveries(final List<TestVmm.Frame> frames) {
        return frames.stream().filter(f -> f.kind() == DELIVER_MESSAGE).count();
    }

    private void offerEcho(final String name, final int n) throws IOException {
        final JsonNode r = control("{\"op\":\"offer\",\"name\":\"" + name + "\",\"device\":\"echo\",\"interface\":\""
                + IFACE + "\",\"instance\":\"11111111-0000-0000-0000-00000000000" + n + "\"}");
        assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
    }

    private void connect() throws IOException {
        assertThat(post(4, GuestMessages.initiateContact(V5_3, 0))).isZero();
        final TestVmm.Frame version = nextDelivery();
        assertThat(vmbusType(version)).isEqualTo(15);
        assertThat(version.u8(28)).as("version_supported").isEqualTo(1);
        deliverResult(version, 0);
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Test
    void shouldKeepOneDeliveryOutstandingAndResendBusyMessageAfterSlotFree() throws IOException {
        offerEcho("a", 1);
        offerEcho("b", 2);
        offerEcho("c", 3);
        connect();
        assertThat(post(1, GuestMessages.requestOffers())).isZero();
        final TestVmm.Frame first = nextDelivery();
        assertThat(vmbusType(first)).isEqualTo(1); // OFFERCHANNEL
        assertThat(first.u32(4)).as("vp").isZero();
        assertThat(first.u8(8)).as("sint").isEqualTo(2);
        assertThat(deliveries(barrier()))
                .as("a second DELIVER_MESSAGE while one is outstanding")
                .isZero();
        // while messages wait, the guest's posts are refused with "insufficient buffers"
        assertThat(post(1, GuestMessages.requestOffers())).isEqualTo(19);

        deliverResult(first, 1); // slot busy
        assertThat(deliveries(barrier())).isZero();
        vmm.send(MESSAGE_SLOT_FREE, TestVmm.slotFreeBody(1, 2)); // another VP: not the slot it waits for
        vmm.send(MESSAGE_SLOT_FREE, TestVmm.slotFreeBody(0, 3)); // another SINT
        assertThat(deliveries(barrier())).isZero();
        vmm.send(MESSAGE_SLOT_FREE, TestVmm.slotFreeBody(0, 2));
        final TestVmm.Frame again = nextDelivery();
        assertThat(again.body())
                .as("the same message again")
                .containsSubsequence(java.util.Arrays.copyOfRange(first.body(), 20, first.body().length));
        assertThat(again.u32(0)).as("a new sequence").isNotEqualTo(first.u32(0));

        final List<Integer> relids = new ArrayList<>();
        relids.add(again.u32(20 + 184));
        deliverResult(again, 0);
        TestVmm.Frame next = nextDelivery();
        while (vmbusType(next) == 1) {
            relids.add(next.u32(20 + 184));
            deliverResult(next, 0);
            next = nextDelivery();
        }
        assertThat(vmbusType(next)).as("ALLOFFERS_DELIVERED last").isEqualTo(4);
        assertThat(relids).containsExactly(1, 2, 3);
        deliverResult(next, 0);
        assertThat(deliveries(barrier())).isZero();
        // nothing waits: a stray MESSAGE_SLOT_FREE is ignored and posts are taken again
        vmm.send(MESSAGE_SLOT_FREE, TestVmm.slotFreeBody(0, 2));
        assertThat(barrier()).isEmpty();
        final JsonNode state = control("{\"op\":\"inspect\"}").path("state");
        assertThat(state.path("delivery").path("busy_answers").asInt()).isEqualTo(1);
        assertThat(state.path("delivery").path("accepting_messages").asBoolean())
                .isTrue();
    }

    @Test
    void shouldAnswerPostsWithHypercallStatuses() throws IOException {
        assertThat(post(7, GuestMessages.initiateContact(V5_3, 0)))
                .as("a connection id nobody listens on")
                .isEqualTo(18);
        vmm.send(POST_MESSAGE, TestVmm.postBody(4, 0, 2, GuestMessages.initiateContact(V5_3, 0)));
        assertThat(answer(POST_RESULT).u16(0)).as("SynIC message type 2").isEqualTo(5);
        assertThat(post(1, new byte[] {99, 0, 0, 0, 0, 0, 0, 0}))
                .as("a message the core rejects")
                .isZero();
        assertThat(post(1, new byte[3])).as("too short to decode").isZero();
        connect();
        assertThat(control("{\"op\":\"inspect\"}")
                        .path("state")
                        .path("connection")
                        .path("state")
                        .asText())
                .isEqualTo("connected");
    }

    @Test
    void shouldReportManualDeviceRequestsAndCompleteThemOnControl() throws IOException {
        assertThat(control("{\"op\":\"offer\",\"name\":\"m0\",\"device\":\"manual\",\"interface\":\"" + IFACE
                                + "\",\"instance\":\"44444444-0000-0000-0000-000000000001\"}")
                        .path("ok")
                        .asBoolean())
                .isTrue();
        connect();
        assertThat(post(1, GuestMessages.requestOffers())).isZero();
        final TestVmm.Frame offer = nextDelivery();
        final int relid = offer.u32(20 + 184);
        deliverResult(offer, 0);
        deliverResult(nextDelivery(), 0); // ALLOFFERS_DELIVERED

        assertThat(post(1, GuestMessages.gpadlHeader(relid, 0x77, 0x100, 4))).isZero();
        final TestVmm.Frame gpadlEvent = next(EVENT);
        final JsonNode ge = JSON.readTree(gpadlEvent.text());
        assertThat(ge.path("event").asText()).isEqualTo("gpadl");
        assertThat(ge.path("name").asText()).isEqualTo("m0");
        assertThat(ge.path("gpadl").asInt()).isEqualTo(0x77);
        assertThat(deliveries(barrier())).as("no GPADL_CREATED before complete").isZero();
        assertThat(control("{\"op\":\"complete\",\"name\":\"m0\",\"request\":\"open\",\"status\":0}")
                        .path("error")
                        .asText())
                .contains("no pending 'open'");
        assertThat(control("{\"op\":\"complete\",\"name\":\"m0\",\"request\":\"gpadl\",\"status\":0,\"gpadl\":119}")
                        .path("ok")
                        .asBoolean())
                .isTrue();
        final TestVmm.Frame created = nextDelivery();
        assertThat(vmbusType(created)).isEqualTo(10);
        assertThat(created.u32(20 + 12)).isEqualTo(0x77);
        assertThat(created.u32(20 + 16)).as("creation_status").isZero();
        deliverResult(created, 0);

        assertThat(post(1, GuestMessages.openChannel(relid, 5, 0x77, 0, 2))).isZero();
        final JsonNode oe = JSON.readTree(next(EVENT).text());
        assertThat(oe.path("event").asText()).isEqualTo("open");
        assertThat(oe.path("target_vp").asInt()).isZero();
        assertThat(control("{\"op\":\"complete\",\"name\":\"m0\",\"request\":\"open\",\"status\":3221225473}")
                        .path("ok")
                        .asBoolean())
                .isTrue();
        final TestVmm.Frame result = nextDelivery();
        assertThat(vmbusType(result)).isEqualTo(6);
        assertThat(result.u32(20 + 12)).as("openid").isEqualTo(5);
        assertThat(result.u32(20 + 16)).as("status").isEqualTo(0xC0000001);
        deliverResult(result, 0);

        final JsonNode ch =
                control("{\"op\":\"inspect\"}").path("state").path("channels").get(0);
        assertThat(ch.path("name").asText()).isEqualTo("m0");
        assertThat(ch.path("channel_id").asInt()).isEqualTo(relid);
        assertThat(ch.path("state").asText()).isEqualTo("closed");
        assertThat(ch.path("gpadls")).hasSize(1);
        assertThat(ch.path("gpadls").get(0).asInt()).isEqualTo(0x77);
        assertThat(control("{\"op\":\"complete\",\"name\":\"nobody\",\"request\":\"open\",\"status\":0}")
                        .path("ok")
                        .asBoolean())
                .isFalse();
    }

    @Test
    void shouldForgetTheConnectionAtResetAndIgnoreALateDeliverResult() throws IOException {
        offerEcho("a", 1);
        assertThat(post(4, GuestMessages.initiateContact(V5_3, 0))).isZero();
        final TestVmm.Frame version = nextDelivery(); // left unanswered across the reset
        vmm.send(RESET, new byte[0]);
        answer(RESET_DONE);
        deliverResult(version, 0); // late: its message was dropped by the reset
        final List<TestVmm.Frame> after = barrier();
        assertThat(after).isEmpty();
        final JsonNode state = control("{\"op\":\"inspect\"}").path("state");
        assertThat(state.path("connection").path("state").asText()).isEqualTo("disconnected");
        assertThat(state.path("channels").get(0).path("name").asText()).isEqualTo("a");
        connect(); // the guest can connect again
    }

    @Test
    void shouldSignalNothingAndRefuseGpadlsWithoutGuestRam() throws IOException {
        offerEcho("a", 1);
        connect();
        assertThat(post(1, GuestMessages.requestOffers())).isZero();
        final TestVmm.Frame offer = nextDelivery();
        final int relid = offer.u32(20 + 184);
        deliverResult(offer, 0);
        deliverResult(nextDelivery(), 0);
        assertThat(post(1, GuestMessages.gpadlHeader(relid, 9, 0x100, 2))).isZero();
        final TestVmm.Frame created = nextDelivery();
        assertThat(vmbusType(created)).isEqualTo(10);
        assertThat(created.u32(20 + 16)).as("refused: HELLO named no RAM").isNotZero();
        deliverResult(created, 0);
    }
}
