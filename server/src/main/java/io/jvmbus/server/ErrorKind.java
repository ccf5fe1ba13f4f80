package io.jvmbus.server;

/** Why the core rejected or ignored an input. Each kind names the scope the problem concerns. */
public enum ErrorKind {
    /** The bytes did not decode (size, unknown type, version or feature gate, or a host-to-guest type: B1). */
    DECODE_FAILED(Scope.MESSAGE),
    /** Posted to a connection id this server does not listen on. */
    INVALID_CONNECTION_ID(Scope.MESSAGE),
    /** Not accepting guest messages now (queue not drained, hvsock requests at the limit): retry later. */
    BUSY(Scope.MESSAGE),
    /** A VM reset is in progress: guest messages are not processed. */
    RESETTING(Scope.MESSAGE),
    /** The outgoing queue has no room for what this input could produce: retry after deliveries. */
    QUEUE_FULL(Scope.MESSAGE),
    /** An untrusted message on a connection established by a trusted one. */
    UNTRUSTED_MESSAGE(Scope.MESSAGE),
    /** Any message but RESUME, UNLOAD or INITIATE_CONTACT while the guest has paused the connection. */
    PAUSED(Scope.MESSAGE),

    /** INITIATE_CONTACT for a version that does not exist or exceeds the configured maximum. */
    UNSUPPORTED_VERSION(Scope.CONNECTION),
    /** A multiclient INITIATE_CONTACT for a SINT other than 2 (answered "unsupported" on that SINT). */
    UNSUPPORTED_TARGET_SINT(Scope.CONNECTION),
    /** Exactly one monitor page GPA zero. */
    INVALID_MONITOR_PAGES(Scope.CONNECTION),
    /** A second REQUEST_OFFERS on the same connection. */
    OFFERS_ALREADY_SENT(Scope.CONNECTION),
    /** MODIFY_CONNECTION while another is in flight (answered with a failure). */
    MODIFY_CONNECTION_IN_PROGRESS(Scope.CONNECTION),
    /** MODIFY_CONNECTION while the monitor pages are server-allocated (answered with a failure). */
    SERVER_ALLOCATED_MONITOR_PAGES(Scope.CONNECTION),
    /** A relay answer that does not fit the request outstanding (or none was outstanding). */
    UNEXPECTED_RELAY_RESPONSE(Scope.HOST),
    /** A VM reset while one is already in progress. */
    RESET_IN_PROGRESS(Scope.HOST),

    /** A channel id that no channel holds. */
    UNKNOWN_CHANNEL_ID(Scope.CHANNEL),
    /** OPEN on a channel that is open, opening or already re-opening. */
    CHANNEL_ALREADY_OPEN(Scope.CHANNEL),
    /** CLOSE on a channel that is not open. */
    CHANNEL_NOT_OPEN(Scope.CHANNEL),
    /** A normal operation on a reserved channel. */
    CHANNEL_RESERVED(Scope.CHANNEL),
    /** CLOSE_RESERVED_CHANNEL on a channel that is not reserved. */
    CHANNEL_NOT_RESERVED(Scope.CHANNEL),
    /** A request the channel's state does not allow. */
    INVALID_CHANNEL_STATE(Scope.CHANNEL),
    /** A request on a revoked channel: ignored, the guest was sent a rescind. */
    CHANNEL_REVOKED(Scope.CHANNEL),
    /** MODIFY_CHANNEL to VP 0xFFFFFFFF. */
    INVALID_TARGET_VP(Scope.CHANNEL),
    /** MODIFY_CHANNEL on a channel opened with interrupts disabled. */
    INTERRUPTS_DISABLED(Scope.CHANNEL),
    /** MODIFY_CHANNEL (5.3+) while another is in flight (answered with a failure). */
    MODIFY_IN_PROGRESS(Scope.CHANNEL),

    /** A GPADL id the channel (or, for GPADL_BODY, any in-progress GPADL) does not have. */
    UNKNOWN_GPADL_ID(Scope.CHANNEL),
    /** A GPADL id already in use on the channel, or already in progress on any channel. */
    DUPLICATE_GPADL_ID(Scope.CHANNEL),
    /** The GPADL's ranges do not validate. */
    INVALID_GPADL_RANGES(Scope.CHANNEL),
    /** A GPADL limit (per channel, total, pages, descriptor bytes) would be exceeded. */
    GPADL_LIMIT(Scope.CHANNEL),
    /** A GPADL request the GPADL's state does not allow. */
    INVALID_GPADL_STATE(Scope.CHANNEL),

    /** An offer handle the core does not know (never issued, or its channel is gone). */
    UNKNOWN_OFFER(Scope.HOST),
    /** An offer whose key is already offered. */
    OFFER_EXISTS(Scope.HOST),
    /** No channel id left for another offer (or the configured channel limit). */
    TOO_MANY_CHANNELS(Scope.HOST),
    /** A revoke of an offer already revoked. */
    ALREADY_REVOKED(Scope.HOST),
    /** A device completion that matches no outstanding request (late, after revoke or reset, or duplicated). */
    STRAY_COMPLETION(Scope.HOST),
    /** An hvsock result that matches no outstanding request. */
    UNKNOWN_HVSOCK_REQUEST(Scope.HOST),
    /** {@code outgoingDelivered} for a message that is not at the head of its queue. */
    UNKNOWN_MESSAGE(Scope.HOST),

    /** Not an error: an input was handled with a caveat worth a log line (e.g. an ignored field). */
    NOTE(Scope.MESSAGE);

    /** Which state an error concerns. */
    public enum Scope {
        /** Only this one input; nothing else changed. */
        MESSAGE,
        /** One channel (or one of its GPADLs). */
        CHANNEL,
        /** The guest connection. */
        CONNECTION,
        /** The host layer sent something that does not fit the core's state. */
        HOST
    }

    private final Scope scope;

    ErrorKind(final Scope scope) {
        this.scope = scope;
    }

    /**
     * The scope of this kind.
     *
     * @return the scope
     */
    public Scope scope() {
        return scope;
    }
}
