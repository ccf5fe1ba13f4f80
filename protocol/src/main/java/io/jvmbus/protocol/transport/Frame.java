package io.jvmbus.protocol.transport;

/** One frame of the host transport, either direction. Records validate their fields; bytes are {@code Blob}s. */
public sealed interface Frame permits VmmFrame, ServerFrame {

    /**
     * The frame's kind.
     *
     * @return the kind written in the header
     */
    FrameKind kind();

    /**
     * The header flags this frame is sent with.
     *
     * @return 0 except bit 0 of a trusted POST_MESSAGE
     */
    default int flags() {
        return 0;
    }
}
