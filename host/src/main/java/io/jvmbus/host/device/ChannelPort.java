package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.GuestMemory;

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
}
