package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.testkit.wire.GuestMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Jazzer target: a saved-state blob is hostile input. Whatever the bytes, decoding and restoring never throw, a
 * refused restore leaves the server as it was, a restored server survives its devices' claims (any mix of open and
 * closed), the revocation of what was not claimed, a reset and a guest message, and it can be saved and restored again.
 * The server has the corpus configuration and devices (as {@code SavedStateCorpus}), so the committed v1 corpus
 * restores and the fuzzer starts from real states.
 *
 * <p>Input: byte 0 bit 0 selects whether the rest is the protobuf payload, wrapped here in a valid envelope (1), or
 * the whole blob (0); bit 1 restores with a small blob limit (4 KiB); byte 1 holds the devices' claims (bit n-1 set:
 * device n is claimed open); the rest is the payload or blob. The seeds are every blob of {@code
 * server/src/test/resources/savedstate/v1/}, whole ({@code seed-*}) and as a wrapped payload ({@code payload-*}).
 *
 * <p>Regression inputs live in {@code src/test/resources/io/jvmbus/server/SavedStateFuzzTestInputs/restoreAnyBlob/};
 * every test run replays them. Fuzz with {@code ./jvmbus fuzz savedstate --minutes N}.
 */
class SavedStateFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void restoreAnyBlob(final byte[] input) {
        exercise(input);
    }

    /** The fuzzer starts from real states: every committed seed restores (and survives the rest of the target). */
    @Test
    void shouldRestoreEveryCommittedSeed() throws Exception {
        final Path dir = Path.of(SavedStateFuzzTest.class
                .getResource("SavedStateFuzzTestInputs/restoreAnyBlob")
                .toURI());
        final List<Path> seeds;
        try (Stream<Path> files = Files.list(dir)) {
            seeds = files.filter(f -> f.getFileName().toString().matches("(seed|payload)-.*"))
                    .sorted()
                    .toList();
        }
        assertThat(seeds).hasSize(28);
        for (final Path seed : seeds) {
            assertThat(exercise(Files.readAllBytes(seed)))
                    .as(seed.getFileName().toString())
                    .isTrue();
        }
    }

    /** Runs the target on one input; true iff the blob restored. */
    private static boolean exercise(final byte[] input) {
        if (input.length < 2) {
            return false;
        }
        final byte[] rest = Arrays.copyOfRange(input, 2, input.length);
        final byte[] blob = (input[0] & 1) == 1 ? SavedStateCodecTest.envelope(1, 0, rest) : rest;
        final RestoreLimits limits = (input[0] & 2) == 0
                ? RestoreLimits.defaults()
                : new RestoreLimits(
                        RestoreLimits.defaults().maxVersion(),
                        RestoreLimits.defaults().maxFeatureFlags(),
                        SavedStateEnvelopeLayout.HEADER_LENGTH + 4096);
        final ServerHarness r = new ServerHarness(SavedStateCorpus.CONFIG);
        final OfferId[] devices = new OfferId[SavedStateCorpus.DEVICES];
        for (int n = 1; n <= SavedStateCorpus.DEVICES; n++) {
            devices[n - 1] = r.offer(SavedStateCorpus.offer(n));
        }
        r.pend = true;
        final ServerSnapshot before = r.server.inspect();
        final RestoreResult result = r.server.restore(blob, limits);
        if (!result.isRestored()) {
            if (!r.server.inspect().equals(before)) {
                throw new AssertionError("a refused restore changed the server: " + result);
            }
            return false;
        }
        // Claims may be refused (the fuzzer does not know the devices' state); they must not throw.
        for (int n = 1; n <= SavedStateCorpus.DEVICES; n++) {
            r.server.restoreChannel(devices[n - 1], (input[1] >> (n - 1) & 1) == 1);
        }
        r.server.revokeUnclaimedChannels();
        r.drain();
        final byte[] again = r.server.save();
        final ServerHarness r2 = new ServerHarness(SavedStateCorpus.CONFIG);
        final RestoreResult second = r2.server.restore(again);
        if (!second.isRestored()) {
            throw new AssertionError("a restored server's own save does not restore: " + second);
        }
        // The restored server keeps working: a guest's UNLOAD and a host reset go through the normal paths.
        r.pump(r.server.handleMessage(
                GuestMessages.raw(16, new byte[0]), ConnectionIds.MESSAGE_CONNECTION_ID, 0, false));
        r.pump(r.server.reset());
        r.drain();
        return true;
    }
}
