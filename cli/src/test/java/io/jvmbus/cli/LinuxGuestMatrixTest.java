package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.testkit.linux.LinuxVmbusGuest;
import io.jvmbus.testkit.linux.LinuxVmbusGuest.Kernel;
import io.jvmbus.testkit.process.ServeProcess;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real Linux guest ({@code linux-vmbus-guest}: Linux's own {@code hv_vmbus} control plane and ring code, built
 * from Debian's 6.1 and 6.12 sources) against a real {@code jvmbus serve} child process, across a matrix: every
 * version Linux negotiates (5.3 down to 2.4), 1 and 4 vCPUs, rings from 16 KiB to 1 MiB with packets from 1 byte to the
 * largest the ring and Linux accept, wrap-around, several devices, revoke of an open, a closed, an unbound and a hot
 * added channel, MODIFYCHANNEL, several guests at once, and a clean UNLOAD. Each case is its own session (its own VM
 * name) against one server; each asserts the tool's exit code and PASS line, then the server's view of that VM once
 * it has gone ({@code {"op":"inspect","vm":NAME}} returns the ended session's last state): no channel left open, no
 * GPADL left in the core or mapped by a device, nothing queued, the revoked channels gone, and the echo counters
 * agreeing with the tool's. docs/interop.md lists the cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class LinuxGuestMatrixTest {

    static final String ECHO_IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    /** Linux's network interface id: a performance device, spread over the vCPUs by {@code init_vp_index}. */
    static final String NIC_IFACE = "f8615163-df3e-46c5-913f-f2d2f965ed0e";

    private static final Duration RUN = Duration.ofSeconds(90);
    private static final Duration ENDED_WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> VERSIONS = List.of("5.3", "5.2", "5.1", "5.0", "4.1", "4.0", "3.0", "2.4");

    private Path dir;
    private ServeProcess server;
    private TestVmm inspector;

    @BeforeAll
    void startServer() throws IOException {
        dir = Files.createTempDirectory("linux-matrix");
        server = ServeProcess.start(dir.resolve("a.sock"), dir);
        inspector = TestVmm.connect(server.socket(), Duration.ofSeconds(10));
        inspector.hello("matrix-inspector");
    }

    @AfterAll
    void stopServer() throws IOException {
        if (inspector != null) {
            inspector.close();
        }
        if (server != null) {
            server.close();
            final String log = String.join("\n", server.lines());
            assertThat(log).as("serve log").contains("server stopped");
            assertThat(log)
                    .as("serve log: no internal error in any session")
                    .doesNotContain("internal error", "Exception");
        }
    }

    // ---- the cases -------------------------------------------------------------------------------------------------

    /**
     * One run of the tool.
     *
     * @param name the case name (also the VM name's stem)
     * @param kernel the Linux version the tool is built from
     * @param args the tool's options (the test adds {@code --vm-name} and {@code --timeout})
     * @param passFields what the PASS line must contain
     * @param unload whether the run ends with a completed UNLOAD (VMBus 3.0 and later with {@code --unload})
     * @param remaining the channel names the server must still hold for the VM at its end (offers minus revokes)
     * @param echoed how many packets the server's echo devices must have echoed in all
     */
    record Case(
            String name,
            Kernel kernel,
            List<String> args,
            List<String> passFields,
            boolean unload,
            Set<String> remaining,
            long echoed) {
        String vmName() {
            return "m-" + name + "-" + kernel.version();
        }

        @Override
        public String toString() {
            return name + " [linux " + kernel.version() + "]";
        }
    }

    static String echo(final String name, final int n) {
        return name + ":echo:" + ECHO_IFACE + ":11111111-0000-0000-0000-" + String.format("%012d", n);
    }

    static String nic(final String name, final int n) {
        return name + ":echo:" + NIC_IFACE + ":22222222-0000-0000-0000-" + String.format("%012d", n);
    }

    /** The largest payload a ring of {@code kb} KiB carries: the tool's and Linux's rule, capped at the tool's 64 KiB. */
    static int largestPayload(final int kb) {
        final int data = kb * 1024 - 4096; // the first page is the ring's control page
        // descriptor (16) + payload padded to 8 + trailer (8) must be smaller than the data area
        return Math.min(65536, data - 32);
    }

    static final class Builder {
        private final String name;
        private final List<String> args = new ArrayList<>();
        private final List<String> pass = new ArrayList<>();
        private final Set<String> remaining = new TreeSet<>();
        private boolean unload = true;
        private long echoed;

        Builder(final String name) {
            this.name = name;
        }

        Builder args(final String... a) {
            args.addAll(List.of(a));
            return this;
        }

        Builder offer(final String spec) {
            args.add("--offer");
            args.add(spec);
            remaining.add(spec.substring(0, spec.indexOf(':')));
            return this;
        }

        Builder revoked(final String channel) {
            remaining.remove(channel);
            return this;
        }

        Builder hotAdded(final String channel) {
            remaining.add(channel);
            return this;
        }

        Builder pass(final String... fields) {
            pass.addAll(List.of(fields));
            return this;
        }

        Builder echoed(final long n) {
            echoed = n;
            pass.add("echoed=" + n);
            return this;
        }

        Builder noUnload() {
            unload = false;
            return this;
        }

        Case on(final Kernel kernel) {
            final List<String> a = new ArrayList<>(args);
            final List<String> p = new ArrayList<>(pass);
            if (!a.contains("--no-close")) {
                a.add("--unload");
                p.add(unload ? "unload=yes" : "unload=no");
            }
            return new Case(name, kernel, List.copyOf(a), List.copyOf(p), unload, Set.copyOf(remaining), echoed);
        }
    }

    static List<Builder> builders() {
        final List<Builder> b = new ArrayList<>();
        // every version Linux negotiates, forced with its own max_version, on 1 and 4 vCPUs; two devices, one of
        // them a NIC (spread over the vCPUs); MODIFYCHANNEL in the middle of traffic where Linux allows it (4.1+)
        for (final String v : VERSIONS) {
            for (final int vcpus : new int[] {1, 4}) {
                final Builder c = new Builder("version-" + v + "-vcpus-" + vcpus)
                        .args("--vcpus", Integer.toString(vcpus), "--version-max", v, "--expect-version", v)
                        .offer(echo("e0", 1))
                        .offer(nic("n0", 1))
                        .args("--packets", "64", "--size", "1:1024")
                        .pass("vmbus=" + v, "tried=" + v, "vcpus=" + vcpus, "offers=2", "opened=2")
                        .echoed(128);
                if (vcpus == 4 && !v.equals("4.0") && !v.equals("3.0") && !v.equals("2.4")) {
                    c.args("--set-cpu", "3", "--after", "32").pass("modified=2");
                }
                if (v.equals("2.4")) {
                    c.noUnload(); // Linux sends no UNLOAD below 3.0
                }
                b.add(c);
            }
        }
        // rings from 16 KiB to 1 MiB: payloads from 1 byte to the largest the ring takes, then only the largest
        for (final int kb : new int[] {16, 32, 64, 128, 256, 512, 1024}) {
            final int max = largestPayload(kb);
            b.add(new Builder("ring-" + kb + "k-1-to-" + max)
                    .offer(echo("e0", 1))
                    .args("--ring-kb", Integer.toString(kb), "--packets", "64", "--size", "1:" + max)
                    .echoed(64));
        }
        for (final int kb : new int[] {16, 64, 1024}) {
            final int max = largestPayload(kb);
            b.add(new Builder("ring-" + kb + "k-only-" + max)
                    .offer(echo("e0", 1))
                    .args("--ring-kb", Integer.toString(kb), "--packets", "40", "--size", max + ":" + max)
                    .echoed(40));
        }
        b.add(new Builder("packets-1-byte")
                .offer(echo("e0", 1))
                .args("--ring-kb", "16", "--packets", "2000", "--size", "1:1")
                .echoed(2000));
        b.add(new Builder("packets-empty")
                .offer(echo("e0", 1))
                .args("--ring-kb", "16", "--packets", "500", "--size", "0:0")
                .echoed(500));
        // wrap-around: thousands of packets through a 16 KiB ring, both readers
        b.add(new Builder("wrap-16k-iter")
                .offer(echo("e0", 1))
                .args("--ring-kb", "16", "--packets", "3000", "--size", "0:4000")
                .echoed(3000));
        b.add(new Builder("wrap-16k-recvpacket")
                .offer(echo("e0", 1))
                .args("--ring-kb", "16", "--packets", "2000", "--size", "1:6000", "--reader", "recvpacket")
                .echoed(2000));
        // several devices at once
        final Builder six = new Builder("devices-6-on-4-vcpus").args("--vcpus", "4");
        for (int i = 1; i <= 3; i++) {
            six.offer(echo("e" + i, i)).offer(nic("n" + i, i));
        }
        b.add(six.args("--packets", "100", "--size", "1:2000")
                .pass("offers=6", "opened=6")
                .echoed(600));
        b.add(new Builder("devices-unbound")
                .offer(echo("e0", 1))
                .offer(nic("n0", 1))
                .args("--device", ECHO_IFACE, "--packets", "50")
                .pass("offers=2", "opened=1")
                .echoed(50));
        // revoke (Linux's rescind path): open, closed, before traffic, unbound, hot added
        b.add(new Builder("revoke-open")
                .offer(echo("e0", 1))
                .offer(echo("e1", 2))
                .args("--packets", "40", "--control-revoke", "e1", "--after", "10")
                .revoked("e1")
                .pass("revoked=1")
                .echoed(50));
        b.add(new Builder("revoke-closed")
                .offer(echo("e0", 1))
                .offer(echo("e1", 2))
                .args("--packets", "40", "--control-revoke", "e1", "--after", "10", "--revoke-closed")
                .revoked("e1")
                .pass("revoked=1")
                .echoed(50));
        b.add(new Builder("revoke-before-traffic")
                .offer(echo("e0", 1))
                .offer(echo("e1", 2))
                .args("--packets", "40", "--control-revoke", "e1")
                .revoked("e1")
                .pass("revoked=1")
                .echoed(40));
        b.add(new Builder("revoke-unbound")
                .offer(echo("e0", 1))
                .offer(nic("n0", 1))
                .args("--device", ECHO_IFACE, "--packets", "40", "--control-revoke", "n0", "--after", "20")
                .revoked("n0")
                .pass("revoked=1")
                .echoed(40));
        b.add(new Builder("hot-add-then-revoke")
                .offer(echo("e0", 1))
                .args("--vcpus", "2", "--packets", "60", "--control-offer", echo("h0", 7), "--after", "10")
                .args("--control-revoke", "h0", "--after", "40")
                .pass("revoked=1", "opened=2")
                .echoed(100)); // h0 catches up from packet 1 once open, then is revoked at 40
        b.add(new Builder("hot-add-stays")
                .offer(echo("e0", 1))
                .args("--packets", "60", "--control-offer", nic("h1", 8), "--after", "30")
                .hotAdded("h1")
                .pass("opened=2")
                .echoed(60 + 60));
        b.add(new Builder("revoke-all")
                .offer(echo("e0", 1))
                .offer(nic("n0", 1))
                .args("--vcpus", "2", "--packets", "30", "--control-revoke", "e0", "--after", "10")
                .args("--control-revoke", "n0", "--after", "20")
                .revoked("e0")
                .revoked("n0")
                .pass("revoked=2")
                .echoed(10 + 20));
        b.add(new Builder("revoke-open-on-vp-3")
                .offer(echo("e0", 1))
                .offer(nic("n0", 1))
                .args("--vcpus", "4", "--packets", "60", "--set-cpu", "3", "--after", "20")
                .args("--control-revoke", "n0", "--after", "40")
                .revoked("n0")
                .pass("revoked=1", "modified=2")
                .echoed(100));
        b.add(new Builder("revoke-with-full-rings")
                .offer(echo("e0", 1))
                .offer(echo("e1", 2))
                .args("--ring-kb", "16", "--size", largestPayload(16) + ":" + largestPayload(16), "--packets", "40")
                .args("--control-revoke", "e1", "--after", "20")
                .revoked("e1")
                .pass("revoked=1")
                .echoed(60));
        b.add(new Builder("ring-1024k-3-nics-4-vcpus")
                .offer(nic("n0", 1))
                .offer(nic("n1", 2))
                .offer(nic("n2", 3))
                .args("--vcpus", "4", "--ring-kb", "1024", "--packets", "60", "--size", "1:65536")
                .pass("opened=3")
                .echoed(180));
        // MODIFYCHANNEL: with a response (5.3), without (5.2), back and forth over 3 vCPUs
        b.add(new Builder("set-cpu-5.3")
                .offer(echo("e0", 1))
                .offer(nic("n0", 1))
                .args("--vcpus", "4", "--packets", "60", "--set-cpu", "2", "--after", "20", "--set-cpu", "0")
                .args("--after", "40")
                .pass("vmbus=5.3", "modified=4")
                .echoed(120));
        b.add(new Builder("set-cpu-5.2")
                .offer(echo("e0", 1))
                .args("--vcpus", "2", "--version-max", "5.2", "--packets", "60", "--set-cpu", "1", "--after", "30")
                .pass("vmbus=5.2", "modified=1")
                .echoed(60));
        b.add(new Builder("set-cpu-back-and-forth")
                .offer(echo("e0", 1))
                .args("--vcpus", "3", "--packets", "90", "--set-cpu", "1", "--after", "30", "--set-cpu", "2")
                .args("--after", "60", "--set-cpu", "0", "--after", "90")
                .pass("modified=3")
                .echoed(90));
        // a VM that dies with its channels open: the server's last view shows them open, then releases them
        return b;
    }

    static Stream<Case> cases() {
        final List<Case> all = new ArrayList<>();
        for (final Kernel k : Kernel.values()) {
            for (final Builder b : builders()) {
                all.add(b.on(k));
            }
        }
        return all.stream();
    }

    /**
     * The full sweep ({@code -Pslow}): every version × 1, 2 and 4 vCPUs × every ring size from 16 KiB to 1 MiB with
     * payloads from 1 byte to the largest, a MODIFYCHANNEL where Linux allows it and a revoke of an open NIC channel
     * in the middle of traffic, on both kernels.
     */
    static Stream<Case> sweep() {
        final List<Case> all = new ArrayList<>();
        for (final Kernel k : Kernel.values()) {
            for (final String v : VERSIONS) {
                for (final int vcpus : new int[] {1, 2, 4}) {
                    for (final int kb : new int[] {16, 32, 64, 128, 256, 512, 1024}) {
                        final Builder c = new Builder("sweep-" + v + "-vcpus-" + vcpus + "-ring-" + kb + "k")
                                .args("--vcpus", Integer.toString(vcpus), "--version-max", v, "--expect-version", v)
                                .offer(echo("e0", 1))
                                .offer(nic("n0", 1))
                                .args("--ring-kb", Integer.toString(kb), "--packets", "64")
                                .args("--size", "1:" + largestPayload(kb))
                                .args("--control-revoke", "n0", "--after", "48")
                                .revoked("n0")
                                .pass("vmbus=" + v, "revoked=1")
                                .echoed(64 + 48);
                        if (vcpus > 1 && !Set.of("4.0", "3.0", "2.4").contains(v)) {
                            c.args("--set-cpu", Integer.toString(vcpus - 1), "--after", "16");
                        }
                        if (v.equals("2.4")) {
                            c.noUnload();
                        }
                        all.add(c.on(k));
                    }
                }
            }
        }
        return all.stream();
    }

    @org.junit.jupiter.api.Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("sweep")
    void shouldPassTheFullSweep(final Case c) throws IOException {
        shouldPassAndLeaveNothingBehind(c);
    }

    // ---- running and checking --------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldPassAndLeaveNothingBehind(final Case c) throws IOException {
        final LinuxVmbusGuest.Result r = run(c, server.socket());
        assertPassed(c, r);
        assertServerView(c, r);
    }

    /** Four guests at once, each its own session, on both kernels: nothing of one reaches another. */
    @Test
    void shouldServeFourGuestsAtOnce() throws Exception {
        final List<Case> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            final Kernel k = i % 2 == 0 ? Kernel.LINUX_6_1 : Kernel.LINUX_6_12;
            four.add(new Builder("concurrent-" + i)
                    .offer(echo("e0", 1))
                    .offer(nic("n0", 1))
                    .args("--vcpus", "2", "--ring-kb", "16", "--packets", "500", "--size", "0:3000")
                    .echoed(1000)
                    .on(k));
        }
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            final List<Future<LinuxVmbusGuest.Result>> runs = new ArrayList<>();
            for (final Case c : four) {
                runs.add(pool.submit(() -> run(c, server.socket())));
            }
            for (int i = 0; i < 4; i++) {
                final LinuxVmbusGuest.Result r = runs.get(i).get(RUN.toSeconds() + 10, TimeUnit.SECONDS);
                assertPassed(four.get(i), r);
                assertServerView(four.get(i), r);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A VM that dies with its channels open: the last view shows them open and mapped; the server then drops them. */
    @Test
    void shouldShowTheChannelsOfAVmThatDiedOpen() throws IOException {
        final Case c = new Builder("no-close")
                .offer(echo("e0", 1))
                .args("--packets", "20", "--no-close")
                .echoed(20)
                .on(Kernel.LINUX_6_1);
        final LinuxVmbusGuest.Result r = run(c, server.socket());
        assertPassed(c, r);
        final JsonNode last = endedState(c.vmName(), 1).get(0);
        final JsonNode ch = last.path("state").path("channels").get(0);
        assertThat(ch.path("state").asText()).isEqualTo("open");
        assertThat(ch.path("gpadls")).hasSize(1);
        assertThat(ch.path("echo").path("mapped_gpadls").asInt()).isEqualTo(1);
        assertThat(ch.path("echo").path("echoed").asLong()).isEqualTo(20);
    }

    LinuxVmbusGuest.Result run(final Case c, final Path socket) throws IOException {
        return run(c, socket, dir);
    }

    /** Runs a case's tool against a socket, with the case's VM name, its output kept in {@code dir}. */
    static LinuxVmbusGuest.Result run(final Case c, final Path socket, final Path dir) throws IOException {
        final List<String> a = new ArrayList<>(c.args());
        a.addAll(List.of("--vm-name", c.vmName(), "--timeout", "20", "-q"));
        return LinuxVmbusGuest.run(c.kernel(), socket.toString(), dir, RUN, a.toArray(String[]::new));
    }

    static void assertPassed(final Case c, final LinuxVmbusGuest.Result r) {
        assertThat(r.passed())
                .as("%s: linux-vmbus-guest exit %d:%n%s", c, r.exitCode(), r.tail(60))
                .isTrue();
        assertThat(r.lastLine()).as("%s: PASS line", c).contains(c.passFields());
        assertThat(r.lastLine()).contains("linux=" + c.kernel().version() + ".");
    }

    /** The ended sessions of a VM, waiting (bounded) until {@code count} of them are recorded. */
    List<JsonNode> endedState(final String vm, final int count) throws IOException {
        return endedState(inspector, vm, count);
    }

    /** The ended sessions of a VM as {@code inspector}'s server remembers them, waiting until there are {@code count}. */
    static List<JsonNode> endedState(final TestVmm inspector, final String vm, final int count) throws IOException {
        final long deadline = System.nanoTime() + ENDED_WAIT.toNanos();
        while (true) {
            final JsonNode answer = JSON.readTree(inspector.control("{\"op\":\"inspect\",\"vm\":\"" + vm + "\"}"));
            assertThat(answer.path("ok").asBoolean()).as(answer.toString()).isTrue();
            final List<JsonNode> ended = new ArrayList<>();
            boolean live = false;
            for (final JsonNode s : answer.path("sessions")) {
                if (s.path("ended").asBoolean()) {
                    ended.add(s);
                } else {
                    live = true;
                }
            }
            if (ended.size() >= count && !live) {
                assertThat(ended).as("ended sessions of %s", vm).hasSize(count);
                return ended;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("vm " + vm + ": expected " + count + " ended sessions and none live within "
                        + ENDED_WAIT + ", got " + answer);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // poll interval, bounded by the deadline
        }
    }

    void assertServerView(final Case c, final LinuxVmbusGuest.Result r) throws IOException {
        assertCleanEnd(c, endedState(c.vmName(), 1).get(0), true);
    }

    /**
     * Packets the echo devices of one session's last state echoed, in all.
     *
     * @param ended an ended session's record
     * @return the sum over its channels
     */
    static long serverEchoes(final JsonNode ended) {
        long n = 0;
        for (final JsonNode ch : ended.path("state").path("channels")) {
            n += ch.path("echo").path("echoed").asLong();
        }
        return n;
    }

    /**
     * The last state of the session a case ended in: the guest closed and released every channel it opened (Linux's
     * {@code vmbus_exit()}), no GPADL in the core or mapped by a device, nothing queued, exactly the expected channels.
     */
    static void assertCleanEnd(final Case c, final JsonNode ended, final boolean countEchoes) {
        final String view = ended.toPrettyString();
        assertThat(ended.path("reason").asText()).as(view).isEqualTo("the VMM closed the connection");
        final JsonNode state = ended.path("state");
        assertThat(state.path("connection").path("state").asText())
                .as("%s: connection at the end%n%s", c, view)
                .isEqualTo(c.unload() ? "disconnected" : "connected");
        final Set<String> names = new TreeSet<>();
        long echoed = 0;
        for (final JsonNode ch : state.path("channels")) {
            final String name = ch.path("name").asText();
            names.add(name);
            // Linux's vmbus_exit() releases every relid (RELID_RELEASED), after UNLOAD from 3.0 on, without it below
            assertThat(ch.path("state").asText())
                    .as("%s: channel %s state%n%s", c, name, view)
                    .isEqualTo("client_released");
            assertThat(ch.path("gpadls"))
                    .as("%s: GPADLs of %s left in the core%n%s", c, name, view)
                    .isEmpty();
            final JsonNode dev = ch.path("echo");
            assertThat(dev.path("open").asBoolean(true))
                    .as("%s: %s rings", c, name)
                    .isFalse();
            assertThat(dev.path("mapped_gpadls").asInt(-1))
                    .as("%s: GPADLs %s still maps%n%s", c, name, view)
                    .isZero();
            assertThat(dev.path("waiting").asBoolean(true))
                    .as("%s: %s echo backlog", c, name)
                    .isFalse();
            echoed += dev.path("echoed").asLong();
        }
        assertThat(names)
                .as("%s: channels the server holds for the VM%n%s", c, view)
                .isEqualTo(c.remaining());
        if (countEchoes && !c.args().contains("--control-revoke")) {
            // revoked channels take their counters with them; otherwise the server echoed what the guest got
            assertThat(echoed)
                    .as("%s: echoes counted by the server%n%s", c, view)
                    .isEqualTo(c.echoed());
        }
        final JsonNode delivery = state.path("delivery");
        assertThat(delivery.path("queued").asInt(-1))
                .as("%s: messages still queued%n%s", c, view)
                .isZero();
        assertThat(delivery.path("state").asText())
                .as("%s: delivery%n%s", c, view)
                .isEqualTo("idle");
    }
}
