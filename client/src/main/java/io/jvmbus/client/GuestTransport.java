package io.jvmbus.client;

/**
 * What a VMBus guest can do through its (virtual) hypervisor, and what it learns from it: the low-level boundary
 * between the guest client and whoever carries its hypercalls to a VMBus host. An implementation may be an in-process
 * adapter around a channel server or a socket to {@code jvmbus serve}.
 *
 * <p>Threading: {@link #postMessage} and {@link #signalEvent} may be called from any thread. The listener is called
 * from the transport's own thread(s); it must not call {@link #postMessage} from inside a callback (a synchronous
 * transport may deliver the answer on the same thread), which is why the client hands follow-up work to its own
 * worker.
 */
public interface GuestTransport extends AutoCloseable {

    /**
     * Starts delivering host messages and signals to {@code listener}. Called once, before any other call.
     *
     * @param listener where host messages and signals go
     */
    void attach(Listener listener);

    /**
     * HvPostMessage: posts one SynIC message to a connection id.
     *
     * @param connectionId the connection id (1, 4, or the id the host returned in VERSION_RESPONSE)
     * @param vp the VP that executes the hypercall
     * @param messageType the SynIC message type (1 for VMBus channel messages)
     * @param payload the message, at most 240 bytes
     * @return the hypervisor status: {@link HvStatus#SUCCESS}, {@link HvStatus#INVALID_CONNECTION_ID}, {@link
     *     HvStatus#INSUFFICIENT_BUFFERS} (retry later), ...
     * @throws GuestException of kind {@link GuestException.Kind#TRANSPORT} if the transport itself failed
     */
    int postMessage(int connectionId, int vp, int messageType, byte[] payload);

    /**
     * HvSignalEvent: signals a channel's connection id.
     *
     * @param connectionId the channel's connection id (from its offer, or the one the guest chose in OpenChannel2)
     * @param flag the event flag number
     * @throws GuestException of kind {@link GuestException.Kind#TRANSPORT} if the transport itself failed
     */
    void signalEvent(int connectionId, int flag);

    /** Detaches and releases the transport; no callback runs after it returns. */
    @Override
    void close();

    /** Receives what the host sends the guest. */
    interface Listener {

        /**
         * The host delivered a SynIC message into the slot of {@code sint} on {@code vp}. The slot counts as freed
         * (EOM) when the call returns.
         *
         * @param vp the VP
         * @param sint the SINT
         * @param messageType the SynIC message type
         * @param payload the payload (owned by the callee)
         */
        void onMessage(int vp, int sint, int messageType, byte[] payload);

        /**
         * The host set event flag {@code flag} in the SINT's event-flag page on {@code vp} and raised the interrupt.
         *
         * @param vp the VP
         * @param sint the SINT
         * @param flag the event flag (the channel id for channels without guest-specified signal parameters)
         */
        void onSignal(int vp, int sint, int flag);
    }
}
