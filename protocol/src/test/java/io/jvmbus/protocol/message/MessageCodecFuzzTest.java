package io.jvmbus.protocol.message;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.GpaRanges;
import java.util.Arrays;

/**
 * Jazzer targets for the channel-message decoder (and the GPA range parser it feeds). In a normal test run each
 * target replays its committed regression inputs under {@code
 * src/test/resources/io/jvmbus/protocol/message/MessageCodecFuzzTestInputs/<method>/} plus an empty input.
 *
 * <p>Fuzz for real with, from the repository root:
 *
 * <pre>
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl protocol test -Dtest=MessageCodecFuzzTest#decode
 * JAZZER_FUZZ=1 ./mvnw -B -ntp -pl protocol test -Dtest=MessageCodecFuzzTest#gpaRanges
 * </pre>
 *
 * <p>Each run is bounded by {@code maxDuration}; the generated corpus goes to {@code protocol/.cifuzz-corpus/}
 * (ignored by git). A finding is written as {@code crash-<sha1>} into the inputs directory above: fix the bug, keep
 * the file, and it becomes a regression test of every later run.
 *
 * <p>Input format of {@link #decode(byte[])}: byte 0 selects the context (0 mod 12 = disconnected, else the n-th
 * protocol version), byte 1 the feature flags, bit 0 of byte 2 the receiver (0 = host, 1 = guest); the rest is the
 * message. Of {@link #gpaRanges(byte[])}: bytes 0-1 are the range count (u16 little-endian), the rest the words.
 */
class MessageCodecFuzzTest {

    @FuzzTest(maxDuration = "5m")
    void decode(final byte[] input) {
        if (input.length < 3) {
            return;
        }
        final DecodeContext context = DecodeProperties.context(input[0] & 0xFF, input[1] & 0xFF);
        final Direction receiver = (input[2] & 1) == 0 ? Direction.GUEST_TO_HOST : Direction.HOST_TO_GUEST;
        DecodeProperties.check(input, 3, input.length - 3, receiver, context);
    }

    @FuzzTest(maxDuration = "2m")
    void gpaRanges(final byte[] input) {
        if (input.length < 2) {
            return;
        }
        final int count = (input[0] & 0xFF) | (input[1] & 0xFF) << 8;
        final long[] words = Blob.of(Arrays.copyOfRange(input, 2, input.length)).toLongs();
        final GpaRanges.Result result = GpaRanges.parse(count, words);
        if (result instanceof GpaRanges.Valid valid) {
            if (valid.ranges().size() != count) {
                throw new AssertionError("parsed " + valid.ranges().size() + " ranges, expected " + count);
            }
            final long[] again = GpaRanges.encode(valid.ranges());
            if (!Arrays.equals(again, Arrays.copyOf(words, valid.wordsUsed()))) {
                throw new AssertionError("ranges do not re-encode to the words they used");
            }
            for (final GpaRange r : valid.ranges()) {
                if (r.byteCount() == 0 || r.byteOffset() > GpaRanges.MAX_BYTE_OFFSET) {
                    throw new AssertionError("invalid range accepted: " + r);
                }
            }
        } else if (((GpaRanges.Invalid) result).error().describe().isEmpty()) {
            throw new AssertionError("empty error description");
        }
    }
}
