package io.jvmbus.server;

import io.jvmbus.protocol.Guid;

/**
 * The data of a Connecting or Connected connection (reference §2.1 ConnectionInfo).
 *
 * @param version the negotiated version and flags
 * @param trusted established by a trusted message
 * @param offersSent REQUEST_OFFERS was handled
 * @param interruptPage the pre-Win8 interrupt page GPA, 0 if none
 * @param monitorPages the monitor pages in force, or {@code null}
 * @param targetMessageVp the VP default-target messages go to
 * @param modifying a MODIFY_CONNECTION is in flight
 * @param pendingMonitorPages the pages that MODIFY_CONNECTION asks for ({@code null} = none), applied on success
 * @param clientId the client GUID (zero if none)
 * @param paused the guest sent PAUSE
 */
record ConnectionInfo(
        VersionInfo version,
        boolean trusted,
        boolean offersSent,
        long interruptPage,
        MonitorPages monitorPages,
        int targetMessageVp,
        boolean modifying,
        MonitorPages pendingMonitorPages,
        Guid clientId,
        boolean paused) {

    ConnectionInfo withVersion(final VersionInfo v, final MonitorPages pages) {
        return new ConnectionInfo(
                v,
                trusted,
                offersSent,
                interruptPage,
                pages,
                targetMessageVp,
                modifying,
                pendingMonitorPages,
                clientId,
                paused);
    }

    ConnectionInfo withOffersSent() {
        return new ConnectionInfo(
                version,
                trusted,
                true,
                interruptPage,
                monitorPages,
                targetMessageVp,
                modifying,
                pendingMonitorPages,
                clientId,
                paused);
    }

    ConnectionInfo withModifying(final MonitorPages pending) {
        return new ConnectionInfo(
                version,
                trusted,
                offersSent,
                interruptPage,
                monitorPages,
                targetMessageVp,
                true,
                pending,
                clientId,
                paused);
    }

    ConnectionInfo withModifyDone(final boolean apply) {
        return new ConnectionInfo(
                version,
                trusted,
                offersSent,
                interruptPage,
                apply ? pendingMonitorPages : monitorPages,
                targetMessageVp,
                false,
                null,
                clientId,
                paused);
    }

    ConnectionInfo withPaused(final boolean value) {
        return new ConnectionInfo(
                version,
                trusted,
                offersSent,
                interruptPage,
                monitorPages,
                targetMessageVp,
                modifying,
                pendingMonitorPages,
                clientId,
                value);
    }
}
