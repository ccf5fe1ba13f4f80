package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import java.util.Objects;

/**
 * What the guest asked for when opening a channel, as the core stores it (and as servicing saves it).
 *
 * @param openId the cookie echoed in OPEN_CHANNEL_RESULT
 * @param ringBufferGpadlId the GPADL holding both rings (not checked by the core; the device fails the open if it
 *     does not exist)
 * @param targetVp the VP for host-to-guest interrupts, or {@link ConnectionIds#VP_INDEX_DISABLE_INTERRUPT}
 * @param downstreamRingBufferPageOffset page index of the host-to-guest ring inside the GPADL
 * @param userData 120 opaque bytes for the device
 * @param guestSignal the guest-specified event flag and connection id (only with feature 0x1), or {@code null}
 * @param flags OpenChannelFlags with unused bits cleared (0 unless feature 0x2)
 */
public record OpenRequest(
        int openId,
        int ringBufferGpadlId,
        int targetVp,
        int downstreamRingBufferPageOffset,
        Blob userData,
        SignalInfo guestSignal,
        int flags) {

    /** Validates the fields. */
    public OpenRequest {
        Objects.requireNonNull(userData, "userData");
    }

    /**
     * Whether host-to-guest interrupts are enabled.
     *
     * @return false if the target VP is 0xFFFFFFFF
     */
    public boolean interruptsEnabled() {
        return targetVp != ConnectionIds.VP_INDEX_DISABLE_INTERRUPT;
    }

    /**
     * A copy with another target VP.
     *
     * @param vp the new VP
     * @return the copy
     */
    public OpenRequest withTargetVp(final int vp) {
        return new OpenRequest(
                openId, ringBufferGpadlId, vp, downstreamRingBufferPageOffset, userData, guestSignal, flags);
    }

    /**
     * The guest-specified signalling parameters of OpenChannel2.
     *
     * @param eventFlag the event flag the host sets (u16)
     * @param connectionId the connection id the guest signals
     */
    public record SignalInfo(int eventFlag, int connectionId) {}
}
