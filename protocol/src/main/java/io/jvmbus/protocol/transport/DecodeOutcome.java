package io.jvmbus.protocol.transport;

/**
 * What the {@link FrameDecoder} made of one frame. Only {@link Decoded} carries a frame; every other outcome tells
 * the session which negative answer the spec wants.
 */
public sealed interface DecodeOutcome {

    /**
     * A well-formed frame.
     *
     * @param frame the frame
     */
    record Decoded(Frame frame) implements DecodeOutcome {}

    /**
     * A frame the receiver cannot accept (unknown kind, wrong body size, bad str): answer ERROR and go on with the next
     * frame, whose header follows this frame's body.
     *
     * @param kindCode the header's kind
     * @param error what is wrong
     * @param message the text for the ERROR frame and the log
     */
    record Rejected(int kindCode, TransportError error, String message) implements DecodeOutcome {}

    /**
     * A well-formed POST_MESSAGE whose payload is over 240 bytes: answer POST_RESULT 5 (invalid parameter).
     *
     * @param connectionId the connection id it was posted to
     * @param vpIndex the posting VP
     * @param payloadSize its payload_size
     */
    record PostTooLarge(int connectionId, int vpIndex, long payloadSize) implements DecodeOutcome {}

    /**
     * A CONTROL or JSON frame larger than this decoder accepts: answer with a JSON error; its bytes were skipped.
     *
     * @param kind the frame's kind
     * @param length its body length
     * @param limit the largest body accepted
     */
    record JsonTooLarge(FrameKind kind, long length, int limit) implements DecodeOutcome {}

    /**
     * The stream cannot be trusted any more (a length over 16 MiB): answer ERROR and end the session. The decoder
     * accepts no further input.
     *
     * @param error what is wrong
     * @param message the text for the ERROR frame and the log
     */
    record Fatal(TransportError error, String message) implements DecodeOutcome {}
}
