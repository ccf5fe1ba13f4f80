package io.jvmbus.protocol.transport;

import io.jvmbus.protocol.Blob;

/** The frames the server sends to a VMM: answers ({@code 0x80xx}) and unsolicited frames ({@code 0x40xx}). */
public sealed interface ServerFrame extends Frame {

    /**
     * HELLO_OK.
     *
     * @param transportVersion the transport version (1)
     * @param maxVersion the highest VMBus protocol version supported ({@code major << 16 | minor})
     * @param featureFlags the feature flags supported
     */
    record HelloOk(int transportVersion, int maxVersion, int featureFlags) implements ServerFrame {
        /** Validates the version. */
        public HelloOk {
            Checks.u16("transport_version", transportVersion);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.HELLO_OK;
        }
    }

    /**
     * POST_RESULT.
     *
     * @param hvStatus the hypercall status (see {@link PostResultLayout})
     */
    record PostResult(int hvStatus) implements ServerFrame {
        /** Validates the status. */
        public PostResult {
            Checks.u16("hv_status", hvStatus);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.POST_RESULT;
        }
    }

    /**
     * SAVED.
     *
     * @param savedState the saved-state bytes
     */
    record Saved(Blob savedState) implements ServerFrame {
        /** Validates the bytes. */
        public Saved {
            Checks.notNull("saved_state", savedState);
            Checks.maxLength("saved_state", savedState.length(), FrameHeaderLayout.MAX_BODY_LENGTH);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.SAVED;
        }
    }

    /** RESTORED. */
    record Restored() implements ServerFrame {
        @Override
        public FrameKind kind() {
            return FrameKind.RESTORED;
        }
    }

    /** RESET_DONE. */
    record ResetDone() implements ServerFrame {
        @Override
        public FrameKind kind() {
            return FrameKind.RESET_DONE;
        }
    }

    /**
     * CONTROL_RESULT.
     *
     * @param json the UTF-8 bytes of one JSON object
     */
    record ControlResult(Blob json) implements ServerFrame {
        /** Validates the bytes. */
        public ControlResult {
            Checks.notNull("json", json);
            Checks.maxLength("json", json.length(), FrameHeaderLayout.MAX_BODY_LENGTH);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.CONTROL_RESULT;
        }
    }

    /**
     * ERROR. The encoder cuts a message longer than a str can hold.
     *
     * @param code the u32 code (a {@link TransportError#code()})
     * @param message what was wrong
     */
    record Error(int code, String message) implements ServerFrame {
        /** Validates the message. */
        public Error {
            Checks.notNull("message", message);
        }

        /**
         * An ERROR for a {@link TransportError}.
         *
         * @param error the error
         * @param message what was wrong
         * @return the frame
         */
        public static Error of(final TransportError error, final String message) {
            return new Error(error.code(), message);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.ERROR;
        }
    }

    /**
     * DELIVER_MESSAGE.
     *
     * @param sequence the sequence its DELIVER_RESULT names
     * @param vpIndex the target VP
     * @param sint the target SINT
     * @param vtl the target VTL
     * @param messageType the SynIC message type
     * @param payload the message, at most 240 bytes
     */
    record DeliverMessage(int sequence, int vpIndex, int sint, int vtl, int messageType, Blob payload)
            implements ServerFrame {
        /** Validates the fields. */
        public DeliverMessage {
            Checks.u8("sint", sint);
            Checks.u8("vtl", vtl);
            Checks.notNull("payload", payload);
            Checks.maxLength("payload", payload.length(), DeliverMessageLayout.MAX_PAYLOAD);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.DELIVER_MESSAGE;
        }
    }

    /**
     * SIGNAL_GUEST.
     *
     * @param vpIndex the target VP
     * @param sint the SINT
     * @param vtl the VTL
     * @param eventFlag the event flag (the channel id)
     */
    record SignalGuest(int vpIndex, int sint, int vtl, int eventFlag) implements ServerFrame {
        /** Validates the fields. */
        public SignalGuest {
            Checks.u8("sint", sint);
            Checks.u8("vtl", vtl);
            Checks.u16("event_flag", eventFlag);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.SIGNAL_GUEST;
        }
    }

    /**
     * EVENT.
     *
     * @param json the UTF-8 bytes of one JSON object
     */
    record Event(Blob json) implements ServerFrame {
        /** Validates the bytes. */
        public Event {
            Checks.notNull("json", json);
            Checks.maxLength("json", json.length(), FrameHeaderLayout.MAX_BODY_LENGTH);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.EVENT;
        }
    }
}
