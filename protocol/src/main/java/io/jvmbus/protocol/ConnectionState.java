package io.jvmbus.protocol;

/** The {@code connection_state} codes of VERSION_RESPONSE and MODIFY_CONNECTION_RESPONSE (u8). */
public final class ConnectionState {

    /** The connection (or modification) succeeded. */
    public static final int SUCCESSFUL = 0;
    /** Failed for lack of resources. */
    public static final int FAILED_LOW_RESOURCES = 1;
    /** Failed for another reason. */
    public static final int FAILED_UNKNOWN_FAILURE = 2;

    private ConnectionState() {}
}
