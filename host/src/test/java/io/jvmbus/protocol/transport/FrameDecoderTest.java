package io.jvmbus.protocol.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Blob;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder against wire bytes built by the independent test VMM's builder. */
class FrameDecoderTest {

    private static List<DecodeOutcome> decode(final FrameKind.Sender from, final byte[]... chunks) {
        final FrameDecoder d = new FrameDecoder(from, FrameDecoder.Limits.DEFAULT);
        final List<DecodeOutcome> out = new ArrayList<>();
        for (final byte[] c : chunks) {
            d.feed(ByteBuffer.wrap(c), out::add);
        }
        return out;
    }

    private static Frame only(final List<DecodeOutcome> outcomes) {
        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.get(0)).isInstanceOf(DecodeOutcome.Decoded.class);
        return ((DecodeOutcome.Decoded) outcomes.get(0)).frame();
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (final byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void shouldDecodeHelloFields() {
        final byte[] wire = TestVmm.frame(TestVmm.HELLO, 0, TestVmm.helloBody(1, 4, 1L << 33, "/dev/shm/r", "vm ü"));
        final Frame f = only(decode(FrameKind.Sender.VMM, wire));
        assertThat(f).isEqualTo(new VmmFrame.Hello(1, 4, 1L << 33, "/dev/shm/r", "vm ü"));
    }

    @Test
    void shouldDecodePostMessageWithTrustedFlag() {
        final byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        final byte[] wire = TestVmm.frame(TestVmm.POST_MESSAGE, 1, TestVmm.postBody(4, 3, 1, payload));
        assertThat(only(decode(FrameKind.Sender.VMM, wire)))
                .isEqualTo(new VmmFrame.PostMessage(4, 3, 1, Blob.of(payload), true));
        final byte[] untrusted = TestVmm.frame(TestVmm.POST_MESSAGE, 0, TestVmm.postBody(4, 3, 1, payload));
        assertThat(((VmmFrame.PostMessage) only(decode(FrameKind.Sender.VMM, untrusted))).trusted())
                .isFalse();
    }

    @Test
    void shouldDecodeFixedSizeVmmFrames() {
        assertThat(only(decode(
                        FrameKind.Sender.VMM, TestVmm.frame(TestVmm.SIGNAL_EVENT, 0, TestVmm.u32u16(0x2001, 7)))))
                .isEqualTo(new VmmFrame.SignalEvent(0x2001, 7));
        assertThat(only(decode(
                        FrameKind.Sender.VMM, TestVmm.frame(TestVmm.MESSAGE_SLOT_FREE, 0, TestVmm.slotFreeBody(3, 2)))))
                .isEqualTo(new VmmFrame.MessageSlotFree(3, 2));
        assertThat(only(decode(FrameKind.Sender.VMM, TestVmm.frame(TestVmm.DELIVER_RESULT, 0, TestVmm.u32u16(-1, 1)))))
                .isEqualTo(new VmmFrame.DeliverResult(-1, 1));
        assertThat(only(decode(FrameKind.Sender.VMM, TestVmm.frame(TestVmm.SAVE, 0, new byte[0]))))
                .isInstanceOf(VmmFrame.Save.class);
        assertThat(only(decode(FrameKind.Sender.VMM, TestVmm.frame(TestVmm.RESET, 0, new byte[0]))))
                .isInstanceOf(VmmFrame.Reset.class);
        assertThat(only(decode(FrameKind.Sender.VMM, TestVmm.frame(TestVmm.RESTORE, 0, new byte[] {9, 8}))))
                .isEqualTo(new VmmFrame.Restore(Blob.of(new byte[] {9, 8})));
    }

    @Test
    void shouldDecodeTheSameWhereverTheStreamIsSplit() {
        final byte[] stream = concat(
                TestVmm.frame(TestVmm.HELLO, 0, TestVmm.helloBody(1, 1, 0, "", "split")),
                TestVmm.frame(TestVmm.POST_MESSAGE, 0, TestVmm.postBody(1, 0, 1, new byte[40])),
                TestVmm.frame(0x0707, 0, new byte[5]),
                TestVmm.frame(TestVmm.CONTROL, 0, "{\"op\":\"inspect\"}".getBytes(StandardCharsets.UTF_8)),
                TestVmm.frame(TestVmm.SIGNAL_EVENT, 0, new byte[3]),
                TestVmm.frame(TestVmm.RESET, 0, new byte[0]));
        final List<DecodeOutcome> whole = decode(FrameKind.Sender.VMM, stream);
        assertThat(whole).hasSize(6);
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b += 7) {
                final List<DecodeOutcome> split = decode(
                        FrameKind.Sender.VMM,
                        java.util.Arrays.copyOfRange(stream, 0, a),
                        java.util.Arrays.copyOfRange(stream, a, b),
                        java.util.Arrays.copyOfRange(stream, b, stream.length));
                assertThat(split).as("split at %d and %d", a, b).isEqualTo(whole);
            }
        }
    }

    @Test
    void shouldStopForGoodAtLengthOverSixteenMebibytes() {
        final FrameDecoder d = new FrameDecoder(FrameKind.Sender.VMM, FrameDecoder.Limits.DEFAULT);
        final List<DecodeOutcome> out = new ArrayList<>();
        d.feed(ByteBuffer.wrap(TestVmm.header((16L << 20) + 1, TestVmm.RESTORE, 0)), out::add);
        assertThat(out).singleElement().isInstanceOf(DecodeOutcome.Fatal.class);
        assertThat(((DecodeOutcome.Fatal) out.get(0)).error()).isEqualTo(TransportError.FRAME_TOO_LARGE);
        assertThat(d.failed()).isTrue();
        d.feed(ByteBuffer.wrap(TestVmm.frame(TestVmm.RESET, 0, new byte[0])), out::add);
        assertThat(out).hasSize(1);
        assertThat(decode(FrameKind.Sender.VMM, TestVmm.header(0xFFFFFFFFL, 1, 0)))
                .singleElement()
                .isInstanceOf(DecodeOutcome.Fatal.class);
    }

    @Test
    void shouldRejectUnknownKindAndResumeAtTheNextHeader() {
        final List<DecodeOutcome> out = decode(
                FrameKind.Sender.VMM,
                TestVmm.frame(0xBEEF, 0, new byte[300]),
                TestVmm.frame(TestVmm.DELIVER_MESSAGE, 0, new byte[20]),
                TestVmm.frame(TestVmm.RESET, 0, new byte[0]));
        assertThat(out).hasSize(3);
        assertThat(((DecodeOutcome.Rejected) out.get(0)).error()).isEqualTo(TransportError.UNKNOWN_KIND);
        assertThat(((DecodeOutcome.Rejected) out.get(1)).message()).contains("not sent by the vmm");
        assertThat(((DecodeOutcome.Decoded) out.get(2)).frame()).isInstanceOf(VmmFrame.Reset.class);
    }

    @Test
    void shouldRejectWrongBodySizes() {
        final int[][] cases = {
            {TestVmm.SIGNAL_EVENT, 0},
            {TestVmm.SIGNAL_EVENT, 16},
            {TestVmm.MESSAGE_SLOT_FREE, 9},
            {TestVmm.DELIVER_RESULT, 1},
            {TestVmm.SAVE, 8},
            {TestVmm.RESET, 1},
            {TestVmm.HELLO, 19},
            {TestVmm.HELLO, 200_000},
            {TestVmm.POST_MESSAGE, 4}
        };
        for (final int[] c : cases) {
            final List<DecodeOutcome> out = decode(FrameKind.Sender.VMM, TestVmm.frame(c[0], 0, new byte[c[1]]));
            assertThat(out)
                    .as("kind 0x%04x size %d", c[0], c[1])
                    .singleElement()
                    .isInstanceOf(DecodeOutcome.Rejected.class);
            assertThat(((DecodeOutcome.Rejected) out.get(0)).error()).isEqualTo(TransportError.MALFORMED);
        }
    }

    @Test
    void shouldReportOversizePayloadOnlyWhenTheBodyMatchesIt() {
        final List<DecodeOutcome> big = decode(
                FrameKind.Sender.VMM,
                TestVmm.frame(TestVmm.POST_MESSAGE, 0, TestVmm.postBody(9, 1, 1, new byte[5000])));
        assertThat(big).singleElement().isEqualTo(new DecodeOutcome.PostTooLarge(9, 1, 5000));
        final byte[] lying = TestVmm.postBody(9, 1, 1, new byte[300]);
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 5000);
        assertThat(decode(FrameKind.Sender.VMM, TestVmm.frame(TestVmm.POST_MESSAGE, 0, lying)))
                .singleElement()
                .isInstanceOf(DecodeOutcome.Rejected.class);
    }

    @Test
    void shouldSkipJsonOverTheLimitAndSayHowLarge() {
        final FrameDecoder d = new FrameDecoder(FrameKind.Sender.VMM, new FrameDecoder.Limits(16, 1024));
        final List<DecodeOutcome> out = new ArrayList<>();
        d.feed(ByteBuffer.wrap(TestVmm.frame(TestVmm.CONTROL, 0, new byte[17])), out::add);
        d.feed(ByteBuffer.wrap(TestVmm.frame(TestVmm.CONTROL, 0, "{}".getBytes(StandardCharsets.UTF_8))), out::add);
        assertThat(out.get(0)).isEqualTo(new DecodeOutcome.JsonTooLarge(FrameKind.CONTROL, 17, 16));
        assertThat(((DecodeOutcome.Decoded) out.get(1)).frame()).isInstanceOf(VmmFrame.Control.class);
    }

    @Test
    void shouldKnowWhenAFrameIsHalfRead() {
        final FrameDecoder d = new FrameDecoder(FrameKind.Sender.VMM, FrameDecoder.Limits.DEFAULT);
        assertThat(d.midFrame()).isFalse();
        d.feed(ByteBuffer.wrap(new byte[] {8}), o -> {});
        assertThat(d.midFrame()).isTrue();
        d.feed(ByteBuffer.wrap(new byte[] {0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7}), o -> {});
        assertThat(d.midFrame()).isTrue();
        d.feed(ByteBuffer.wrap(new byte[] {8}), o -> {});
        assertThat(d.midFrame()).isFalse();
    }

    @Test
    void shouldDecodeServerFramesBuiltByHand() {
        final byte[] deliver = ByteBuffer.allocate(24)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(7)
                .putInt(1)
                .put((byte) 2)
                .put((byte) 0)
                .putShort((short) 0)
                .putInt(1)
                .putInt(4)
                .put(new byte[] {15, 0, 0, 0})
                .array();
        assertThat(only(decode(FrameKind.Sender.SERVER, TestVmm.frame(TestVmm.DELIVER_MESSAGE, 0, deliver))))
                .isEqualTo(new ServerFrame.DeliverMessage(7, 1, 2, 0, 1, Blob.of(new byte[] {15, 0, 0, 0})));
        final byte[] error = ByteBuffer.allocate(9)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(3)
                .putShort((short) 3)
                .put("bad".getBytes(StandardCharsets.UTF_8))
                .array();
        assertThat(only(decode(FrameKind.Sender.SERVER, TestVmm.frame(TestVmm.ERROR, 0, error))))
                .isEqualTo(new ServerFrame.Error(3, "bad"));
    }

    @Test
    void shouldRoundTripEveryFrameKindThroughTheEncoder() {
        final List<Frame> frames = List.of(
                new VmmFrame.Hello(1, 2, 4096, "/r", "n"),
                new VmmFrame.PostMessage(4, 0, 1, Blob.of(new byte[240]), true),
                new VmmFrame.SignalEvent(0x2001, 0),
                new VmmFrame.MessageSlotFree(1, 2),
                new VmmFrame.DeliverResult(5, 1),
                new VmmFrame.Save(),
                new VmmFrame.Restore(Blob.of(new byte[] {1})),
                new VmmFrame.Reset(),
                new VmmFrame.Control(Blob.of("{}".getBytes(StandardCharsets.UTF_8))),
                new ServerFrame.HelloOk(1, 0x50003, 0x7F),
                new ServerFrame.PostResult(19),
                new ServerFrame.Saved(Blob.of(new byte[] {1, 2})),
                new ServerFrame.Restored(),
                new ServerFrame.ResetDone(),
                new ServerFrame.ControlResult(Blob.of("{\"ok\":true}".getBytes(StandardCharsets.UTF_8))),
                new ServerFrame.Error(6, "not implemented"),
                new ServerFrame.DeliverMessage(1, 0, 2, 0, 1, Blob.of(new byte[8])),
                new ServerFrame.SignalGuest(3, 2, 0, 1),
                new ServerFrame.Event(Blob.of("{\"event\":\"open\"}".getBytes(StandardCharsets.UTF_8))));
        for (final Frame f : frames) {
            final FrameKind.Sender from = f instanceof VmmFrame ? FrameKind.Sender.VMM : FrameKind.Sender.SERVER;
            assertThat(only(decode(from, FrameEncoder.encode(f))))
                    .as(f.kind().name())
                    .isEqualTo(f);
        }
    }

    @Test
    void shouldEncodeHelloExactlyAsTheSpecLaysItOut() {
        final byte[] expected = TestVmm.frame(TestVmm.HELLO, 0, TestVmm.helloBody(1, 3, 1 << 20, "/x", "vm"));
        assertThat(FrameEncoder.encode(new VmmFrame.Hello(1, 3, 1 << 20, "/x", "vm")))
                .isEqualTo(expected);
    }

    @Test
    void shouldCutLongErrorMessagesOnACharacterBoundary() {
        final String text = "é".repeat(40_000); // 80000 bytes
        final byte[] wire = FrameEncoder.encode(new ServerFrame.Error(3, text));
        final ServerFrame.Error back = (ServerFrame.Error) only(decode(FrameKind.Sender.SERVER, wire));
        assertThat(back.message()).hasSize(32767);
        assertThat(back.message().getBytes(StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(StrLayout.MAX_BYTES);
    }
}
