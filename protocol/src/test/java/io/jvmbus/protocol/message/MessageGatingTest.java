package io.jvmbus.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContact;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannel;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequest;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes every message number 0..31 and a few wild ones in every connection state (disconnected; each of the eleven
 * versions with no feature flag, with each single flag, with all flags, with only reserved bits) at both receivers,
 * and checks the classification against an oracle written out here from the reference's message catalogue (section
 * 1.6 of the reference notes), not from {@link MessageType}.
 */
class MessageGatingTest {

    private static final Direction G2H = Direction.GUEST_TO_HOST;
    private static final Direction H2G = Direction.HOST_TO_GUEST;

    /** Oracle row: number, minimum version (null = parses with no connection), required feature bit, sender. */
    private record Gate(int number, ProtocolVersion min, int feature, Direction sender) {}

    private static final List<Gate> CATALOGUE = List.of(
            new Gate(1, ProtocolVersion.V1, 0, H2G),
            new Gate(2, ProtocolVersion.V1, 0, H2G),
            new Gate(3, ProtocolVersion.V1, 0, G2H),
            new Gate(4, ProtocolVersion.V1, 0, H2G),
            new Gate(5, ProtocolVersion.V1, 0, G2H),
            new Gate(6, ProtocolVersion.V1, 0, H2G),
            new Gate(7, ProtocolVersion.V1, 0, G2H),
            new Gate(8, ProtocolVersion.V1, 0, G2H),
            new Gate(9, ProtocolVersion.V1, 0, G2H),
            new Gate(10, ProtocolVersion.V1, 0, H2G),
            new Gate(11, ProtocolVersion.V1, 0, G2H),
            new Gate(12, ProtocolVersion.V1, 0, H2G),
            new Gate(13, ProtocolVersion.V1, 0, G2H),
            new Gate(14, null, 0, G2H),
            new Gate(15, null, 0, H2G),
            new Gate(16, ProtocolVersion.V1, 0, G2H),
            new Gate(17, ProtocolVersion.WIN7, 0, H2G),
            new Gate(18, ProtocolVersion.WIN10, 0, G2H),
            new Gate(19, null, 0, G2H),
            new Gate(20, ProtocolVersion.WIN10, 0, H2G),
            new Gate(21, ProtocolVersion.WIN10, 0, G2H),
            new Gate(22, ProtocolVersion.WIN10_RS3_0, 0, G2H),
            new Gate(23, ProtocolVersion.WIN10_RS3_0, 0, H2G),
            new Gate(24, ProtocolVersion.IRON, 0, H2G),
            new Gate(25, ProtocolVersion.COPPER, 0x04, G2H),
            new Gate(26, ProtocolVersion.COPPER, 0x04, H2G),
            new Gate(27, ProtocolVersion.COPPER, 0x20, G2H),
            new Gate(28, ProtocolVersion.COPPER, 0x20, H2G),
            new Gate(29, ProtocolVersion.COPPER, 0x20, G2H));

    /** Every number 0..31 plus wild ones: all bits set, high bit, max int, and values whose low bits are legal. */
    static Stream<Integer> numbers() {
        return Stream.concat(
                IntStream.rangeClosed(0, 31).boxed(), Stream.of(-1, 0x80000001, 0x7FFFFFFF, 256, 0x10001, 0x0100000E));
    }

    /** Disconnected, then every version with flags: none, each single bit, all eight, only reserved bits. */
    static List<DecodeContext> contexts() {
        final List<DecodeContext> out = new ArrayList<>();
        out.add(DecodeContext.DISCONNECTED);
        for (final ProtocolVersion v : ProtocolVersion.values()) {
            out.add(DecodeContext.connected(v, 0));
            for (int bit = 0; bit < 8; bit++) {
                out.add(DecodeContext.connected(v, 1 << bit));
            }
            out.add(DecodeContext.connected(v, 0xFF));
            out.add(DecodeContext.connected(v, 0xFFFFFF00));
        }
        return out;
    }

    private static Gate gate(final int number) {
        return CATALOGUE.stream().filter(g -> g.number() == number).findFirst().orElse(null);
    }

    /** The oracle: the expected error kind, or null when the message decodes. */
    private static DecodeError.Kind expected(final int number, final DecodeContext c, final Direction receiver) {
        final Gate g = gate(number);
        if (g == null) {
            return DecodeError.Kind.UNKNOWN_TYPE;
        }
        if (c.negotiated() == null) {
            if (g.min() != null) {
                return DecodeError.Kind.NOT_ALLOWED_WHEN_DISCONNECTED;
            }
        } else {
            if (g.min() != null && c.negotiated().compareTo(g.min()) < 0) {
                return DecodeError.Kind.VERSION_TOO_LOW;
            }
            if (g.feature() != 0 && (c.featureFlags() & g.feature()) == 0) {
                return DecodeError.Kind.FEATURE_NOT_NEGOTIATED;
            }
        }
        return g.sender() == receiver ? null : DecodeError.Kind.WRONG_DIRECTION;
    }

    /** The form the oracle expects a full 240-byte message to decode as, or null for single-form messages. */
    private static Object expectedForm(final int number, final DecodeContext c) {
        final boolean copper = c.negotiated() != null && c.negotiated().compareTo(ProtocolVersion.COPPER) >= 0;
        final boolean rs5 = c.negotiated() != null && c.negotiated().compareTo(ProtocolVersion.WIN10_RS5) >= 0;
        return switch (number) {
            case 5 ->
                copper && (c.featureFlags() & 0x3) != 0
                        ? ChannelMessage.OpenChannelForm.V2
                        : ChannelMessage.OpenChannelForm.V1;
            case 14 -> ChannelMessage.InitiateContactForm.V2;
            case 15 -> ChannelMessage.VersionResponseForm.V3;
            case 21 -> rs5 ? ChannelMessage.TlConnectRequestForm.V2 : ChannelMessage.TlConnectRequestForm.V1;
            default -> null;
        };
    }

    private static Object formOf(final ChannelMessage m) {
        return switch (m) {
            case OpenChannel o -> o.form();
            case InitiateContact i -> i.form();
            case VersionResponse v -> v.form();
            case TlConnectRequest t -> t.form();
            default -> null;
        };
    }

    @ParameterizedTest(name = "message number {0}")
    @MethodSource("numbers")
    void shouldClassifyEveryMessageNumberInEveryConnectionState(final int number) {
        // 240 bytes: large enough for every struct, so only the gates decide
        final byte[] message = Wire.message(number).zeros(240 - 8).build();
        final List<String> mismatches = new ArrayList<>();
        int decodedCount = 0;
        for (final DecodeContext c : contexts()) {
            for (final Direction receiver : Direction.values()) {
                final DecodeResult r = MessageCodec.decode(message, receiver, c);
                final DecodeError.Kind want = expected(number, c, receiver);
                final String where = "receiver=" + receiver + " context=" + c;
                switch (r) {
                    case DecodeResult.Failed f -> {
                        if (f.error().kind() != want) {
                            mismatches.add(where + ": got " + f.error().kind() + " expected "
                                    + (want == null ? "decoded" : want));
                        }
                        if (f.error().messageType() != number) {
                            mismatches.add(
                                    where + ": error names type " + f.error().messageType());
                        }
                    }
                    case DecodeResult.Decoded d -> {
                        decodedCount++;
                        if (want != null) {
                            mismatches.add(where + ": decoded, expected " + want);
                        } else if (d.message().type().number() != number) {
                            mismatches.add(where + ": decoded as " + d.message().type());
                        } else if (formOf(d.message()) != expectedForm(number, c)) {
                            mismatches.add(
                                    where + ": form " + formOf(d.message()) + " expected " + expectedForm(number, c));
                        }
                    }
                }
            }
        }
        assertThat(mismatches).as("message number %d", number).isEmpty();
        // a number the catalogue defines decodes somewhere; others nowhere
        if (gate(number) != null) {
            assertThat(decodedCount).as("contexts in which %d decodes", number).isPositive();
        } else {
            assertThat(decodedCount).isZero();
        }
    }

    @ParameterizedTest(name = "message number {0}")
    @MethodSource("numbers")
    void shouldAgreeWithTheMessageTypeTable(final int number) {
        final MessageType t = MessageType.of(number);
        final Gate g = gate(number);
        if (g == null) {
            assertThat(t).isNull();
            return;
        }
        assertThat(t).isNotNull();
        assertThat(t.number()).isEqualTo(number);
        assertThat(t.minVersion()).isEqualTo(g.min());
        assertThat(t.requiredFeature()).isEqualTo(g.feature());
        assertThat(t.direction()).isEqualTo(g.sender());
        assertThat(t.allowedWhenDisconnected()).isEqualTo(g.min() == null);
    }
}
