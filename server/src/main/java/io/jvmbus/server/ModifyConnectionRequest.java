package io.jvmbus.server;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * A connection-level change the core asks the host layer (and, through it, a relay) to make: the reference's {@code
 * Notifier::modify_connection}. Three guest operations produce one: INITIATE_CONTACT (version present), a disconnect
 * for UNLOAD, reconnect or reset (everything reset, no version), and MODIFY_CONNECTION (monitor pages only).
 *
 * <p>When {@code notifyRelay} is true the host must answer with {@link ChannelServer#completeModifyConnection}, and
 * must answer requests in the order they were made.
 *
 * @param version the negotiated version for a connect, or {@code null}
 * @param monitorPages the connection's monitor pages
 * @param interruptPage the pre-Win8 interrupt page GPA
 * @param targetMessageVp the VP the default message target moves to, or empty to leave it
 * @param notifyRelay whether an answer is expected
 */
public record ModifyConnectionRequest(
        VersionInfo version,
        Update<MonitorPages> monitorPages,
        Update<Long> interruptPage,
        OptionalInt targetMessageVp,
        boolean notifyRelay) {

    /** Validates the fields. */
    public ModifyConnectionRequest {
        Objects.requireNonNull(monitorPages, "monitorPages");
        Objects.requireNonNull(interruptPage, "interruptPage");
        Objects.requireNonNull(targetMessageVp, "targetMessageVp");
    }

    /**
     * The disconnect request (the reference's R0): no version, monitor and interrupt pages reset, VP unchanged.
     *
     * @return the request
     */
    public static ModifyConnectionRequest disconnect() {
        return new ModifyConnectionRequest(null, new Update.Reset<>(), new Update.Reset<>(), OptionalInt.empty(), true);
    }

    /**
     * Whether this is a connect request (it carries a version).
     *
     * @return true if {@link #version} is present
     */
    public boolean isConnect() {
        return version != null;
    }
}
