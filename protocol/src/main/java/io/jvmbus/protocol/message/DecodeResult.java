package io.jvmbus.protocol.message;

/** The outcome of decoding one message: a message, or a typed error. Decoding never throws for bad input. */
public sealed interface DecodeResult {

    /**
     * A decoded message.
     *
     * @param message the message
     */
    record Decoded(ChannelMessage message) implements DecodeResult {}

    /**
     * A decode failure.
     *
     * @param error why
     */
    record Failed(DecodeError error) implements DecodeResult {}
}
