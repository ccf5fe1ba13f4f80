package io.jvmbus.host.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.host.session.savedstate.SavedSession;
import io.jvmbus.server.ChannelServer;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.HvsockConnectRequest;
import io.jvmbus.server.InitiateContactRequest;
import io.jvmbus.server.ModifyConnectionRequest;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.RestoreResult;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Jazzer target: the host session's saved state (what RESTORE carries, and what {@code serve --save-to} files hold) is
 * hostile input. Whatever the bytes, {@link SessionStateCodec#decode} returns a typed outcome and never throws; a
 * refusal names its kind and detail; an accepted state re-encodes to a blob that decodes to the same state; and the
 * core blob it carries restores into a fresh {@link ChannelServer} without throwing (typed result either way).
 *
 * <p>Input: byte 0 bit 0 selects whether the rest is the {@code SavedSession} protobuf payload, wrapped here in a valid
 * {@code JVMBUSHS} envelope (1), or the whole blob (0). Without the wrapping nearly every input stops at the checksum,
 * so the fuzzer reaches the payload validation through it. The seeds ({@code seed-*}) are sessions around the real core
 * blobs of {@code server/src/test/resources/savedstate/v1/}: disconnected, Copper with open channels and GPADLs, and a
 * reserved channel while no guest is connected.
 *
 * <p>Regression inputs live in {@code src/test/resources/io/jvmbus/host/session/SessionStateFuzzTestInputs/
 * decodeAnySessionState/}; every test run replays them. Fuzz with {@code ./jvmbus fuzz session --minutes N}.
 */
class SessionStateFuzzTest {

    /** The configuration the core corpus was saved with (GPA pinning negotiable), so its blobs restore. */
    private static final ServerConfig CORE_CONFIG =
            ServerConfig.builder().gpaPinning(true).build();

    @FuzzTest(maxDuration = "2m")
    void decodeAnySessionState(final byte[] input) {
        exercise(input);
    }

    /** The fuzzer starts from accepted states: every committed seed decodes, and its core blob restores. */
    @Test
    void shouldDecodeEveryCommittedSeedAndRestoreItsCore() throws Exception {
        final Path dir = Path.of(SessionStateFuzzTest.class
                .getResource("SessionStateFuzzTestInputs/decodeAnySessionState")
                .toURI());
        final List<Path> seeds;
        try (Stream<Path> files = Files.list(dir)) {
            seeds = files.filter(f -> f.getFileName().toString().startsWith("seed-"))
                    .sorted()
                    .toList();
        }
        assertThat(seeds).hasSize(3);
        for (final Path seed : seeds) {
            assertThat(exercise(Files.readAllBytes(seed)))
                    .as(seed.getFileName().toString())
                    .isTrue();
        }
    }

    /** Runs the target on one input; true iff the session decoded and its core blob restored. */
    private static boolean exercise(final byte[] input) {
        if (input.length < 1) {
            return false;
        }
        final byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        final byte[] blob =
                (input[0] & 1) == 1 ? SessionStateCodecTest.envelope(SessionStateCodecTest.MAGIC, 1, 0, rest) : rest;
        final SessionStateCodec.Decoded decoded = SessionStateCodec.decode(blob);
        assertThat(decoded).isNotNull();
        if (decoded instanceof SessionStateCodec.Decoded.Failed f) {
            assertThat(f.kind()).isNotNull();
            assertThat(f.detail()).isNotBlank();
            return false;
        }
        final SavedSession session = ((SessionStateCodec.Decoded.Ok) decoded).session();
        assertThat(SessionStateCodec.decode(SessionStateCodec.encode(session))).isEqualTo(decoded);
        final RestoreResult r = new ChannelServer(CORE_CONFIG, new NoEffects())
                .restore(session.getCore().toByteArray());
        assertThat(r).isNotNull();
        return r.isRestored();
    }

    /** A restore asks nothing of its host until channels are claimed; anything that comes is dropped. */
    private static final class NoEffects implements ServerEffects {
        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {}

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {}

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {}

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {}

        @Override
        public void unloadComplete() {}

        @Override
        public void resetComplete() {}
    }
}
