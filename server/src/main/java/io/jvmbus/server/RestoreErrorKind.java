package io.jvmbus.server;

/**
 * Why a saved-state blob was not restored, or why a device's claim of a restored channel was refused. Each kind names
 * what was wrong; {@link RestoreError#detail()} names the value and the expectation.
 */
public enum RestoreErrorKind {
    // ---- the blob (envelope and payload) ------------------------------------------------------------------------
    /** Shorter than the envelope header, or than the payload length the header declares. */
    TRUNCATED,
    /** Does not start with the saved-state magic. */
    BAD_MAGIC,
    /** Written in a format version this build does not know (a newer jvmbus). */
    UNSUPPORTED_FORMAT_VERSION,
    /** Header fields that must be zero are not, or bytes follow the declared payload. */
    BAD_HEADER,
    /** The checksum does not match: the bytes were corrupted. */
    CHECKSUM_MISMATCH,
    /** The payload is not a valid saved state: it does not parse, a required field is missing or has a bad value. */
    MALFORMED,
    /** More of something (bytes, channels, GPADLs, messages, requests) than this server allows. */
    LIMIT_EXCEEDED,

    // ---- the server -----------------------------------------------------------------------------------------------
    /** Restore needs a fresh (or reset) server: no connection, no GPADLs, no messages, channels only offered. */
    NOT_FRESH,

    // ---- the connection ---------------------------------------------------------------------------------------------
    /** The connection's version is unknown or above what this server restores. */
    UNSUPPORTED_VERSION,
    /** The connection's feature flags include one this server cannot honour. */
    UNSUPPORTED_FEATURE_FLAGS,
    /** A reserved channel's version is unknown, below Win10, or above what this server restores. */
    UNSUPPORTED_RESERVE_VERSION,
    /** A reserved channel's feature flags include one this server cannot honour. */
    UNSUPPORTED_RESERVE_FEATURE_FLAGS,
    /** The connection's fields contradict its phase (e.g. connection data while Disconnected). */
    INVALID_CONNECTION,

    // ---- channels
    // -----------------------------------------------------------------------------------------------------
    /** Two channels with one offer key. */
    DUPLICATE_CHANNEL_KEY,
    /** A channel id outside 1..2047, or one where the state says there is none (or the reverse). */
    INVALID_CHANNEL_ID,
    /** Two channels with one channel id. */
    DUPLICATE_CHANNEL_ID,
    /** A channel's fields contradict its state (e.g. an open channel without its open request). */
    INVALID_CHANNEL,
    /** A re-offered channel's relayed monitor id differs from the saved one. */
    MISMATCHED_MONITOR_ID,
    /** Two channels with one server-allocated monitor id. */
    DUPLICATE_MONITOR_ID,

    // ---- GPADLs
    // -------------------------------------------------------------------------------------------------------
    /** A GPADL names a channel that is not in the saved state. */
    UNKNOWN_GPADL_CHANNEL,
    /** Two GPADLs with one id on a channel, or two in progress with one id anywhere. */
    DUPLICATE_GPADL_ID,
    /** A GPADL's data contradicts its state (length, ranges, state on its channel). */
    INVALID_GPADL,

    // ---- queue and hvsock
    // -----------------------------------------------------------------------------------------------
    /** A queued message does not decode as a host-to-guest message, or its target or pause mark is inconsistent. */
    INVALID_MESSAGE,
    /** An hvsocket request is malformed or duplicated. */
    INVALID_HVSOCK_REQUEST,

    // ---- device claims (restoreChannel)
    // ------------------------------------------------------------------------------
    /** An offer handle this server did not issue, or whose channel is gone. */
    UNKNOWN_OFFER,
    /** The device says the channel is open, but it was not in the saved state (or was released). */
    MISSING_CHANNEL,
    /** The channel was already claimed. */
    ALREADY_RESTORED,
    /** The device's open state contradicts the saved channel state (e.g. open while the channel is closed). */
    MISMATCHED_OPEN_STATE,
    /** The outgoing queue has no room for what the claim must send: deliver messages and claim again. */
    QUEUE_FULL
}
