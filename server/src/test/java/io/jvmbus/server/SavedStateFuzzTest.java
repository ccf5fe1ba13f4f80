package io.jvmbus.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.protocol.Guid;

/**
 * Jazzer target: a saved-state blob is hostile input. Whatever the bytes, decoding and restoring never throw, a
 * refused restore leaves the server as it was, and a restored server can be saved and restored again. In a normal
 * test run it replays the committed inputs under {@code
 * src/test/resources/io/jvmbus/server/SavedStateFuzzTestInputs/restoreAnyBlob/}; fuzz for real with
 * {@code JAZZER_FUZZ=1 ./mvnw -B -ntp -pl server -am test -Dtest=SavedStateFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Input: byte 0 selects whether the fuzzer's bytes are wrapped in a valid envelope (odd) or used as the whole
 * blob (even); the rest is the payload or blob.
 */
class SavedStateFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void restoreAnyBlob(final byte[] input) {
        if (input.length < 1) {
            return;
        }
        final byte[] rest = java.util.Arrays.copyOfRange(input, 1, input.length);
        final byte[] blob = (input[0] & 1) == 1 ? SavedStateCodecTest.envelope(1, 0, rest) : rest;
        final ServerHarness r = new ServerHarness(ServerConfig.defaults());
        for (int n = 1; n <= 3; n++) {
            r.offer(OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n)).build());
        }
        final ServerSnapshot before = r.server.inspect();
        final RestoreResult result = r.server.restore(blob);
        if (!result.isRestored()) {
            if (!r.server.inspect().equals(before)) {
                throw new AssertionError("a refused restore changed the server: " + result);
            }
            return;
        }
        // Claims may be refused (the fuzzer does not know the devices' state); they must not throw.
        r.server.restoreChannel(new OfferId(1), true);
        r.server.restoreChannel(new OfferId(2), false);
        r.server.restoreChannel(new OfferId(3), (input.length & 1) == 0);
        r.server.revokeUnclaimedChannels();
        final byte[] again = r.server.save();
        final ServerHarness r2 = new ServerHarness(ServerConfig.defaults());
        final RestoreResult second = r2.server.restore(again);
        if (!second.isRestored()) {
            throw new AssertionError("a restored server's own save does not restore: " + second);
        }
    }
}
