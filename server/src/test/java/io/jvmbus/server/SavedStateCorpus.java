package io.jvmbus.server;

import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.testkit.wire.GuestMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The scenarios behind the committed saved-state corpus ({@code src/test/resources/savedstate/v1/*.bin}). Each builds
 * a server in one representative state with the {@link #CONFIG corpus configuration} and devices OFF(1..4) (OFF(3)
 * with MNF enabled). The blobs were written by {@link #main} when format version 1 was current; they are never
 * regenerated (a later build must restore the bytes an earlier build wrote), only added to.
 *
 * <pre>
 * ./mvnw -B -ntp -pl server -am test-compile
 * ./mvnw -B -ntp -pl server dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -cp server/target/test-classes:server/target/classes:$(cat /tmp/cp.txt) \
 *     io.jvmbus.server.SavedStateCorpus server/src/test/resources/savedstate/v1
 * </pre>
 */
final class SavedStateCorpus {

    /** The configuration the corpus was saved with and is restored into: defaults plus GPA pinning. */
    static final ServerConfig CONFIG = ServerConfig.builder().gpaPinning(true).build();

    static final int DEVICES = 4;

    private SavedStateCorpus() {}

    static OfferParams offer(final int n) {
        final OfferParams.Builder b =
                OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n)).interfaceName("corpus-device-" + n);
        if (n == 3) {
            b.mnf(new MnfUsage.Enabled(100_000));
        }
        return b.build();
    }

    private static OfferId off(final int n) {
        return new OfferId(n);
    }

    private static ServerHarness offered() {
        final ServerHarness h = new ServerHarness(CONFIG);
        for (int n = 1; n <= DEVICES; n++) {
            h.offer(offer(n));
        }
        return h;
    }

    private static ServerHarness enumerated(final ProtocolVersion v, final int flags) {
        final ServerHarness h = offered();
        h.connectAndRequestOffers(v, flags);
        h.device();
        return h;
    }

    private static void gpadl(final ServerHarness h, final int channel, final int gpadl) {
        h.sendOk(GuestMessages.simpleGpadl(channel, gpadl));
        h.gc(off(channel), gpadl, 0);
        h.drain();
    }

    private static void open(final ServerHarness h, final int channel) {
        h.sendOk(GuestMessages.openChannel(channel, 100 + channel, channel * 10, 0, 1));
        h.oc(off(channel), 0);
        h.drain();
    }

    /** Firmware: Win10, GPADL 10 on channel 1, channel 1 opened reserved, UNLOAD sent. */
    private static ServerHarness reservedUnloading() {
        final ServerHarness h = enumerated(ProtocolVersion.WIN10, 0);
        gpadl(h, 1, 10);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.oc(off(1), 0);
        h.drain();
        h.sendOk(GuestMessages.unload());
        return h;
    }

    /** The scenarios, by file name (without .bin), in the order of the readme. */
    static Map<String, Supplier<ChannelServer>> scenarios() {
        final Map<String, Supplier<ChannelServer>> m = new LinkedHashMap<>();
        m.put("01-disconnected-offered", () -> offered().server);
        m.put("02-connecting-win10", () -> {
            final ServerHarness h = offered();
            h.sendOk(GuestMessages.initiateContact2(
                    ProtocolVersion.WIN10.code(), 0, 0, ServerHarness.P2C, ServerHarness.C2P, Guid.ZERO));
            return h.server;
        });
        m.put("03-connected-win10-enumerated", () -> enumerated(ProtocolVersion.WIN10, 0).server);
        m.put("04-connected-copper-open-gpadls", () -> {
            final ServerHarness h = enumerated(
                    ProtocolVersion.COPPER,
                    FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS
                            | FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION
                            | FeatureFlags.MODIFY_CONNECTION
                            | FeatureFlags.PAUSE_RESUME
                            | FeatureFlags.GPA_PINNING);
            for (int n = 1; n <= 3; n++) {
                gpadl(h, n, n * 10);
                gpadl(h, n, n * 10 + 1);
                h.sendOk(GuestMessages.openChannel2(
                        n, 100 + n, n * 10, n - 1, 1, new byte[] {(byte) n}, 0x2000 + 16 + n, 16 + n, 0x1));
                h.oc(off(n), 0);
                h.drain();
            }
            return h.server;
        });
        m.put("05-reserved-disconnecting", () -> reservedUnloading().server);
        m.put("06-reserved-disconnected", () -> {
            final ServerHarness h = reservedUnloading();
            h.ack();
            h.drain();
            return h.server;
        });
        m.put("07-opening-closing-reopen", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.IRON, 0);
            h.sendOk(GuestMessages.openChannel(1, 1, 10, 0, 0));
            open(h, 2);
            h.sendOk(GuestMessages.closeChannel(2));
            open(h, 3);
            h.sendOk(GuestMessages.closeChannel(3));
            h.sendOk(GuestMessages.openChannel(3, 7, 30, 0, 0));
            h.device();
            return h.server;
        });
        m.put("08-gpadls-in-progress-and-tearing-down", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.COPPER, 0);
            gpadl(h, 1, 10);
            h.sendOk(GuestMessages.gpadlTeardown(1, 10));
            h.sendOk(GuestMessages.gpadlHeader(2, 20, 64, 3, 0x1_0000_0000L, 0x10L, 0x2_0000_0000L));
            h.sendOk(GuestMessages.simpleGpadl(3, 30));
            return h.server;
        });
        m.put("09-paused-with-queued-messages", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME);
            h.sendOk(GuestMessages.openReservedChannel(4, 2, 2, 40, 0));
            h.sendOk(GuestMessages.simpleGpadl(1, 10));
            h.sendOk(GuestMessages.pause());
            h.pend = true;
            h.oc(off(4), 0);
            h.gc(off(1), 10, 0);
            h.server.offerChannel(offer(5));
            return h.server;
        });
        m.put("10-revoked-and-reoffered", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.WIN10_RS5, 0);
            gpadl(h, 1, 10);
            h.revoke(off(1));
            h.revoke(off(2));
            h.offer(offer(2));
            h.drain();
            return h.server;
        });
        m.put("11-reset-in-progress", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.WIN10, 0);
            gpadl(h, 1, 10);
            open(h, 1);
            open(h, 2);
            h.reset();
            h.device();
            h.cc(off(2));
            return h.server;
        });
        m.put("12-hvsock-and-modify-in-flight", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION);
            h.sendOk(GuestMessages.tlConnectRequest2(Guid.ofData1(0xE1), Guid.ofData1(0x5E), Guid.ofData1(0x51)));
            open(h, 2);
            h.sendOk(GuestMessages.modifyChannel(2, 3));
            h.sendOk(GuestMessages.modifyConnection(0x5000, 0x6000));
            return h.server;
        });
        m.put("13-reconnect-pending", () -> {
            final ServerHarness h = enumerated(ProtocolVersion.WIN10, 0);
            open(h, 1);
            h.sendOk(GuestMessages.initiateContact(
                    ProtocolVersion.COPPER.code(),
                    0,
                    GuestMessages.targetInfo(2, 0, FeatureFlags.CLIENT_ID),
                    ServerHarness.P2C,
                    ServerHarness.C2P));
            return h.server;
        });
        m.put("14-server-monitor-pages", () -> {
            final ServerHarness h = offered();
            h.sendOk(GuestMessages.initiateContact(
                    ProtocolVersion.COPPER.code(),
                    0,
                    GuestMessages.targetInfo(2, 0, FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES),
                    0,
                    0));
            h.answerRelay(new ModifyConnectionResult.Supported(
                    ConnectionState.SUCCESSFUL, 0x40, MonitorPages.server(0x456f000L, 0x654f000L)));
            h.drain();
            h.requestOffers();
            h.sendOk(GuestMessages.openChannel(3, 1, 30, 0, 0));
            h.oc(off(3), NtStatus.SUCCESS);
            h.drain();
            return h.server;
        });
        return m;
    }

    /**
     * Writes every scenario's blob into a directory.
     *
     * @param args the directory
     * @throws IOException if a file cannot be written
     */
    public static void main(final String[] args) throws IOException {
        final Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        for (final Map.Entry<String, Supplier<ChannelServer>> e : scenarios().entrySet()) {
            final byte[] blob = e.getValue().get().save();
            Files.write(dir.resolve(e.getKey() + ".bin"), blob);
            System.out.println(e.getKey() + ".bin " + blob.length + " bytes");
        }
    }
}
