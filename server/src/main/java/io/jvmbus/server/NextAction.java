package io.jvmbus.server;

import java.util.Objects;

/** What the connection does once it is fully disconnected (reference §2.1 {@code next_action}). */
public sealed interface NextAction {

    /** Nothing. */
    record None() implements NextAction {}

    /** Finish a VM reset: every restore state back to New, the queue cleared, the host told. */
    record Reset() implements NextAction {}

    /** Finish a guest UNLOAD: tell the host, then queue UNLOAD_COMPLETE. */
    record SendUnloadComplete() implements NextAction {}

    /**
     * Run a stored INITIATE_CONTACT.
     *
     * @param request the request
     */
    record Reconnect(InitiateContactRequest request) implements NextAction {
        /** Validates the request. */
        public Reconnect {
            Objects.requireNonNull(request, "request");
        }
    }

    /** The shared {@link None}. */
    NextAction NONE = new None();

    /** The shared {@link Reset}. */
    NextAction RESET = new Reset();

    /** The shared {@link SendUnloadComplete}. */
    NextAction SEND_UNLOAD_COMPLETE = new SendUnloadComplete();
}
