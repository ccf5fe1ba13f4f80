package io.jvmbus.client;

/** Hypervisor status codes a post can return (TLFS {@code HV_STATUS_*}). */
public final class HvStatus {

    /** The message was accepted. */
    public static final int SUCCESS = 0;

    /** A parameter was invalid (e.g. a payload over 240 bytes). */
    public static final int INVALID_PARAMETER = 5;

    /** No port with that id. */
    public static final int INVALID_PORT_ID = 0x11;

    /** No connection with that id; Linux then tries the next lower version. */
    public static final int INVALID_CONNECTION_ID = 0x12;

    /** The host's message buffers are full; the guest retries. */
    public static final int INSUFFICIENT_BUFFERS = 0x13;

    private HvStatus() {}

    /**
     * A name for logs.
     *
     * @param status the status
     * @return its name, or the number
     */
    public static String describe(final int status) {
        return switch (status) {
            case SUCCESS -> "SUCCESS";
            case INVALID_PARAMETER -> "INVALID_PARAMETER";
            case INVALID_PORT_ID -> "INVALID_PORT_ID";
            case INVALID_CONNECTION_ID -> "INVALID_CONNECTION_ID";
            case INSUFFICIENT_BUFFERS -> "INSUFFICIENT_BUFFERS";
            default -> "status " + status;
        };
    }
}
