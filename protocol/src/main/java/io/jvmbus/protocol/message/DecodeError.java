package io.jvmbus.protocol.message;

import io.jvmbus.protocol.FeatureFlags;

/**
 * Why a message did not decode. Names the message type (or -1 if the header itself was short), the size seen and
 * the size expected.
 *
 * @param kind the class of error
 * @param messageType the message number read, or -1
 * @param sizeSeen the message length in bytes, header included
 * @param sizeExpected the length the selected struct needs (or the limit exceeded), or -1 where not applicable
 */
public record DecodeError(Kind kind, int messageType, int sizeSeen, int sizeExpected) {

    /** Classes of decode errors. */
    public enum Kind {
        /** Shorter than the 8-byte header or than the selected struct (the reference's MessageTooSmall). */
        TOO_SHORT,
        /** Longer than the 240-byte SynIC payload. */
        TOO_LONG,
        /** A number that is not 1..29. */
        UNKNOWN_TYPE,
        /** Not legal without a negotiated version (only 14, 15 and 19 are). */
        NOT_ALLOWED_WHEN_DISCONNECTED,
        /** The negotiated version is below the message's minimum. */
        VERSION_TOO_LOW,
        /** The message's feature flag was not negotiated. */
        FEATURE_NOT_NEGOTIATED,
        /** A message the other side sends (e.g. VERSION_RESPONSE arriving at the host). */
        WRONG_DIRECTION
    }

    /**
     * A readable description naming the values and the expectation.
     *
     * @return the description
     */
    public String describe() {
        final MessageType type = MessageType.of(messageType);
        final String name =
                type != null ? type.name() + "(" + messageType + ")" : "type " + Integer.toUnsignedString(messageType);
        return switch (kind) {
            case TOO_SHORT ->
                messageType < 0 && type == null && sizeExpected == MessageCodec.HEADER_SIZE
                        ? "message too short: size=" + sizeSeen + " (expected: >= " + sizeExpected + ")"
                        : name + " too short: size=" + sizeSeen + " (expected: >= " + sizeExpected + ")";
            case TOO_LONG -> name + " too long: size=" + sizeSeen + " (expected: <= " + sizeExpected + ")";
            case UNKNOWN_TYPE -> "unknown message " + name + " size=" + sizeSeen + " (expected: type 1..29)";
            case NOT_ALLOWED_WHEN_DISCONNECTED ->
                name + " not allowed without a negotiated version"
                        + " (expected: INITIATE_CONTACT, VERSION_RESPONSE or CLOSE_RESERVED_CHANNEL)";
            case VERSION_TOO_LOW ->
                name + " needs a newer negotiated protocol version (expected: >= "
                        + (type != null && type.minVersion() != null ? type.minVersion() : "?") + ")";
            case FEATURE_NOT_NEGOTIATED ->
                name + " needs a feature flag that was not negotiated (expected: "
                        + (type != null ? FeatureFlags.describe(type.requiredFeature()) : "?") + ")";
            case WRONG_DIRECTION ->
                name + " is sent by the other side (expected: a message this side receives; sender "
                        + (type != null ? type.direction() : "?") + ")";
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
