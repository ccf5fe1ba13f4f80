package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.GuestMemory;
import java.util.Optional;

/**
 * What one channel's device may do: answer the core's requests, signal the guest, report events, and route the
 * guest's signals to itself. The session implements it; every method runs on the session's worker thread.
 */
public interface ChannelPort {

    /**
     * The channel's host-side name (the CONTROL offer's {@code name}; subchannels add {@code /index}).
     *
     * @return the name
     */
    String name();

    /**
     * Guest RAM, or {@code null} when HELLO named none (every GPADL must then be refused).
     *
     * @return the memory
     */
    GuestMemory memory();

    /**
     * Answers an open request.
     *
     * @param status NT status, 0 for success
     */
    void completeOpen(int status);

    /** Answers a close request. */
    void completeClose();

    /**
     * Answers a GPADL request.
     *
     * @param gpadlId the GPADL
     * @param status NT status, 0 for success
     */
    void completeGpadl(int gpadlId, int status);

    /**
     * Answers a GPADL teardown request.
     *
     * @param gpadlId the GPADL
     */
    void completeTeardown(int gpadlId);

    /**
     * Answers a modify request.
     *
     * @param status NT status, 0 for success
     */
    void completeModify(int status);

    /**
     * Sends SIGNAL_GUEST {vp, SINT 2, VTL of the server, flag}.
     *
     * @param vp the target VP
     * @param eventFlag the event flag (the channel id unless the guest chose one)
     */
    void signalGuest(int vp, int eventFlag);

    /**
     * Routes the guest's SIGNAL_EVENTs on a connection id to this device ({@code -1}: stop routing).
     *
     * @param connectionId the connection id the guest signals, or -1
     */
    void routeSignals(int connectionId);

    /**
     * Sends an EVENT frame.
     *
     * @param event the JSON object ({@code "event"} and {@code "name"} set by the caller)
     */
    void event(ObjectNode event);

    /**
     * Logs a problem with this channel at WARN, naming the session and the channel.
     *
     * @param message what went wrong
     */
    void warn(String message);

    /**
     * The offer's {@code "endpoint"} (only a {@code pipe} device has one).
     *
     * @return the endpoint text, or empty
     */
    default Optional<String> endpoint() {
        return Optional.empty();
    }

    /**
     * Runs an action on the session's worker thread, after what it is doing now. Any thread may call it; after the
     * session ended the action may run on the ending thread or not at all, so an action checks that its device is
     * still open.
     *
     * @param action what to run
     * @throws UnsupportedOperationException if this session has no worker to run it (an engine driven without one)
     */
    default void execute(final Runnable action) {
        throw new UnsupportedOperationException("this session runs no device work of its own");
    }
}
