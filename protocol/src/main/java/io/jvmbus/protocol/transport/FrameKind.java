package io.jvmbus.protocol.transport;

/**
 * The frame kinds of host transport version 1, with who sends each. Kinds {@code 0x00xx} go from the VMM to the
 * server, {@code 0x80xx} answer them in request order, and {@code 0x40xx} are the server's unsolicited frames.
 *
 * <p>Bodies with no fixed structure: SAVE, RESET, RESTORED and RESET_DONE are empty; RESTORE and SAVED carry opaque
 * saved-state bytes; CONTROL, CONTROL_RESULT and EVENT carry one UTF-8 JSON object. The structured bodies each have a
 * {@code *Layout} class in this package.
 */
public enum FrameKind {
    /** VMM opens the session ({@link HelloLayout}). */
    HELLO(0x0001, Sender.VMM),
    /** The guest executed HvPostMessage ({@link PostMessageLayout}). */
    POST_MESSAGE(0x0002, Sender.VMM),
    /** The guest executed HvSignalEvent ({@link SignalEventLayout}). */
    SIGNAL_EVENT(0x0003, Sender.VMM),
    /** The guest freed a SynIC message slot ({@link MessageSlotFreeLayout}). */
    MESSAGE_SLOT_FREE(0x0004, Sender.VMM),
    /** Answer to DELIVER_MESSAGE ({@link DeliverResultLayout}). */
    DELIVER_RESULT(0x0005, Sender.VMM),
    /** Save the session (empty body). */
    SAVE(0x0010, Sender.VMM),
    /** Restore a saved session (saved-state bytes). */
    RESTORE(0x0011, Sender.VMM),
    /** The VM was reset (empty body). */
    RESET(0x0012, Sender.VMM),
    /** A control request (JSON). */
    CONTROL(0x0020, Sender.VMM),
    /** Answer to HELLO ({@link HelloOkLayout}). */
    HELLO_OK(0x8001, Sender.SERVER),
    /** Answer to POST_MESSAGE ({@link PostResultLayout}). */
    POST_RESULT(0x8002, Sender.SERVER),
    /** Answer to SAVE (saved-state bytes). */
    SAVED(0x8010, Sender.SERVER),
    /** Answer to RESTORE (empty body). */
    RESTORED(0x8011, Sender.SERVER),
    /** Answer to RESET (empty body). */
    RESET_DONE(0x8012, Sender.SERVER),
    /** Answer to CONTROL (JSON). */
    CONTROL_RESULT(0x8020, Sender.SERVER),
    /** Negative answer to any request ({@link ErrorLayout}). */
    ERROR(0x80FF, Sender.SERVER),
    /** Deliver a SynIC message to the guest ({@link DeliverMessageLayout}). */
    DELIVER_MESSAGE(0x4001, Sender.SERVER),
    /** Set an event flag and interrupt the guest ({@link SignalGuestLayout}). */
    SIGNAL_GUEST(0x4002, Sender.SERVER),
    /** Something a device or the server reports (JSON). */
    EVENT(0x4020, Sender.SERVER);

    /** Which end of the socket sends a kind. */
    public enum Sender {
        /** The VMM (the client of the socket). */
        VMM,
        /** The jvmbus server. */
        SERVER
    }

    private static final FrameKind[] BY_CODE = new FrameKind[0x10000];

    static {
        for (final FrameKind k : values()) {
            BY_CODE[k.code] = k;
        }
    }

    private final int code;
    private final Sender sender;

    FrameKind(final int code, final Sender sender) {
        this.code = code;
        this.sender = sender;
    }

    /**
     * The wire code.
     *
     * @return the u16 {@code kind} of the header
     */
    public int code() {
        return code;
    }

    /**
     * Who sends frames of this kind.
     *
     * @return the sender
     */
    public Sender sender() {
        return sender;
    }

    /**
     * Looks a wire code up.
     *
     * @param code the header's kind, 0..65535
     * @return the kind, or {@code null} if the code names none
     */
    public static FrameKind of(final int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * The code as the spec writes it.
     *
     * @param code a kind code
     * @return e.g. {@code "0x4001"}
     */
    public static String hex(final int code) {
        return String.format("0x%04x", code);
    }
}
