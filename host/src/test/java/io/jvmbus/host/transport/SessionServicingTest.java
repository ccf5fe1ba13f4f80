package io.jvmbus.host.transport;

import static io.jvmbus.testkit.transport.TestVmm.CONTROL;
import static io.jvmbus.testkit.transport.TestVmm.CONTROL_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.DELIVER_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.ERROR;
import static io.jvmbus.testkit.transport.TestVmm.POST_MESSAGE;
import static io.jvmbus.testkit.transport.TestVmm.POST_RESULT;
import static io.jvmbus.testkit.transport.TestVmm.RESTORE;
import static io.jvmbus.testkit.transport.TestVmm.RESTORED;
import static io.jvmbus.testkit.transport.TestVmm.SAVE;
import static io.jvmbus.testkit.transport.TestVmm.SAVED;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.testkit.transport.GuestMessages;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SAVE and RESTORE between sessions of a real {@link HostServer}, driven over its socket by the independent {@link
 * TestVmm} (guest messages built by the testkit, not by the server's encoder).
 */
@Timeout(60)
class SessionServicingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int V5_3 = 5 << 16 | 3;
    /** VMBus message types the tests look at. */
    private static final int OFFERCHANNEL = 1;

    private static final int RESCIND_CHANNELOFFER = 2;
    private static final int ALLOFFERS_DELIVERED = 4;
    private static final int VERSION_RESPONSE = 15;
    /** ERROR code RESTORE_REFUSED. */
    private static final int RESTORE_REFUSED = 8;

    @TempDir
    Path dir;

    private HostServer server;
    private Path socket;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("s.sock");
        server = HostServer.start(
                new HostServer.Options(socket, null, SessionEnvironment.defaults(ConfigFile.EMPTY), 16));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** One VMM connection and the unsolicited frames it has seen. */
    private final class Vmm implements AutoCloseable {
        final TestVmm t;
        final List<TestVmm.Frame> unsolicited = new ArrayList<>();

        Vmm(final String name, final int vps) throws IOException {
            t = TestVmm.connect(socket, Duration.ofSeconds(5));
            t.send(TestVmm.HELLO, TestVmm.helloBody(1, vps, 0, "", name));
            answer(TestVmm.HELLO_OK);
        }

        TestVmm.Frame answer(final int kind) throws IOException {
            final TestVmm.Frame f = t.readAnswer(unsolicited);
            assertThat(f.kind()).as("answer %s", f).isEqualTo(kind);
            return f;
        }

        JsonNode control(final String json) throws IOException {
            t.send(CONTROL, json.getBytes(StandardCharsets.UTF_8));
            return JSON.readTree(answer(CONTROL_RESULT).text());
        }

        void offerEcho(final String name, final int n) throws IOException {
            final JsonNode r =
                    control("{\"op\":\"offer\",\"name\":\"" + name + "\",\"device\":\"echo\",\"interface\":\"" + IFACE
                            + "\",\"instance\":\"11111111-0000-0000-0000-00000000000" + n + "\"}");
            assertThat(r.path("ok").asBoolean()).as(r.toString()).isTrue();
        }

        JsonNode state() throws IOException {
            final ObjectNode s = (ObjectNode) control("{\"op\":\"inspect\"}").path("state");
            s.remove("session");
            s.remove("vm");
            return s;
        }

        int post(final int connectionId, final byte[] payload) throws IOException {
            t.send(POST_MESSAGE, TestVmm.postBody(connectionId, 0, 1, payload));
            return answer(POST_RESULT).u16(0);
        }

        /** The next DELIVER_MESSAGE, whether it came before an answer or comes now. */
        TestVmm.Frame delivery() throws IOException {
            for (int i = 0; i < unsolicited.size(); i++) {
                if (unsolicited.get(i).kind() == DELIVER_MESSAGE) {
                    return unsolicited.remove(i);
                }
            }
            while (true) {
                final TestVmm.Frame f = t.read();
                if (f.kind() == DELIVER_MESSAGE) {
                    return f;
                }
                unsolicited.add(f);
            }
        }

        void delivered(final TestVmm.Frame d) throws IOException {
            t.send(DELIVER_RESULT, TestVmm.u32u16(d.u32(0), 0));
        }

        /** Every frame the server sent before an inspect round trip, then clears them. */
        List<TestVmm.Frame> barrier() throws IOException {
            control("{\"op\":\"inspect\"}");
            final List<TestVmm.Frame> seen = new ArrayList<>(unsolicited);
            unsolicited.clear();
            return seen;
        }

        byte[] save() throws IOException {
            t.send(SAVE, new byte[0]);
            return answer(SAVED).body();
        }

        TestVmm.Frame restore(final byte[] blob) throws IOException {
            t.send(RESTORE, blob);
            final TestVmm.Frame f = t.readAnswer(unsolicited);
            assertThat(f.kind()).as("answer %s", f).isIn(RESTORED, ERROR);
            return f;
        }

        @Override
        public void close() throws IOException {
            t.close();
        }
    }

    private static int vmbusType(final TestVmm.Frame delivery) {
        return delivery.u32(20);
    }

    private static byte[] payload(final TestVmm.Frame delivery) {
        return Arrays.copyOfRange(delivery.body(), 20, delivery.body().length);
    }

    /** Connects a 5.3 guest and requests offers, answering every delivery except the last {@code keep} ones. */
    private static void connectGuest(final Vmm v) throws IOException {
        assertThat(v.post(4, GuestMessages.initiateContact(V5_3, 0))).isZero();
        final TestVmm.Frame version = v.delivery();
        assertThat(vmbusType(version)).isEqualTo(VERSION_RESPONSE);
        v.delivered(version);
    }

    @Test
    void shouldDeliverTheMessageUnansweredAtSaveAgainAfterRestoreAndNothingTwice() throws IOException {
        final byte[] blob;
        final byte[] unanswered;
        try (Vmm a = new Vmm("vm", 2)) {
            a.offerEcho("e0", 1);
            a.offerEcho("e1", 2);
            connectGuest(a);
            assertThat(a.post(1, GuestMessages.requestOffers())).isZero();
            final TestVmm.Frame first = a.delivery();
            assertThat(vmbusType(first)).isEqualTo(OFFERCHANNEL);
            a.delivered(first);
            final TestVmm.Frame second = a.delivery(); // not answered: SAVE comes first
            assertThat(vmbusType(second)).isEqualTo(OFFERCHANNEL);
            unanswered = payload(second);
            blob = a.save();
        }
        try (Vmm b = new Vmm("vm", 2)) {
            b.offerEcho("e1", 2); // in another order than before: matched by key, not by position
            b.offerEcho("e0", 1);
            assertThat(b.barrier()).isEmpty();
            assertThat(b.restore(blob).kind()).isEqualTo(RESTORED);
            final TestVmm.Frame again = b.delivery();
            assertThat(payload(again)).as("the unanswered OFFERCHANNEL, again").isEqualTo(unanswered);
            b.delivered(again);
            final TestVmm.Frame all = b.delivery();
            assertThat(vmbusType(all)).isEqualTo(ALLOFFERS_DELIVERED);
            b.delivered(all);
            assertThat(b.barrier()).as("nothing delivered twice").noneMatch(f -> f.kind() == DELIVER_MESSAGE);
            final JsonNode state = b.state();
            assertThat(state.path("connection").path("state").asText()).isEqualTo("connected");
            assertThat(state.path("connection").path("version").asText()).isEqualTo("5.3");
            assertThat(state.path("channels")).hasSize(2);
            assertThat(b.post(1, GuestMessages.requestOffers()))
                    .as("guest messages flow after RESTORE")
                    .isZero();
        }
    }

    @Test
    void shouldRevokeASavedChannelNoDeviceOfTheNewSessionMatches() throws IOException {
        final byte[] blob;
        try (Vmm a = new Vmm("vm", 1)) {
            a.offerEcho("e0", 1);
            a.offerEcho("e1", 2);
            connectGuest(a);
            assertThat(a.post(1, GuestMessages.requestOffers())).isZero();
            for (int i = 0; i < 3; i++) {
                a.delivered(a.delivery()); // two offers, ALLOFFERS_DELIVERED
            }
            assertThat(a.barrier()).noneMatch(f -> f.kind() == DELIVER_MESSAGE);
            blob = a.save();
        }
        try (Vmm b = new Vmm("vm", 1)) {
            b.offerEcho("e0", 1);
            assertThat(b.restore(blob).kind()).isEqualTo(RESTORED);
            final TestVmm.Frame rescind = b.delivery();
            assertThat(vmbusType(rescind)).isEqualTo(RESCIND_CHANNELOFFER);
            b.delivered(rescind);
            final JsonNode channels = b.state().path("channels");
            assertThat(channels).hasSize(2);
            assertThat(channels.findValuesAsText("state")).contains("revoked");
            assertThat(b.barrier()).noneMatch(f -> f.kind() == DELIVER_MESSAGE);
        }
    }

    @Test
    void shouldRefuseRestoreAfterAPostAndLeaveTheSessionUnchanged() throws IOException {
        final byte[] blob;
        try (Vmm a = new Vmm("vm", 1)) {
            a.offerEcho("e0", 1);
            blob = a.save();
        }
        try (Vmm b = new Vmm("vm", 1)) {
            b.offerEcho("e0", 1);
            connectGuest(b);
            final JsonNode before = b.state();
            final TestVmm.Frame e = b.restore(blob);
            assertThat(e.kind()).isEqualTo(ERROR);
            assertThat(e.errorCode()).isEqualTo(RESTORE_REFUSED);
            assertThat(e.errorMessage()).contains("POST_MESSAGE");
            assertThat(b.state()).isEqualTo(before);
        }
    }

    @Test
    void shouldRefuseCorruptTruncatedNewerAndMismatchedStatesWithTheSessionUnchanged() throws IOException {
        final byte[] blob;
        try (Vmm a = new Vmm("vm", 2)) {
            a.offerEcho("e0", 1);
            connectGuest(a);
            blob = a.save();
        }
        try (Vmm b = new Vmm("vm", 2)) {
            b.offerEcho("e0", 1);
            final JsonNode before = b.state();
            final List<byte[]> bad = new ArrayList<>();
            for (final int n : new int[] {0, 1, 8, 19, 20, 21, blob.length / 2, blob.length - 1}) {
                bad.add(Arrays.copyOf(blob, n));
            }
            for (final int bit : new int[] {0, 70, 8 * 20, 8 * 20 + 5, 8 * (blob.length / 2), 8 * blob.length - 1}) {
                final byte[] flipped = blob.clone();
                flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                bad.add(flipped);
            }
            bad.add(withVersion(blob, 2)); // newer, with a valid checksum
            bad.add(withVersion(blob, 0));
            final byte[] longer = Arrays.copyOf(blob, blob.length + 1);
            bad.add(longer);
            for (final byte[] b1 : bad) {
                final TestVmm.Frame e = b.restore(b1);
                assertThat(e.kind()).as("%d bytes", b1.length).isEqualTo(ERROR);
                assertThat(e.errorCode()).isEqualTo(RESTORE_REFUSED);
                assertThat(b.state()).as("unchanged after %s", e.errorMessage()).isEqualTo(before);
            }
            assertThat(b.restore(withVersion(blob, 2)).errorMessage()).contains("format version 2");
            assertThat(b.restore(blob).kind())
                    .as("the good blob still restores")
                    .isEqualTo(RESTORED);
        }
        try (Vmm c = new Vmm("vm", 1)) {
            final TestVmm.Frame e = c.restore(blob);
            assertThat(e.errorCode()).isEqualTo(RESTORE_REFUSED);
            assertThat(e.errorMessage()).contains("vp_count=2");
        }
    }

    /** The blob with another format version and the checksum recomputed (so only the version is wrong). */
    private static byte[] withVersion(final byte[] blob, final int version) {
        final byte[] copy = blob.clone();
        final ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(8, (short) version);
        final CRC32C crc = new CRC32C();
        crc.update(copy, 0, 16);
        crc.update(copy, 20, copy.length - 20);
        b.putInt(16, (int) crc.getValue());
        return copy;
    }

    @Test
    void shouldEndASessionWhoseVmmLeavesDuringSaveAndServeTheOthers() throws IOException, InterruptedException {
        try (Vmm other = new Vmm("other", 1)) {
            other.offerEcho("e0", 1);
            try (Vmm leaving = new Vmm("leaving", 1)) {
                leaving.offerEcho("e0", 1);
                connectGuest(leaving);
                leaving.t.send(SAVE, new byte[0]);
            } // closed before reading SAVED
            assertThat(server.awaitSessionCount(1, Duration.ofSeconds(10))).isTrue();
            assertThat(other.state().path("channels")).hasSize(1);
            assertThat(other.save()).isNotEmpty();
        }
    }
}
