package io.jvmbus.protocol.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer target for the host-transport frame decoder: arbitrary bytes from either side, split into arbitrary chunks.
 * Nothing may throw; every outcome is typed; how the stream is split never changes what comes out; nothing comes out
 * after a {@link DecodeOutcome.Fatal}; and whatever decodes re-encodes to bytes that decode to the same frame.
 *
 * <p>Input ({@link FuzzedDataProvider}): a boolean picks the sender, then repeatedly a chunk size (1..64) and that
 * many bytes. Small caps (64 bytes of JSON, 256 of saved state) make the size limits reachable.
 *
 * <p>Regression inputs live in {@code
 * src/test/resources/io/jvmbus/protocol/transport/FrameDecoderFuzzTestInputs/decodeArbitraryStreams/}; every test run
 * replays them. Fuzz with {@code ./jvmbus fuzz frames --minutes N}.
 */
class FrameDecoderFuzzTest {

    private static final FrameDecoder.Limits SMALL = new FrameDecoder.Limits(64, 256);

    @FuzzTest(maxDuration = "10s")
    void decodeArbitraryStreams(final FuzzedDataProvider data) {
        final FrameKind.Sender from = data.consumeBoolean() ? FrameKind.Sender.VMM : FrameKind.Sender.SERVER;
        final FrameDecoder chunked = new FrameDecoder(from, SMALL);
        final List<DecodeOutcome> out = new ArrayList<>();
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (data.remainingBytes() > 0) {
            final byte[] chunk = data.consumeBytes(data.consumeInt(1, 64));
            all.writeBytes(chunk);
            chunked.feed(ByteBuffer.wrap(chunk), out::add);
        }
        final List<DecodeOutcome> whole = new ArrayList<>();
        new FrameDecoder(from, SMALL).feed(ByteBuffer.wrap(all.toByteArray()), whole::add);
        if (!whole.equals(out)) {
            throw new AssertionError("the split changed the outcomes: " + out + " vs in one piece " + whole);
        }
        for (int i = 0; i < out.size(); i++) {
            final DecodeOutcome o = out.get(i);
            if (o == null) {
                throw new AssertionError("null outcome at " + i);
            }
            if (o instanceof DecodeOutcome.Fatal && i != out.size() - 1) {
                throw new AssertionError("outcomes after a fatal one: " + out.subList(i, out.size()));
            }
            if (o instanceof DecodeOutcome.Decoded dec) {
                final List<DecodeOutcome> again = new ArrayList<>();
                new FrameDecoder(from, FrameDecoder.Limits.DEFAULT)
                        .feed(ByteBuffer.wrap(FrameEncoder.encode(dec.frame())), again::add);
                if (!again.equals(List.of(o))) {
                    throw new AssertionError(dec.frame() + " re-encoded decodes to " + again);
                }
            }
        }
    }
}
