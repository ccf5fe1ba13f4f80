package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.savedstate.SavedChannel;
import io.jvmbus.server.savedstate.SavedServerState;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compatibility promise: every blob in {@code src/test/resources/savedstate/v1} (written by {@link
 * SavedStateCorpus} when format version 1 was current) restores in this build, devices claim their channels, and
 * the restored state is the one the blob was made from. A future format adds a directory and keeps this one.
 */
@Timeout(60)
final class SavedStateCorpusTest {

    private static final Map<String, Consumer<ServerSnapshot>> EXPECTED = expectations();

    private static Map<String, Consumer<ServerSnapshot>> expectations() {
        final Map<String, Consumer<ServerSnapshot>> m = new LinkedHashMap<>();
        m.put("01-disconnected-offered", s -> {
            assertThat(s.connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
            assertThat(s.channels()).hasSize(4).allMatch(c -> c.state() == ChannelState.CLIENT_RELEASED);
        });
        m.put("02-connecting-win10", s -> {
            assertThat(s.connection().phase()).isEqualTo(ConnectionPhase.CONNECTING);
            assertThat(s.connection().version().version()).isEqualTo(ProtocolVersion.WIN10);
        });
        m.put("03-connected-win10-enumerated", s -> {
            assertThat(s.connection().offersSent()).isTrue();
            assertThat(s.channels())
                    .extracting(ServerSnapshot.ChannelSnapshot::channelId)
                    .containsExactly(1, 2, 3, 4);
            assertThat(s.monitorIdsInUse()).containsExactly(0);
        });
        m.put("04-connected-copper-open-gpadls", s -> {
            assertThat(s.connection().version().featureFlags()).isEqualTo(0x1 | 0x2 | 0x4 | 0x20 | 0x80);
            assertThat(states(s)).containsExactly("OPEN", "OPEN", "OPEN", "CLOSED");
            assertThat(s.gpadls()).hasSize(6).allMatch(g -> g.state() == GpadlState.ACCEPTED);
        });
        m.put("05-reserved-disconnecting", s -> {
            assertThat(s.connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
            assertThat(s.channelById(1).stateName()).isEqualTo("OPEN_RESERVED");
            assertThat(s.gpadls())
                    .singleElement()
                    .satisfies(g -> assertThat(g.gpadlId()).isEqualTo(10));
        });
        m.put("06-reserved-disconnected", s -> {
            assertThat(s.connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
            assertThat(s.channelById(1).stateName()).isEqualTo("OPEN_RESERVED");
            assertThat(s.gpadls())
                    .singleElement()
                    .satisfies(g -> assertThat(g.state()).isEqualTo(GpadlState.ACCEPTED));
        });
        m.put(
                "07-opening-closing-reopen",
                s -> assertThat(states(s)).containsExactly("OPENING", "CLOSING", "CLOSING_REOPEN", "CLOSED"));
        m.put(
                "08-gpadls-in-progress-and-tearing-down",
                s -> assertThat(s.gpadls())
                        .extracting(ServerSnapshot.GpadlSnapshot::state)
                        .containsExactly(GpadlState.TEARING_DOWN, GpadlState.IN_PROGRESS, GpadlState.OFFERED));
        m.put("09-paused-with-queued-messages", s -> {
            assertThat(s.connection().paused()).isTrue();
            assertThat(s.outgoing())
                    .extracting(ServerSnapshot.QueuedMessage::heldByPause)
                    .containsExactly(false, true, true);
            assertThat(s.outgoing().get(0).target()).isEqualTo(new MessageTarget.Reserved(4, 2, 2));
        });
        m.put(
                "10-revoked-and-reoffered",
                s -> assertThat(states(s)).containsExactly("REVOKED", "REOFFERED", "CLOSED", "CLOSED"));
        m.put("11-reset-in-progress", s -> {
            assertThat(s.connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
            assertThat(s.connection().nextAction()).isEqualTo(NextAction.RESET);
            assertThat(states(s)).startsWith("CLOSING_CLIENT_RELEASE", "CLIENT_RELEASED");
        });
        m.put("12-hvsock-and-modify-in-flight", s -> {
            assertThat(s.hvsockRequests())
                    .singleElement()
                    .satisfies(r -> assertThat(r.siloId()).isEqualTo(Guid.ofData1(0x51)));
            assertThat(s.connection().modifying()).isTrue();
            assertThat(s.channelById(2).modify().inFlightVp()).isEqualTo(3);
        });
        m.put("13-reconnect-pending", s -> {
            assertThat(s.connection().nextAction()).isInstanceOf(NextAction.Reconnect.class);
            // B17: 0x8 asked for in the 40-byte form is negotiated without the client id.
            final InitiateContactRequest r =
                    ((NextAction.Reconnect) s.connection().nextAction()).request();
            assertThat(r.versionRequested()).isEqualTo(ProtocolVersion.COPPER.code());
            assertThat(r.featureFlags() & FeatureFlags.CLIENT_ID).isZero();
        });
        m.put("14-server-monitor-pages", s -> {
            assertThat(s.connection().monitorPages()).isEqualTo(MonitorPages.server(0x456f000L, 0x654f000L));
            assertThat(s.channelById(3).state()).isEqualTo(ChannelState.OPEN);
        });
        return m;
    }

    private static List<String> states(final ServerSnapshot s) {
        return s.channels().stream()
                .map(ServerSnapshot.ChannelSnapshot::stateName)
                .toList();
    }

    static Path corpusDir() throws URISyntaxException {
        return Path.of(SavedStateCorpusTest.class.getResource("/savedstate/v1").toURI());
    }

    static Map<String, byte[]> corpus() throws IOException, URISyntaxException {
        final Map<String, byte[]> blobs = new TreeMap<>();
        try (Stream<Path> files = Files.list(corpusDir())) {
            for (final Path p : files.filter(f -> f.toString().endsWith(".bin")).toList()) {
                final String name = p.getFileName().toString();
                blobs.put(name.substring(0, name.length() - 4), Files.readAllBytes(p));
            }
        }
        return blobs;
    }

    @Test
    void shouldHaveAnExpectationForEveryBlobAndABlobForEveryScenario() throws Exception {
        assertThat(corpus().keySet()).containsExactlyElementsOf(EXPECTED.keySet());
        assertThat(SavedStateCorpus.scenarios().keySet()).containsExactlyElementsOf(EXPECTED.keySet());
    }

    @Test
    void shouldRestoreEveryBlobOfTheCorpus() throws Exception {
        final List<String> restored = new ArrayList<>();
        for (final Map.Entry<String, byte[]> e : corpus().entrySet()) {
            final ServerSnapshot s = restoreAsAHostWould(e.getKey(), e.getValue());
            EXPECTED.get(e.getKey()).accept(s);
            restored.add(e.getKey());
        }
        assertThat(restored).hasSize(EXPECTED.size());
    }

    /** What a host does with the blob: offer the devices it has, restore, let them claim, revoke the unclaimed. */
    private static ServerSnapshot restoreAsAHostWould(final String name, final byte[] blob) {
        final SavedStateCodec.Decoded d =
                SavedStateCodec.decode(blob, RestoreLimits.defaults(), SavedStateCorpus.CONFIG);
        assertThat(d).as(name).isInstanceOf(SavedStateCodec.Decoded.Ok.class);
        final SavedServerState state = ((SavedStateCodec.Decoded.Ok) d).state();
        final ServerHarness r = new ServerHarness(SavedStateCorpus.CONFIG);
        final Map<Integer, OfferId> handles = new LinkedHashMap<>();
        final Map<Integer, Boolean> open = new LinkedHashMap<>();
        for (final SavedChannel c : state.getChannelsList()) {
            final int n = Guid.read(ByteBuffer.wrap(c.getKey().getInterfaceId().toByteArray()), 0)
                    .data1();
            final ChannelState cs = ChannelState.ofCode(c.getState()).orElseThrow();
            if (cs != ChannelState.REVOKED) {
                handles.put(n, r.offer(SavedStateCorpus.offer(n)));
                open.put(
                        n,
                        cs == ChannelState.OPEN
                                || cs == ChannelState.CLOSING
                                || cs == ChannelState.CLOSING_REOPEN
                                || cs == ChannelState.CLOSING_CLIENT_RELEASE);
            }
        }
        r.pend = true;
        final RestoreResult result = r.server.restore(blob, RestoreLimits.defaults());
        assertThat(result).as(name).isInstanceOf(RestoreResult.Restored.class);
        assertThat(((RestoreResult.Restored) result).formatVersion()).isEqualTo(1);
        final ServerSnapshot restored = r.server.inspect();
        for (final Map.Entry<Integer, OfferId> h : handles.entrySet()) {
            assertThat(r.server
                            .restoreChannel(h.getValue(), open.get(h.getKey()))
                            .isClaimed())
                    .as("%s: claim of device %d", name, h.getKey())
                    .isTrue();
        }
        assertThat(r.server.revokeUnclaimedChannels()).as(name).isEqualTo(Outcome.OK);
        // What this build restored, it saves and restores again.
        final ServerHarness again = new ServerHarness(SavedStateCorpus.CONFIG);
        assertThat(again.server.restore(r.server.save()).isRestored()).as(name).isTrue();
        return restored;
    }
}
