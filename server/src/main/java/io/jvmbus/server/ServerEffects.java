package io.jvmbus.server;

/**
 * Every effect of the core on the outside world, except messages to the guest (which wait in the core's outgoing
 * queue for the transport to pull: {@link ChannelServer#peekOutgoing()}).
 *
 * <p>The core calls these synchronously from inside an input method. Implementations must only record or enqueue the
 * effect: they must never call back into the {@link ChannelServer} from inside an effect.
 */
public interface ServerEffects {

    /**
     * Ask a channel's device to do something; the answer comes back through the matching completion method.
     *
     * @param offer the channel's device
     * @param request what to do
     */
    void deviceRequest(OfferId offer, DeviceRequest request);

    /**
     * Apply a connection-level change locally and, if {@link ModifyConnectionRequest#notifyRelay()}, answer it with
     * {@link ChannelServer#completeModifyConnection} (requests answered in order).
     *
     * @param request the change
     */
    void modifyConnection(ModifyConnectionRequest request);

    /**
     * Pass a guest's hvsocket connect request to the handler; answer with {@link
     * ChannelServer#completeHvsockConnect}.
     *
     * @param request the request
     */
    void hvsockConnect(HvsockConnectRequest request);

    /**
     * An INITIATE_CONTACT for another VTL: hand it to that VTL's server. No reply is sent by this one.
     *
     * @param request the request
     */
    void forwardInitiateContact(InitiateContactRequest request);

    /** A guest UNLOAD finished; UNLOAD_COMPLETE is queued right after this call. */
    void unloadComplete();

    /** A VM reset finished: every channel is closed and released, the queue is empty. */
    void resetComplete();

    /**
     * A message was appended to the outgoing queue (a wake-up hint for the transport; the message stays queued).
     *
     * @param message the message
     */
    default void messageQueued(final OutgoingMessage message) {}

    /**
     * Something worth a log line that did not reject the input (e.g. a requested feature that was dropped).
     *
     * @param note the note
     */
    default void note(final ServerError note) {}
}
