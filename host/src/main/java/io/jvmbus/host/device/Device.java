package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.OpenParams;
import io.jvmbus.server.RestoredGpadl;
import java.util.List;

/**
 * The device behind one channel. The session calls it on its worker thread, never from inside a core call: a device
 * may therefore answer through its {@link ChannelPort} at once, or later.
 */
public interface Device {

    /**
     * A request from the channel server core; answer it through the port.
     *
     * @param request what to do
     */
    void onRequest(DeviceRequest request);

    /** The guest signalled the channel (SIGNAL_EVENT on the channel's connection id). */
    void onGuestSignal();

    /**
     * The channel was revoked: the guest may free the ring pages at any time without a teardown, so the device stops
     * touching them now. Requests may still come and must still be answered.
     */
    void onRevoked();

    /**
     * A VM reset is in progress: requests that would wait for someone else are answered at once.
     *
     * @param resetting true while the reset runs
     */
    default void onResetting(final boolean resetting) {}

    /**
     * Device-specific state for inspect.
     *
     * @param into the channel's inspect object, to add fields to
     */
    default void inspect(final ObjectNode into) {}

    /**
     * SAVE: what this device holds that neither guest memory nor the core's saved state has (e.g. bytes it took from
     * one side and has not passed to the other), in the device's own versioned format. Called between frames, when
     * the device is quiescent; the device keeps working afterwards (a SAVE need not end the session).
     *
     * @return the device's state; empty if it holds nothing
     */
    default byte[] saveState() {
        return new byte[0];
    }

    /**
     * RESTORE, first step: checks what {@link #saveState()} returned in an earlier process and returns the action that
     * takes it in. Nothing changes until the action runs, so that a session can check every device before it changes
     * any.
     *
     * @param state the bytes
     * @return the action that applies the state (run after {@link #restoreChannel})
     * @throws IllegalArgumentException naming what is wrong (truncated, newer version, over a limit)
     */
    default Runnable prepareRestore(final byte[] state) {
        if (state.length != 0) {
            throw new IllegalArgumentException(
                    "device state of " + state.length + " bytes (expected: none for this device kind)");
        }
        return () -> {};
    }

    /**
     * Whether the device holds the channel open: it accepted an open and got no close since. Saved with the device,
     * and its claim when the channel is restored.
     *
     * @return true while open
     */
    default boolean holdsOpen() {
        return false;
    }

    /**
     * RESTORE: the core handed the channel back (a claim succeeded). The device takes back the GPADLs it had accepted
     * and, if it holds the channel open, the rings where the guest's memory has them. It moves no data and signals
     * nobody until {@link #resume()}. Requests the core re-sent come afterwards through {@link #onRequest}.
     *
     * @param open the open's parameters (current target VP included), or {@code null} if not open
     * @param gpadls every complete GPADL of the channel, with its state
     */
    default void restoreChannel(final OpenParams open, final List<RestoredGpadl> gpadls) {}

    /**
     * The session that answered SAVE goes on (the VMM sent another frame instead of leaving): take back what SAVE
     * released, e.g. a host endpoint that moved with the saved state.
     */
    default void afterSave() {}

    /** After RESTORED went out: carry on, e.g. move data the guest left in the rings while the host was serviced. */
    default void resume() {}

    /** The session ends: release everything. */
    void close();
}
