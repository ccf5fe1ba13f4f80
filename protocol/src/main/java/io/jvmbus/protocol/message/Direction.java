package io.jvmbus.protocol.message;

/** Which side sends a channel message. */
public enum Direction {
    /** Sent by the guest (client) to the host (server). */
    GUEST_TO_HOST,
    /** Sent by the host (server) to the guest (client). */
    HOST_TO_GUEST
}
