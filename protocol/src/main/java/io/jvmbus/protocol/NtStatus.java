package io.jvmbus.protocol;

/** The NT status values VMBus messages carry (signed 32-bit; negative means failure). */
public final class NtStatus {

    /** STATUS_SUCCESS. */
    public static final int SUCCESS = 0;
    /** STATUS_UNSUCCESSFUL (0x8000FFFF). */
    public static final int UNSUCCESSFUL = 0x8000FFFF;
    /** STATUS_CONNECTION_REFUSED (0xC0000236), the only status of a TL connect result. */
    public static final int CONNECTION_REFUSED = 0xC0000236;

    private NtStatus() {}

    /**
     * Whether a status means success (non-negative as a signed value).
     *
     * @param status the status
     * @return {@code status >= 0}
     */
    public static boolean isSuccess(final int status) {
        return status >= 0;
    }
}
