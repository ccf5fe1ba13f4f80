package io.jvmbus.server;

import java.util.OptionalInt;

/**
 * A MODIFY_CHANNEL the device has not answered yet.
 *
 * @param inFlightVp the VP the device was asked to move to; the channel's stored target VP changes to it only when
 *     the device confirms (B19)
 * @param pendingVp (below 5.3 only) the latest further request, run when this one completes
 * @param stale the channel closed since the request was made: the answer is still expected, but it no longer
 *     changes the (new) open's target VP
 */
public record ModifyState(int inFlightVp, OptionalInt pendingVp, boolean stale) {

    /** Validates the fields. */
    public ModifyState {
        java.util.Objects.requireNonNull(pendingVp, "pendingVp");
    }
}
