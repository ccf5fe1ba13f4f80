package io.jvmbus.protocol.message;

import io.jvmbus.protocol.ProtocolVersion;
import java.util.Arrays;

/**
 * Properties every decode must have, whatever the bytes: it returns (never throws); a failure names a kind and
 * consistent sizes; a decoded message re-encodes to at most the input's length, and the re-encoded bytes decode to the
 * same message in the same context (decoding is a projection). Shared by the seeded random test and the Jazzer target;
 * a violation is an {@link AssertionError}.
 */
final class DecodeProperties {

    private static final ProtocolVersion[] VERSIONS = ProtocolVersion.values();

    private DecodeProperties() {}

    /**
     * A context chosen by a selector: 0 (mod 12) is disconnected, 1..11 the versions in order.
     *
     * @param selector any int
     * @param flags feature flags for a connected context
     * @return the context
     */
    static DecodeContext context(final int selector, final int flags) {
        final int i = Math.floorMod(selector, VERSIONS.length + 1);
        return i == 0 ? DecodeContext.DISCONNECTED : DecodeContext.connected(VERSIONS[i - 1], flags);
    }

    static void check(
            final byte[] data,
            final int offset,
            final int length,
            final Direction receiver,
            final DecodeContext context) {
        final DecodeResult result;
        try {
            result = MessageCodec.decode(data, offset, length, receiver, context);
        } catch (final RuntimeException e) {
            throw new AssertionError("decode threw for " + describe(data, offset, length, receiver, context), e);
        }
        switch (result) {
            case DecodeResult.Failed f -> checkError(f.error(), data, offset, length, receiver, context);
            case DecodeResult.Decoded d -> checkDecoded(d.message(), length, receiver, context, data, offset);
        }
    }

    private static void checkError(
            final DecodeError e,
            final byte[] data,
            final int offset,
            final int length,
            final Direction receiver,
            final DecodeContext context) {
        final String text = e.describe();
        if (text == null || text.isEmpty() || e.kind() == null) {
            throw new AssertionError("empty error for " + describe(data, offset, length, receiver, context));
        }
        if (e.kind() == DecodeError.Kind.TOO_SHORT && e.sizeSeen() >= e.sizeExpected()) {
            throw new AssertionError("TOO_SHORT with size " + e.sizeSeen() + " >= expected " + e.sizeExpected()
                    + " for " + describe(data, offset, length, receiver, context));
        }
    }

    private static void checkDecoded(
            final ChannelMessage m,
            final int length,
            final Direction receiver,
            final DecodeContext context,
            final byte[] data,
            final int offset) {
        if (m.type().direction() != receiver) {
            throw new AssertionError("decoded a message of the other direction: " + m);
        }
        final byte[] again;
        try {
            again = MessageCodec.encode(m);
        } catch (final RuntimeException e) {
            throw new AssertionError("decoded message does not re-encode: " + m, e);
        }
        if (again.length > length) {
            throw new AssertionError("re-encoded " + again.length + " bytes from " + length + ": " + m);
        }
        final DecodeResult second = MessageCodec.decode(again, receiver, context);
        if (!(second instanceof DecodeResult.Decoded d2) || !d2.message().equals(m)) {
            throw new AssertionError("re-encoded message decodes differently: " + m + " -> " + second + " for "
                    + describe(data, offset, length, receiver, context));
        }
    }

    private static String describe(
            final byte[] data,
            final int offset,
            final int length,
            final Direction receiver,
            final DecodeContext context) {
        final int from = Math.max(0, Math.min(offset, data.length));
        final int to = Math.max(from, Math.min(data.length, from + Math.max(0, length)));
        return "receiver=" + receiver + " context=" + context + " bytes="
                + java.util.HexFormat.of().formatHex(Arrays.copyOfRange(data, from, to));
    }
}
