package io.jvmbus.protocol.transport;

import io.jvmbus.protocol.Blob;

/** The frames a VMM sends to the server (kinds {@code 0x00xx}). */
public sealed interface VmmFrame extends Frame {

    /**
     * HELLO: opens the session.
     *
     * @param transportVersion the transport version the VMM speaks (1)
     * @param vpCount the VM's virtual processors, u32
     * @param ramBytes bytes of guest RAM, u64 (unsigned)
     * @param ramPath the file holding guest RAM, or empty
     * @param vmName the VM's name (free text)
     */
    record Hello(int transportVersion, int vpCount, long ramBytes, String ramPath, String vmName) implements VmmFrame {
        /** Validates the fields. */
        public Hello {
            Checks.u16("transport_version", transportVersion);
            Checks.str("ram_path", ramPath);
            Checks.str("vm_name", vmName);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.HELLO;
        }
    }

    /**
     * POST_MESSAGE: the guest posted a SynIC message.
     *
     * @param connectionId the connection id the guest posted to
     * @param vpIndex the posting VP
     * @param messageType the SynIC message type (1 for VMBus)
     * @param payload the message, at most 240 bytes
     * @param trusted whether it came on the trusted (paravisor) path: header flag bit 0
     */
    record PostMessage(int connectionId, int vpIndex, int messageType, Blob payload, boolean trusted)
            implements VmmFrame {
        /** Validates the payload. */
        public PostMessage {
            Checks.notNull("payload", payload);
            Checks.maxLength("payload", payload.length(), PostMessageLayout.MAX_PAYLOAD);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.POST_MESSAGE;
        }

        @Override
        public int flags() {
            return trusted ? FrameHeaderLayout.FLAG_TRUSTED : 0;
        }
    }

    /**
     * SIGNAL_EVENT: the guest signalled a connection.
     *
     * @param connectionId the connection id (an offer's)
     * @param flagNumber the event flag number
     */
    record SignalEvent(int connectionId, int flagNumber) implements VmmFrame {
        /** Validates the flag. */
        public SignalEvent {
            Checks.u16("flag_number", flagNumber);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.SIGNAL_EVENT;
        }
    }

    /**
     * MESSAGE_SLOT_FREE: the guest freed a message slot.
     *
     * @param vpIndex the VP
     * @param sint the SINT, 0..255
     */
    record MessageSlotFree(int vpIndex, int sint) implements VmmFrame {
        /** Validates the SINT. */
        public MessageSlotFree {
            Checks.u8("sint", sint);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.MESSAGE_SLOT_FREE;
        }
    }

    /**
     * DELIVER_RESULT: the answer to a DELIVER_MESSAGE.
     *
     * @param sequence the DELIVER_MESSAGE's sequence
     * @param status 0 delivered, 1 slot busy
     */
    record DeliverResult(int sequence, int status) implements VmmFrame {
        /** Validates the status. */
        public DeliverResult {
            Checks.u16("status", status);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.DELIVER_RESULT;
        }
    }

    /** SAVE: save the session. */
    record Save() implements VmmFrame {
        @Override
        public FrameKind kind() {
            return FrameKind.SAVE;
        }
    }

    /**
     * RESTORE: restore a saved session.
     *
     * @param savedState the bytes of a SAVED frame
     */
    record Restore(Blob savedState) implements VmmFrame {
        /** Validates the bytes. */
        public Restore {
            Checks.notNull("saved_state", savedState);
            Checks.maxLength("saved_state", savedState.length(), FrameHeaderLayout.MAX_BODY_LENGTH);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.RESTORE;
        }
    }

    /** RESET: the VM was reset. */
    record Reset() implements VmmFrame {
        @Override
        public FrameKind kind() {
            return FrameKind.RESET;
        }
    }

    /**
     * CONTROL: a JSON request.
     *
     * @param json the UTF-8 bytes of one JSON object (not yet parsed)
     */
    record Control(Blob json) implements VmmFrame {
        /** Validates the bytes. */
        public Control {
            Checks.notNull("json", json);
            Checks.maxLength("json", json.length(), FrameHeaderLayout.MAX_BODY_LENGTH);
        }

        @Override
        public FrameKind kind() {
            return FrameKind.CONTROL;
        }
    }
}
