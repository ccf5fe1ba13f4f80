package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.server.DeviceRequest;

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

    /** The session ends: release everything. */
    void close();
}
