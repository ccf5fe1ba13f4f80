package io.jvmbus.protocol.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Feeds arbitrary bytes, in arbitrary chunks, to both decoders: nothing may throw, every outcome is typed. */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void decodeArbitraryStreams(final FuzzedDataProvider data) {
        final FrameKind.Sender from = data.consumeBoolean() ? FrameKind.Sender.VMM : FrameKind.Sender.SERVER;
        final FrameDecoder d = new FrameDecoder(from, new FrameDecoder.Limits(64, 256));
        final List<DecodeOutcome> out = new ArrayList<>();
        while (data.remainingBytes() > 0) {
            final byte[] chunk = data.consumeBytes(data.consumeInt(1, 64));
            d.feed(ByteBuffer.wrap(chunk), out::add);
        }
        for (final DecodeOutcome o : out) {
            assertThat(o).isNotNull();
            if (o instanceof DecodeOutcome.Decoded dec) {
                // whatever decodes re-encodes to a frame that decodes to the same record
                final List<DecodeOutcome> again = new ArrayList<>();
                new FrameDecoder(from, FrameDecoder.Limits.DEFAULT)
                        .feed(ByteBuffer.wrap(FrameEncoder.encode(dec.frame())), again::add);
                assertThat(again).containsExactly(o);
            }
        }
    }
}
