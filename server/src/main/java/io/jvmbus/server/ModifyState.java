package io.jvmbus.server;

import java.util.OptionalInt;

/**
 * A MODIFY_CHANNEL the device has not answered yet.
 *
 * @param inFlightVp the VP the device was asked to move to; the channel's stored target VP changes to it only when
 *     the device confirms (B19)
 * @param pendingVp (below 5.3 only) the latest further request, run when this one completes
 * @param stale the channel closed since the request was made: the device's answer no longer changes the (new) open's
 *     target VP
 * @param answerGuest the client that asked still holds the channel and gets MODIFY_CHANNEL_RESPONSE (5.3+); false
 *     once it released the channel or disconnected, so the answer never reaches a later client
 */
public record ModifyState(int inFlightVp, OptionalInt pendingVp, boolean stale, boolean answerGuest) {

    /** Validates the fields. */
    public ModifyState {
        java.util.Objects.requireNonNull(pendingVp, "pendingVp");
    }
}
