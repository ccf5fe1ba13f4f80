package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.client.GuestChannel;
import io.jvmbus.client.GuestClient;
import io.jvmbus.client.GuestException;
import io.jvmbus.client.GuestOptions;
import io.jvmbus.client.GuestRam;
import io.jvmbus.client.OpenOptions;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.GuestRamMapper;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The VMM side fails at the worst moments: it disconnects in the middle of a frame, between a POST_MESSAGE and its
 * POST_RESULT, between a DELIVER_MESSAGE and its DELIVER_RESULT, and right after SAVE. Each time the failing VM has
 * guest RAM mapped, an echo channel open with its rings, a further GPADL and a pipe device listening on a Unix socket;
 * each time its session must end with a log line that names the reason and release all of that, and a second VM that
 * moves packets through the same server the whole time must not notice.
 */
@Timeout(60)
class ServeFaultTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ECHO = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";

    /** A fault and the session-end reasons it may cause (the race between the server's write and its read decides). */
    enum Fault {
        HEADER_ONLY("the VMM closed the connection in the middle of a frame"),
        HALF_A_BODY("the VMM closed the connection in the middle of a frame"),
        BETWEEN_POST_AND_POST_RESULT("the VMM closed the connection", "write failed", "read failed"),
        BETWEEN_DELIVER_AND_DELIVER_RESULT("the VMM closed the connection", "write failed", "read failed"),
        DURING_SAVE("the VMM closed the connection", "write failed", "read failed");

        final List<String> reasons;

        Fault(final String... reasons) {
            this.reasons = List.of(reasons);
        }
    }

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    private final AtomicInteger mappings = new AtomicInteger();
    private HostServer server;
    private LogLines log;
    private Vm bystander;
    private Vm victim;

    /** One VM: RAM file, transport (the VMM), guest client, an open echo channel. */
    private final class Vm implements AutoCloseable {
        final GuestRam ram;
        final SocketGuestTransport transport;
        final GuestClient client;
        final GuestChannel echo;

        Vm(final String name, final String... extraOffers) {
            ram = GuestRam.create(dir.resolve(name + ".ram"), 1024, true);
            transport = SocketGuestTransport.connect(server.socketPath(), ram, 2, name, TIMEOUT);
            control("{\"op\":\"offer\",\"name\":\"echo\",\"device\":\"echo\",\"interface\":\"" + ECHO
                    + "\",\"instance\":\"" + Guid.ofData1(0x77) + "\"}");
            for (final String o : extraOffers) {
                control(o);
            }
            client = new GuestClient(transport, ram, GuestOptions.linux());
            client.connect(TIMEOUT);
            final List<OfferChannel> offers = client.requestOffers(TIMEOUT);
            final OfferChannel e = offers.stream()
                    .filter(o -> o.instanceId().equals(Guid.ofData1(0x77)))
                    .findFirst()
                    .orElseThrow();
            echo = client.open(e, OpenOptions.rings(2, 2), TIMEOUT);
        }

        JsonNode control(final String json) {
            try {
                final JsonNode r = JSON.readTree(transport.control(json));
                assertThat(r.path("ok").asBoolean()).as("%s -> %s", json, r).isTrue();
                return r;
            } catch (final IOException e) {
                throw new AssertionError(e);
            }
        }

        /** One packet there and back, checked. */
        void roundTrip(final long n) {
            final byte[] p = new byte[8 + (int) (n % 200) * 8];
            Arrays.fill(p, (byte) n);
            echo.send(n, false, p, TIMEOUT);
            final GuestChannel.Packet back = echo.receive(TIMEOUT);
            assertThat(back.transactionId()).isEqualTo(n);
            assertThat(back.payload()).isEqualTo(p);
        }

        @Override
        public void close() {
            client.close();
            transport.close();
            ram.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        final GuestRamMapper counting = (file, bytes) -> {
            final io.jvmbus.host.session.GuestRam ram = MappedFileRam.map(file, bytes);
            mappings.incrementAndGet();
            final AtomicBoolean closed = new AtomicBoolean();
            return new io.jvmbus.host.session.GuestRam() {
                @Override
                public GuestMemory memory() {
                    return ram.memory();
                }

                @Override
                public void close() {
                    if (closed.compareAndSet(false, true)) {
                        ram.close();
                        mappings.decrementAndGet();
                    }
                }
            };
        };
        server = HostServer.start(new HostServer.Options(
                dir.resolve("serve.sock"),
                null,
                new SessionEnvironment(ConfigFile.EMPTY, counting, ServerConfig.defaults()),
                16));
        log = LogLines.capture(Level.INFO);
    }

    @AfterEach
    void stop() {
        log.close();
        if (victim != null) {
            victim.close();
        }
        if (bystander != null) {
            bystander.close();
        }
        server.close();
    }

    private List<String> lines() {
        return log.lines();
    }

    /** The bystander's traffic, on its own thread until stopped: round trips done, or the failure. */
    private CompletableFuture<Long> traffic(final Vm vm, final AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            long n = 0;
            while (!stop.get()) {
                vm.roundTrip(n++);
            }
            return n;
        });
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void shouldEndTheFailingSessionCleanlyAndLeaveTheOtherUntouched(final Fault fault) throws Exception {
        bystander = new Vm("bystander");
        final Path pipe = dir.resolve("victim-debugger.sock");
        victim = new Vm(
                "victim",
                "{\"op\":\"offer\",\"name\":\"dbg\",\"device\":\"pipe\",\"interface\":\"" + Guid.ofData1(0xdb6)
                        + "\",\"instance\":\"" + Guid.ofData1(0x1) + "\",\"endpoint\":\"unix:" + pipe + "\"}");
        final int relid = victim.echo.channelId();
        final int extraGpadl = victim.client
                .createGpadl(relid, victim.ram.allocate(16), TIMEOUT)
                .gpadlId();
        victim.roundTrip(1);
        assertThat(mappings.get()).as("both VMs' RAM mapped").isEqualTo(2);
        assertThat(pipe).exists();
        assertThat(server.sessionCount()).isEqualTo(2);

        final AtomicBoolean stop = new AtomicBoolean();
        final CompletableFuture<Long> running = traffic(bystander, stop);

        inject(fault, victim, extraGpadl);

        assertThat(server.awaitSessionCount(1, TIMEOUT))
                .as("the failing session ended")
                .isTrue();
        final String ended = log.await(l -> l.contains("(vm 'victim'): ended: "), TIMEOUT);
        assertThat(fault.reasons).anySatisfy(r -> assertThat(ended).contains("ended: " + r));
        assertThat(lines()).noneMatch(l -> l.contains("internal error"));
        assertThat(mappings.get())
                .as("the victim's RAM unmapped, the bystander's still mapped")
                .isEqualTo(1);
        assertThat(pipe).as("the pipe endpoint unbound").doesNotExist();
        assertThatThrownBy(() -> SocketChannel.open(UnixDomainSocketAddress.of(pipe)))
                .isInstanceOf(IOException.class);
        final JsonNode seen =
                bystander.control("{\"op\":\"inspect\",\"vm\":\"victim\"}").path("sessions");
        assertThat(seen)
                .as("inspect: the victim only as an ended session, with its reason")
                .hasSize(1);
        assertThat(seen.get(0).path("ended").asBoolean()).as("%s", seen).isTrue();
        assertThat(ended).contains(seen.get(0).path("reason").asText());

        // the bystander went on the whole time, and goes on
        stop.set(true);
        final long total = running.get(30, TimeUnit.SECONDS); // throws if any round trip failed meanwhile
        assertThat(total).as("bystander round trips during the fault").isPositive();
        for (long n = total; n < total + 50; n++) {
            bystander.roundTrip(n);
        }
        bystander.client.close(bystander.echo, TIMEOUT);
        bystander.client.unload(TIMEOUT);
        assertThat(bystander.client.protocolErrors()).isEmpty();
        assertThat(bystander.transport.errors()).isEmpty();
        assertThat(lines()).noneMatch(l -> l.contains("(vm 'bystander'): ended"));
    }

    private static void inject(final Fault fault, final Vm victim, final int extraGpadl) {
        // GPADL_TEARDOWN of the victim's extra GPADL: the server owes a POST_RESULT and then delivers GPADL_TORNDOWN
        final byte[] post = TestVmm.frame(
                TestVmm.POST_MESSAGE,
                0,
                TestVmm.postBody(
                        victim.client.connection().messageConnectionId(),
                        0,
                        1,
                        io.jvmbus.testkit.transport.GuestMessages.gpadlTeardown(victim.echo.channelId(), extraGpadl)));
        switch (fault) {
            case HEADER_ONLY -> victim.transport.crashAfterWriting(Arrays.copyOf(post, 8));
            case HALF_A_BODY -> victim.transport.crashAfterWriting(Arrays.copyOf(post, 8 + (post.length - 8) / 2));
            case BETWEEN_POST_AND_POST_RESULT -> victim.transport.crashAfterWriting(post);
            case BETWEEN_DELIVER_AND_DELIVER_RESULT -> {
                victim.transport.crashOnNextDelivery();
                // GPADL_CREATED comes as a DELIVER_MESSAGE that the "VMM" never answers
                assertThatThrownBy(() -> victim.client.createGpadl(
                                victim.echo.channelId(), victim.ram.allocate(4), Duration.ofSeconds(2)))
                        .isInstanceOf(GuestException.class);
            }
            case DURING_SAVE -> victim.transport.crashAfterWriting(TestVmm.frame(TestVmm.SAVE, 0, new byte[0]));
        }
    }
}
