package io.jvmbus.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.CloseChannel;
import io.jvmbus.protocol.message.ChannelMessage.GpadlBody;
import io.jvmbus.protocol.message.ChannelMessage.GpadlHeader;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContact;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannelForm;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequest;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequestForm;
import io.jvmbus.protocol.message.ChannelMessage.Unload;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.Samples.Sample;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {

    static List<Sample> samples() {
        return Samples.all();
    }

    private static ChannelMessage decoded(final DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) result).message();
    }

    private static DecodeError failed(final DecodeResult result) {
        assertThat(result).isInstanceOf(DecodeResult.Failed.class);
        return ((DecodeResult.Failed) result).error();
    }

    // --- the three byte vectors of the reference's vmbus_core tests (section 9.6) ---

    @Test
    void shouldEncodeCloseChannelAsReferenceTestOutgoingMessage() {
        assertThat(MessageCodec.encode(new CloseChannel(5))).containsExactly(Wire.hex("07000000 00000000 05000000"));
    }

    @Test
    void shouldEncodeUnloadAsReferenceTestOutgoingMessageEmpty() {
        assertThat(MessageCodec.encode(new Unload())).containsExactly(Wire.hex("10000000 00000000"));
    }

    @Test
    void shouldEncodeGpadlHeaderWithDataAsReferenceTestOutgoingMessageWithData() {
        final GpadlHeader m = new GpadlHeader(5, 1, 7, 6, Blob.of(Wire.hex("0a0b0c0d")));
        final byte[] expected = Wire.hex("08000000 00000000 05000000 01000000 0700 0600 0a0b0c0d");
        assertThat(MessageCodec.encode(m)).containsExactly(expected);
        // and it decodes back, keeping the 4 unaligned trailing bytes
        assertThat(decoded(MessageCodec.decode(expected, Direction.GUEST_TO_HOST, Samples.COPPER_ALL)))
                .isEqualTo(m);
    }

    // --- every message and every variant ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldEncodeEveryMessageToItsWireBytes(final Sample s) {
        assertThat(MessageCodec.encodedSize(s.message())).isEqualTo(s.wire().length);
        assertThat(MessageCodec.encode(s.message())).containsExactly(s.wire());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldDecodeEveryMessageFromItsWireBytes(final Sample s) {
        assertThat(decoded(MessageCodec.decode(s.wire(), s.receiver(), s.context())))
                .isEqualTo(s.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldEncodeAtAnOffsetWithoutTouchingNeighbours(final Sample s) {
        final byte[] buffer = new byte[s.wire().length + 11];
        Arrays.fill(buffer, (byte) 0x5A);
        final int written = MessageCodec.encode(s.message(), ByteBuffer.wrap(buffer), 7);
        assertThat(written).isEqualTo(s.wire().length);
        assertThat(Arrays.copyOfRange(buffer, 7, 7 + written)).containsExactly(s.wire());
        assertThat(Arrays.copyOfRange(buffer, 0, 7)).containsOnly(0x5A);
        assertThat(Arrays.copyOfRange(buffer, 7 + written, buffer.length)).containsOnly(0x5A);
        // decoding from the middle of the buffer sees the same message
        assertThat(decoded(MessageCodec.decode(buffer, 7, written, s.receiver(), s.context())))
                .isEqualTo(s.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldRejectEveryMessageOneByteShorterThanItsStruct(final Sample s) {
        final byte[] shortened = Arrays.copyOf(s.wire(), s.fixedSize() - 1);
        final DecodeResult result = MessageCodec.decode(shortened, s.receiver(), s.context());
        if (s.shorterForm() != null) {
            // size-selected variants fall back to the shorter form instead
            final ChannelMessage m = decoded(result);
            assertThat(formOf(m)).isEqualTo(s.shorterForm());
            return;
        }
        final DecodeError e = failed(result);
        assertThat(e.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT);
        assertThat(e.sizeSeen()).isEqualTo(s.fixedSize() - 1);
        assertThat(e.sizeExpected()).isEqualTo(s.fixedSize());
        if (s.fixedSize() - 1 < 8) {
            assertThat(e.messageType()).as("a short header names no type").isEqualTo(-1);
            assertThat(e.describe()).isEqualTo("message too short: size=7 (expected: >= 8)");
        } else {
            assertThat(e.messageType()).isEqualTo(s.message().type().number());
            assertThat(e.describe())
                    .isEqualTo(
                            s.message().type().name() + "(" + s.message().type().number() + ") too short: size="
                                    + (s.fixedSize() - 1) + " (expected: >= " + s.fixedSize() + ")");
        }
    }

    private static Object formOf(final ChannelMessage m) {
        return switch (m) {
            case InitiateContact c -> c.form();
            case VersionResponse v -> v.form();
            case TlConnectRequest t -> t.form();
            case OpenChannel o -> o.form();
            default -> null;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldIgnoreTrailingBytesExceptForGpadlMessages(final Sample s) {
        final byte[] longer = Wire.bytes().raw(s.wire()).u32(0xA5A5A5A5).build();
        final ChannelMessage m = decoded(MessageCodec.decode(longer, s.receiver(), s.context()));
        if (s.message() instanceof VersionResponse v && v.form() == ChannelMessage.VersionResponseForm.V1) {
            // 16 + 4 = 20 bytes selects VersionResponse2: for this message size selects the variant
            assertThat(((VersionResponse) m).form()).isEqualTo(ChannelMessage.VersionResponseForm.V2);
            assertThat(((VersionResponse) m).supportedFeatures()).isEqualTo(0xA5A5A5A5);
            return;
        }
        switch (m) {
            case GpadlHeader h -> {
                assertThat(h.data().length()).isEqualTo(s.wire().length + 4 - 20);
                assertThat(h.data().get(h.data().length() - 1)).isEqualTo((byte) 0xA5);
            }
            case GpadlBody b -> assertThat(b.data().length()).isEqualTo(s.wire().length + 4 - 16);
            default -> assertThat(m).isEqualTo(s.message());
        }
    }

    // --- size-selected and context-selected variants ---

    @Test
    void shouldReadA156ByteOpenChannelAs148WhenNoSignallingFeatureIsNegotiated() {
        final Sample v2 = sample("OPEN_CHANNEL (OpenChannel2, 156)");
        final OpenChannel m = (OpenChannel)
                decoded(MessageCodec.decode(v2.wire(), Direction.GUEST_TO_HOST, Samples.COPPER_NO_SIGNAL));
        assertThat(m.form()).isEqualTo(OpenChannelForm.V1);
        assertThat(m.connectionId()).isZero();
        assertThat(m.flags()).isZero();
        assertThat(m.channelId()).isEqualTo(((OpenChannel) v2.message()).channelId());
    }

    @Test
    void shouldRequireOpenChannel2OnceEitherSignallingFeatureIsNegotiated() {
        final byte[] v1 = sample("OPEN_CHANNEL (OpenChannel, 148)").wire();
        for (final int flag :
                new int[] {FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS, FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION
                }) {
            final DecodeError e = failed(MessageCodec.decode(
                    v1, Direction.GUEST_TO_HOST, DecodeContext.connected(ProtocolVersion.COPPER, flag)));
            assertThat(e.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT);
            assertThat(e.sizeSeen()).isEqualTo(148);
            assertThat(e.sizeExpected()).isEqualTo(156);
        }
    }

    @Test
    void shouldIgnoreSignallingFeatureFlagsBelowCopper() {
        final byte[] v1 = sample("OPEN_CHANNEL (OpenChannel, 148)").wire();
        // a context below Copper never selects OpenChannel2, whatever flags it carries
        final OpenChannel m = (OpenChannel) decoded(
                MessageCodec.decode(v1, Direction.GUEST_TO_HOST, DecodeContext.connected(ProtocolVersion.IRON, 0xFF)));
        assertThat(m.form()).isEqualTo(OpenChannelForm.V1);
    }

    @Test
    void shouldReadTlConnectRequest2OnlyFromWin10Rs5() {
        final byte[] v2 = sample("TL_CONNECT_REQUEST (TlConnectRequest2, 56)").wire();
        final TlConnectRequest below = (TlConnectRequest) decoded(MessageCodec.decode(
                v2, Direction.GUEST_TO_HOST, DecodeContext.connected(ProtocolVersion.WIN10_RS4, 0)));
        assertThat(below.form()).isEqualTo(TlConnectRequestForm.V1);
        assertThat(below.siloId()).isEqualTo(io.jvmbus.protocol.Guid.ZERO);
        final TlConnectRequest at = (TlConnectRequest) decoded(MessageCodec.decode(
                v2, Direction.GUEST_TO_HOST, DecodeContext.connected(ProtocolVersion.WIN10_RS5, 0)));
        assertThat(at.form()).isEqualTo(TlConnectRequestForm.V2);
        // some clients send the 40-byte form on newer protocols: it still parses
        final byte[] v1 = sample("TL_CONNECT_REQUEST (TlConnectRequest, 40)").wire();
        assertThat(((TlConnectRequest) decoded(MessageCodec.decode(v1, Direction.GUEST_TO_HOST, Samples.COPPER_ALL)))
                        .form())
                .isEqualTo(TlConnectRequestForm.V1);
    }

    @Test
    void shouldSelectInitiateContact2ByPayloadSizeEvenWhenDisconnected() {
        final byte[] v2 = sample("INITIATE_CONTACT (InitiateContact2, 56)").wire();
        final InitiateContact m =
                (InitiateContact) decoded(MessageCodec.decode(v2, Direction.GUEST_TO_HOST, DecodeContext.DISCONNECTED));
        assertThat(m.form()).isEqualTo(ChannelMessage.InitiateContactForm.V2);
        assertThat(m.featureFlags()).isEqualTo(0x2F);
        assertThat(m.targetSint()).isEqualTo(2);
    }

    // --- other failures ---

    @Test
    void shouldRejectMessagesLongerThanTheSynicPayload() {
        final byte[] m = Wire.message(7).u32(1).zeros(240 - 12 + 1).build();
        final DecodeError e = failed(MessageCodec.decode(m, Direction.GUEST_TO_HOST, Samples.COPPER_ALL));
        assertThat(e.kind()).isEqualTo(DecodeError.Kind.TOO_LONG);
        assertThat(e.sizeSeen()).isEqualTo(241);
        assertThat(e.sizeExpected()).isEqualTo(240);
        assertThat(e.describe()).contains("size=241 (expected: <= 240)");
    }

    @Test
    void shouldReportWrongDirectionWhereTheReferencePanics() {
        // B1: VERSION_RESPONSE with an 8-byte payload from a guest, no negotiation at all
        final byte[] versionResponse =
                Wire.message(15).u8(1).u8(0).u16(0).u32(0).build();
        final DecodeError e =
                failed(MessageCodec.decode(versionResponse, Direction.GUEST_TO_HOST, DecodeContext.DISCONNECTED));
        assertThat(e.kind()).isEqualTo(DecodeError.Kind.WRONG_DIRECTION);
        assertThat(e.describe()).contains("VERSION_RESPONSE(15)").contains("HOST_TO_GUEST");
        // B1: OFFER_CHANNEL after negotiation
        final DecodeError offer = failed(
                MessageCodec.decode(sample("OFFER_CHANNEL").wire(), Direction.GUEST_TO_HOST, Samples.COPPER_ALL));
        assertThat(offer.kind()).isEqualTo(DecodeError.Kind.WRONG_DIRECTION);
    }

    @Test
    void shouldRejectOffsetAndLengthOutsideTheArrayWithoutThrowing() {
        final byte[] m = Wire.message(7).u32(1).build();
        final DecodeError pastEnd = failed(MessageCodec.decode(m, 4, 12, Direction.GUEST_TO_HOST, Samples.COPPER_ALL));
        assertThat(pastEnd.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT);
        assertThat(pastEnd.sizeSeen()).isEqualTo(8);
        assertThat(pastEnd.sizeExpected()).isEqualTo(12);
        final DecodeError negative = failed(MessageCodec.decode(m, -1, 4, Direction.GUEST_TO_HOST, Samples.COPPER_ALL));
        assertThat(negative.kind()).isEqualTo(DecodeError.Kind.TOO_SHORT);
        assertThat(negative.sizeSeen()).isZero();
        assertThat(negative.messageType()).isEqualTo(-1);
        final DecodeError negativeLength =
                failed(MessageCodec.decode(m, 0, -3, Direction.GUEST_TO_HOST, Samples.COPPER_ALL));
        assertThat(negativeLength.sizeSeen()).isLessThan(negativeLength.sizeExpected());
    }

    @Test
    void shouldRefuseToEncodeGpadlMessagesBeyond240Bytes() {
        final GpadlBody body = new GpadlBody(0, 1, Blob.zeros(240 - 16 + 1));
        assertThatThrownBy(() -> MessageCodec.encode(body))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size=241 (expected: <= 240)");
        assertThat(MessageCodec.encode(new GpadlBody(0, 1, Blob.zeros(28 * 8)))).hasSize(240);
    }

    private static Sample sample(final String name) {
        return Samples.all().stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
