package io.jvmbus.cli;

import static io.jvmbus.cli.LinuxGuestMatrixTest.echo;
import static io.jvmbus.cli.LinuxGuestMatrixTest.largestPayload;
import static io.jvmbus.cli.LinuxGuestMatrixTest.nic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jvmbus.cli.LinuxGuestMatrixTest.Builder;
import io.jvmbus.cli.LinuxGuestMatrixTest.Case;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Host servicing in the middle of the real Linux guest's traffic: the tool pauses the VM, sends SAVE to one
 * {@code jvmbus serve} process, and RESTOREs into another process that has never seen the VM (one started for the
 * class, or one started only once the VM is paused), while Linux's own data structures, rings and SynIC state carry on
 * untouched. Each case asserts the tool's PASS line (every echo in
 * order, nothing lost or repeated, no offer or response the guest did not expect), that every session on both sides
 * ended, and that the session the VM ended in holds nothing. docs/interop.md lists the cases.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class LinuxGuestServicingMatrixTest {

    private Path dir;
    private ServeProcess first;
    private ServeProcess second;
    private TestVmm firstInspector;
    private TestVmm secondInspector;

    @BeforeAll
    void startServers() throws IOException {
        dir = Files.createTempDirectory("linux-svc");
        first = ServeProcess.start(dir.resolve("a.sock"), dir);
        second = ServeProcess.start(dir.resolve("b.sock"), dir);
        firstInspector = TestVmm.connect(first.socket(), Duration.ofSeconds(10));
        firstInspector.hello("servicing-inspector");
        secondInspector = TestVmm.connect(second.socket(), Duration.ofSeconds(10));
        secondInspector.hello("servicing-inspector");
    }

    @AfterAll
    void stopServers() throws IOException {
        for (final TestVmm t : new TestVmm[] {firstInspector, secondInspector}) {
            if (t != null) {
                t.close();
            }
        }
        for (final ServeProcess p : new ServeProcess[] {first, second}) {
            if (p != null) {
                p.close();
                assertThat(String.join("\n", p.lines()))
                        .as("the log of %s", p.socket())
                        .contains("server stopped")
                        .doesNotContain("internal error", "Exception");
            }
        }
    }

    /**
     * A servicing case: the tool's options use {@code A} and {@code B} for the two sockets.
     *
     * @param base the case (its options may name {@code @A} and {@code @B})
     * @param sessionsOnFirst how many sessions of the VM the first server sees
     * @param sessionsOnSecond how many the new server sees (the VM ends in the last one of the server it ends on)
     * @param endsOnSecond whether the VM ends on the new server
     */
    record ServicingCase(Case base, int sessionsOnFirst, int sessionsOnSecond, boolean endsOnSecond) {
        @Override
        public String toString() {
            return base.toString();
        }
    }

    static Stream<ServicingCase> cases() {
        final List<ServicingCase> all = new ArrayList<>();
        for (final Kernel k : Kernel.values()) {
            all.add(new ServicingCase(
                    new Builder("service-to-new-process")
                            .offer(echo("e0", 1))
                            .offer(echo("e1", 2))
                            .args("--packets", "200", "--service-after", "100", "--service-socket", "@B")
                            .pass("serviced=1")
                            .echoed(400)
                            .on(k),
                    1,
                    1,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-ping-pong")
                            .offer(echo("e0", 1))
                            .offer(nic("n0", 1))
                            .args("--vcpus", "2", "--packets", "200")
                            .args("--service-after", "50", "--service-socket", "@B")
                            .args("--service-after", "100", "--service-socket", "@A")
                            .args("--service-after", "150", "--service-socket", "@B")
                            .pass("serviced=3")
                            .echoed(400)
                            .on(k),
                    2,
                    2,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-at-packet-0")
                            .offer(echo("e0", 1))
                            .args("--packets", "50", "--service-after", "0", "--service-socket", "@B")
                            .pass("serviced=1")
                            .echoed(50)
                            .on(k),
                    1,
                    1,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-set-cpu-revoke")
                            .offer(echo("e0", 1))
                            .offer(echo("e1", 2))
                            .args("--vcpus", "2", "--packets", "100", "--set-cpu", "1", "--after", "30")
                            .args("--service-after", "50", "--service-socket", "@B")
                            .args("--control-revoke", "e1", "--after", "70")
                            .revoked("e1")
                            .pass("serviced=1", "revoked=1", "modified=2")
                            .echoed(170)
                            .on(k),
                    1,
                    1,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-revoke-then-hot-add")
                            .offer(echo("e0", 1))
                            .offer(echo("e1", 2))
                            .args("--packets", "90", "--control-revoke", "e1", "--after", "20")
                            .args("--service-after", "40", "--service-socket", "@B")
                            .args("--control-offer", echo("h0", 3), "--after", "60")
                            .revoked("e1")
                            .hotAdded("h0")
                            .pass("serviced=1", "revoked=1")
                            .echoed(90 + 20 + 90)
                            .on(k),
                    1,
                    1,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-4-vcpus-1m-ring-largest")
                            .offer(nic("n0", 1))
                            .offer(nic("n1", 2))
                            .offer(nic("n2", 3))
                            .args("--vcpus", "4", "--ring-kb", "1024", "--packets", "40")
                            .args("--size", "1:" + largestPayload(1024))
                            .args("--service-after", "20", "--service-socket", "@B")
                            .pass("serviced=1", "opened=3")
                            .echoed(120)
                            .on(k),
                    1,
                    1,
                    true));
            all.add(new ServicingCase(
                    new Builder("service-16k-ring-wrap")
                            .offer(echo("e0", 1))
                            .args("--ring-kb", "16", "--packets", "1500", "--size", "0:4000")
                            .args("--service-after", "700", "--service-socket", "@B")
                            .pass("serviced=1")
                            .echoed(1500)
                            .on(k),
                    1,
                    1,
                    true));
            for (final String v : List.of("4.0", "3.0", "2.4")) {
                final Builder b = new Builder("service-at-version-" + v)
                        .offer(echo("e0", 1))
                        .args("--version-max", v, "--packets", "60", "--service-after", "30")
                        .args("--service-socket", "@B")
                        .pass("vmbus=" + v, "serviced=1")
                        .echoed(60);
                if (v.equals("2.4")) {
                    b.noUnload();
                }
                all.add(new ServicingCase(b.on(k), 1, 1, true));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldCarryOnInAnotherServeProcess(final ServicingCase sc) throws IOException {
        final Case c = resolve(sc.base(), second.socket());
        final LinuxVmbusGuest.Result r = LinuxGuestMatrixTest.run(c, first.socket(), dir);
        LinuxGuestMatrixTest.assertPassed(c, r);
        assertServerViews(c, sc, r, secondInspector);
    }

    /**
     * The restore goes to a serve process started only once the first one has saved the VM: the guest is paused,
     * the new host comes up, and the tool connects to it (it retries for its {@code --timeout}).
     */
    @ParameterizedTest(name = "linux {0}")
    @EnumSource(Kernel.class)
    void shouldCarryOnInAProcessStartedWhileTheVmIsPaused(final Kernel kernel) throws Exception {
        final Path caseDir = Files.createTempDirectory(dir, "c");
        final Path third = caseDir.resolve("c.sock");
        final Case c = resolve(
                new Builder("service-to-late-process")
                        .offer(echo("e0", 1))
                        .offer(nic("n0", 1))
                        .args("--vcpus", "2", "--packets", "100", "--service-after", "50", "--service-socket", "@B")
                        .pass("serviced=1")
                        .echoed(200)
                        .on(kernel),
                third);
        final ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            final Future<LinuxVmbusGuest.Result> run =
                    pool.submit(() -> LinuxGuestMatrixTest.run(c, first.socket(), dir));
            first.awaitLine(l -> l.contains("(vm '" + c.vmName() + "'): SAVE:"), Duration.ofSeconds(60));
            assertThat(run.isDone()).as("the tool waits for the new host").isFalse();
            try (ServeProcess late = ServeProcess.start(third, caseDir);
                    TestVmm inspector = TestVmm.connect(third, Duration.ofSeconds(10))) {
                inspector.hello("servicing-inspector");
                final LinuxVmbusGuest.Result r = run.get(120, TimeUnit.SECONDS);
                LinuxGuestMatrixTest.assertPassed(c, r);
                assertServerViews(c, new ServicingCase(c, 1, 1, true), r, inspector);
                late.close();
                assertThat(String.join("\n", late.lines()))
                        .contains("server stopped")
                        .doesNotContain("internal error", "Exception");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Seeds of the random scenarios in the default suite (each a few hundred milliseconds). */
    static final int DEFAULT_RANDOM_SEEDS = 40;

    /**
     * A random scenario: Linux version, vCPUs, ring size, packet sizes, reader, devices, and a sorted run of revokes
     * (open or closed), hot adds, MODIFYCHANNELs and servicing hops between the two servers, from one seed.
     *
     * @param seed the seed (printed in the case name)
     * @return the case and where its sessions are
     */
    static ServicingCase randomScenario(final long seed) {
        final java.util.Random r = new java.util.Random(seed);
        final Kernel k = Kernel.values()[r.nextInt(Kernel.values().length)];
        final List<String> versions = List.of("5.3", "5.2", "5.1", "5.0", "4.1", "4.0", "3.0", "2.4");
        final String v = versions.get(r.nextInt(versions.size()));
        final int vcpus = new int[] {1, 2, 4}[r.nextInt(3)];
        final int kb = new int[] {16, 20, 32, 64, 128, 1024}[r.nextInt(6)];
        final int max = largestPayload(kb);
        final int hi = new int[] {max, Math.min(max, 256), Math.min(max, 4000)}[r.nextInt(3)];
        final int lo = Math.min(hi, new int[] {0, 1, max / 2}[r.nextInt(3)]);
        final int packets = new int[] {20, 100, 400}[r.nextInt(3)];
        final Builder b = new Builder("random-" + seed)
                .args("--vcpus", Integer.toString(vcpus), "--version-max", v, "--ring-kb", Integer.toString(kb))
                .args("--size", lo + ":" + hi, "--packets", Integer.toString(packets), "--seed", Long.toString(seed))
                .pass("vmbus=" + v);
        if (lo >= 1 && r.nextInt(3) == 0) {
            b.args("--reader", "recvpacket");
        }
        final List<String> live = new ArrayList<>();
        final int devices = 1 + r.nextInt(4);
        for (int i = 1; i <= devices; i++) {
            b.offer(r.nextBoolean() ? echo("d" + i, 100 + i) : nic("d" + i, 100 + i));
            live.add("d" + i);
        }
        final int[] at = r.ints(r.nextInt(6), 0, packets + 1).sorted().toArray();
        boolean onFirst = true;
        int toFirst = 1;
        int toSecond = 0;
        int revoked = 0;
        int serviced = 0;
        int hot = 0;
        final boolean modifyAllowed = !Set.of("4.0", "3.0", "2.4").contains(v);
        for (final int n : at) {
            final int t = r.nextInt(10);
            if (t < 3 && !live.isEmpty()) {
                final String name = live.remove(r.nextInt(live.size()));
                b.args("--control-revoke", name, "--after", Integer.toString(n)).revoked(name);
                if (r.nextInt(5) < 2) {
                    b.args("--revoke-closed");
                }
                revoked++;
            } else if (t < 5) {
                hot++;
                final String spec = r.nextBoolean() ? echo("h" + hot, 200 + hot) : nic("h" + hot, 200 + hot);
                b.args("--control-offer", spec, "--after", Integer.toString(n)).hotAdded("h" + hot);
                live.add("h" + hot);
            } else if (t < 7 && modifyAllowed) {
                b.args("--set-cpu", Integer.toString(r.nextInt(vcpus)), "--after", Integer.toString(n));
            } else {
                onFirst = !onFirst;
                b.args("--service-after", Integer.toString(n), "--service-socket", onFirst ? "@A" : "@B");
                if (onFirst) {
                    toFirst++;
                } else {
                    toSecond++;
                }
                serviced++;
            }
        }
        b.pass("revoked=" + revoked, "serviced=" + serviced);
        if (v.equals("2.4")) {
            b.noUnload();
        }
        return new ServicingCase(b.on(k), toFirst, toSecond, !onFirst);
    }

    static Stream<ServicingCase> randomScenarios() {
        return java.util.stream.LongStream.rangeClosed(1, DEFAULT_RANDOM_SEEDS).mapToObj(s -> randomScenario(s));
    }

    static Stream<ServicingCase> manyRandomScenarios() {
        final long from = Long.getLong("jvmbus.linuxRandom.from", DEFAULT_RANDOM_SEEDS + 1);
        final long count = Long.getLong("jvmbus.linuxRandom.count", 1000);
        return java.util.stream.LongStream.range(from, from + count).mapToObj(s -> randomScenario(s));
    }

    /** Seeded random scenarios (the seed is in the case name; {@link #randomScenario} rebuilds it). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("randomScenarios")
    void shouldPassRandomScenarios(final ServicingCase sc) throws IOException {
        runRandom(sc);
    }

    /** The same generator over 1000 more seeds ({@code -Pslow}; {@code -Djvmbus.linuxRandom.from/count} move it). */
    @org.junit.jupiter.api.Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("manyRandomScenarios")
    void shouldPassManyRandomScenarios(final ServicingCase sc) throws IOException {
        runRandom(sc);
    }

    private void runRandom(final ServicingCase sc) throws IOException {
        final Case c = resolve(sc.base(), second.socket());
        final LinuxVmbusGuest.Result r = LinuxGuestMatrixTest.run(c, first.socket(), dir);
        LinuxGuestMatrixTest.assertPassed(c, r);
        assertServerViews(c, sc, r, secondInspector);
    }

    private Case resolve(final Case c, final Path other) {
        final List<String> args = new ArrayList<>();
        for (final String a : c.args()) {
            args.add(
                    switch (a) {
                        case "@A" -> first.socket().toString();
                        case "@B" -> other.toString();
                        default -> a;
                    });
        }
        return new Case(c.name(), c.kernel(), List.copyOf(args), c.passFields(), c.unload(), c.remaining(), c.echoed());
    }

    /**
     * Both servers' view once the VM has gone: every session it left by servicing ended when the VMM closed it after
     * SAVED, the session it ended in holds nothing, and the echo devices of all its sessions together echoed every
     * packet exactly once.
     */
    private void assertServerViews(
            final Case c, final ServicingCase sc, final LinuxVmbusGuest.Result r, final TestVmm otherInspector)
            throws IOException {
        final List<JsonNode> onFirst =
                LinuxGuestMatrixTest.endedState(firstInspector, c.vmName(), sc.sessionsOnFirst());
        final List<JsonNode> onSecond =
                LinuxGuestMatrixTest.endedState(otherInspector, c.vmName(), sc.sessionsOnSecond());
        final List<JsonNode> handedOver = new ArrayList<>(onFirst);
        handedOver.addAll(onSecond);
        final JsonNode last = sc.endsOnSecond() ? onSecond.getLast() : onFirst.getLast();
        handedOver.remove(last);
        for (final JsonNode s : handedOver) {
            assertThat(s.path("reason").asText())
                    .as("%s: a session the VM left by servicing%n%s", c, s.toPrettyString())
                    .isEqualTo("the VMM closed the connection");
        }
        LinuxGuestMatrixTest.assertCleanEnd(c, last, false);
        if (!c.args().contains("--control-revoke")) {
            // revoked channels take their counters with them; otherwise the servers echoed what the guest got
            final long tool = Long.parseLong(r.lastLine().replaceAll(".* echoed=(\\d+) .*", "$1"));
            long echoes = 0;
            for (final JsonNode s : onFirst) {
                echoes += LinuxGuestMatrixTest.serverEchoes(s);
            }
            for (final JsonNode s : onSecond) {
                echoes += LinuxGuestMatrixTest.serverEchoes(s);
            }
            assertThat(echoes).as("%s: echoes counted by both servers", c).isEqualTo(tool);
        }
    }
}
