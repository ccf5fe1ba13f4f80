package io.jvmbus.protocol;

import java.util.StringJoiner;

/**
 * The Copper (6.0) feature flags: a 32-bit field in InitiateContact's target info and VersionResponse2/3. Bits 8..31
 * are reserved and dropped silently.
 */
public final class FeatureFlags {

    /** Bit 0: the guest chooses the event flag and connection id at open (OpenChannel2 fields). */
    public static final int GUEST_SPECIFIED_SIGNAL_PARAMETERS = 0x01;
    /** Bit 1: {@code OpenChannelFlags.redirect_interrupt} is honoured. */
    public static final int CHANNEL_INTERRUPT_REDIRECTION = 0x02;
    /** Bit 2: MODIFY_CONNECTION and its response are allowed. */
    public static final int MODIFY_CONNECTION = 0x04;
    /** Bit 3: InitiateContact2 carries a client GUID. */
    public static final int CLIENT_ID = 0x08;
    /** Bit 4: confidential offer flags are meaningful; only for trusted connections. */
    public static final int CONFIDENTIAL_CHANNELS = 0x10;
    /** Bit 5: PAUSE, PAUSE_RESPONSE and RESUME are allowed. */
    public static final int PAUSE_RESUME = 0x20;
    /** Bit 6: the server may supply monitor pages in VersionResponse3. */
    public static final int SERVER_SPECIFIED_MONITOR_PAGES = 0x40;
    /** Bit 7: the offer flag require_pinned_external_memory is meaningful. */
    public static final int GPA_PINNING = 0x80;

    /** Every defined bit. */
    public static final int ALL_DEFINED = 0xFF;
    /** The set a server always supports (the reference's {@code SUPPORTED_FEATURE_FLAGS}). */
    public static final int ALWAYS_SUPPORTED = GUEST_SPECIFIED_SIGNAL_PARAMETERS
            | CHANNEL_INTERRUPT_REDIRECTION
            | MODIFY_CONNECTION
            | CLIENT_ID
            | PAUSE_RESUME
            | SERVER_SPECIFIED_MONITOR_PAGES;

    private static final String[] NAMES = {
        "guest_specified_signal_parameters",
        "channel_interrupt_redirection",
        "modify_connection",
        "client_id",
        "confidential_channels",
        "pause_resume",
        "server_specified_monitor_pages",
        "gpa_pinning"
    };

    private FeatureFlags() {}

    /**
     * Drops the reserved bits.
     *
     * @param flags raw flags from the wire
     * @return {@code flags & 0xFF}
     */
    public static int defined(final int flags) {
        return flags & ALL_DEFINED;
    }

    /**
     * Whether every bit of {@code mask} is set.
     *
     * @param flags the flags
     * @param mask the bits to test
     * @return true if all are set
     */
    public static boolean has(final int flags, final int mask) {
        return (flags & mask) == mask;
    }

    /**
     * A readable list of the set flags, unknown bits in hex.
     *
     * @param flags the flags
     * @return e.g. {@code "client_id|pause_resume"}, or {@code "none"}
     */
    public static String describe(final int flags) {
        if (flags == 0) {
            return "none";
        }
        final StringJoiner joiner = new StringJoiner("|");
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                joiner.add(NAMES[bit]);
            }
        }
        if ((flags & ~ALL_DEFINED) != 0) {
            joiner.add(String.format("0x%x", flags & ~ALL_DEFINED));
        }
        return joiner.toString();
    }
}
