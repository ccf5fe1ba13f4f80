package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import java.util.Objects;

/**
 * What a device receives with an open request (reference §3.7): the guest's request resolved against the channel and
 * the connection.
 *
 * @param channelId the channel id
 * @param openId the guest's cookie
 * @param ringBufferGpadlId the ring GPADL
 * @param targetVp the interrupt VP, or {@link ConnectionIds#VP_INDEX_DISABLE_INTERRUPT}
 * @param downstreamRingBufferPageOffset page index of the host-to-guest ring
 * @param userData 120 bytes from the guest
 * @param eventFlag guest-specified with feature 0x1, else the channel id
 * @param connectionId guest-specified with feature 0x1, else the connection id of the offer
 * @param monitorInfo the monitor id and latency when the server handles MNF for this channel and interrupts are
 *     enabled and the channel is not reserved, else {@code null}
 * @param flags OpenChannelFlags, unused bits zero
 * @param reservedTarget where a reserved channel's messages go, or {@code null}
 * @param confidentialRing use the private (encrypted) guest memory view for the rings
 * @param confidentialExternalMemory use it for other GPADLs too
 * @param externalMemoryPinned external memory must be pinned
 */
public record OpenParams(
        int channelId,
        int openId,
        int ringBufferGpadlId,
        int targetVp,
        int downstreamRingBufferPageOffset,
        Blob userData,
        int eventFlag,
        int connectionId,
        MonitorInfo monitorInfo,
        int flags,
        MessageTarget.Reserved reservedTarget,
        boolean confidentialRing,
        boolean confidentialExternalMemory,
        boolean externalMemoryPinned) {

    /** Validates the fields. */
    public OpenParams {
        Objects.requireNonNull(userData, "userData");
    }

    /**
     * These parameters with another target VP (a MODIFY_CHANNEL the device confirmed).
     *
     * @param vp the new target VP
     * @return the changed copy, or this if {@code vp} is already the target
     */
    public OpenParams withTargetVp(final int vp) {
        return vp == targetVp
                ? this
                : new OpenParams(
                        channelId,
                        openId,
                        ringBufferGpadlId,
                        vp,
                        downstreamRingBufferPageOffset,
                        userData,
                        eventFlag,
                        connectionId,
                        monitorInfo,
                        flags,
                        reservedTarget,
                        confidentialRing,
                        confidentialExternalMemory,
                        externalMemoryPinned);
    }

    /**
     * A monitor id the server handles, with the device's latency.
     *
     * @param monitorId 0..127
     * @param latencyNanos the latency
     */
    public record MonitorInfo(int monitorId, long latencyNanos) {}
}
