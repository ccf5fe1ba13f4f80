package io.jvmbus.host.session;

/** The life of a session, changed only through {@code SessionEngine.state(newState, reason)}. */
public enum SessionState {
    /** Connected; only HELLO is accepted. */
    AWAIT_HELLO,
    /** HELLO accepted: every frame is accepted. */
    ACTIVE,
    /** Ended: no frame is handled any more. */
    CLOSED
}
