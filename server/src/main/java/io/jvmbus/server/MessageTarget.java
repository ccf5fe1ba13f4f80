package io.jvmbus.server;

/**
 * Where a message to the guest goes. Default-target messages leave strictly in order and wait while the guest has
 * paused the connection; targeted messages (a reserved channel's own VP/SINT, or a custom target) may overtake them
 * and ignore the pause.
 */
public sealed interface MessageTarget {

    /** The connection's message VP on SINT 2 (the VP the last INITIATE_CONTACT asked for). */
    record Default() implements MessageTarget {}

    /**
     * The target a reserved channel's client asked for in OPEN_RESERVED_CHANNEL or CLOSE_RESERVED_CHANNEL.
     *
     * @param channelId the reserved channel (informational)
     * @param vp the VP
     * @param sint the SINT (0..255)
     */
    record Reserved(int channelId, int vp, int sint) implements MessageTarget {}

    /**
     * Any other VP/SINT: the "unsupported" VERSION_RESPONSE to a multiclient request for another SINT, and failure
     * replies to reserved-channel requests that name their own target.
     *
     * @param vp the VP
     * @param sint the SINT (0..255)
     */
    record Custom(int vp, int sint) implements MessageTarget {}

    /** The shared default target. */
    MessageTarget DEFAULT = new Default();

    /**
     * Whether this is the default target.
     *
     * @return true for {@link Default}
     */
    default boolean isDefault() {
        return this instanceof Default;
    }
}
