package io.jvmbus.protocol;

/**
 * The u16 {@code flags} field of OpenChannel2. Only bit 0 is defined; the reference server forces every other bit to
 * zero, and honours bit 0 only when {@link FeatureFlags#CHANNEL_INTERRUPT_REDIRECTION} was negotiated.
 */
public final class OpenChannelFlags {

    /** Bit 0: send host-to-guest interrupts to the redirect VTL/SINT. */
    public static final int REDIRECT_INTERRUPT = 0x0001;
    /** Every defined bit. */
    public static final int ALL_DEFINED = REDIRECT_INTERRUPT;

    private OpenChannelFlags() {}

    /**
     * Drops the undefined bits.
     *
     * @param flags the raw field
     * @return {@code flags & 1}
     */
    public static int defined(final int flags) {
        return flags & ALL_DEFINED;
    }

    /**
     * Whether redirect_interrupt is set.
     *
     * @param flags the raw field
     * @return bit 0
     */
    public static boolean redirectInterrupt(final int flags) {
        return (flags & REDIRECT_INTERRUPT) != 0;
    }

    /**
     * The flags that take effect on a connection: none unless interrupt redirection was negotiated, and then only the
     * defined bits.
     *
     * @param flags the raw field
     * @param negotiatedFeatures the connection's feature flags
     * @return the effective flags
     */
    public static int effective(final int flags, final int negotiatedFeatures) {
        return FeatureFlags.has(negotiatedFeatures, FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION) ? defined(flags) : 0;
    }
}
