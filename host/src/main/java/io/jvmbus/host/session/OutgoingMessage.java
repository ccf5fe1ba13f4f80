package io.jvmbus.host.session;

import io.jvmbus.protocol.Blob;

/**
 * A SynIC message on its way to the guest: where it goes and what it says.
 *
 * @param token the source's handle for it (the core's queue sequence), given back in {@link
 *     DeliveryPump.Source#delivered}
 * @param vpIndex the target VP
 * @param sint the target SINT (2 for VMBus)
 * @param vtl the target VTL
 * @param messageType the SynIC message type (1 for VMBus)
 * @param payload the message bytes, at most 240
 */
public record OutgoingMessage(long token, int vpIndex, int sint, int vtl, int messageType, Blob payload) {

    /** Validates the fields. */
    public OutgoingMessage {
        if ((sint & ~0xFF) != 0 || (vtl & ~0xFF) != 0) {
            throw new IllegalArgumentException("sint=" + sint + " vtl=" + vtl + " (expected: each in 0..255)");
        }
        if (payload == null || payload.length() > 240) {
            throw new IllegalArgumentException(
                    "payload length=" + (payload == null ? "null" : payload.length()) + " (expected: <= 240)");
        }
    }
}
