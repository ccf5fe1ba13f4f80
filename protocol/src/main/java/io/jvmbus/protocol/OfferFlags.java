package io.jvmbus.protocol;

import java.util.StringJoiner;

/**
 * The u16 {@code flags} field of OFFER_CHANNEL ({@code chn_flags} in Linux). The constants carry the reference
 * server's names; where Linux 6.1 names a bit differently, an alias constant carries the Linux name with the same
 * value.
 */
public final class OfferFlags {

    /** Bit 0: the guest enumerates a device interface (Linux: ENUMERATE_DEVICE_INTERFACE). */
    public static final int ENUMERATE_DEVICE_INTERFACE = 0x0001;
    /** Bit 1: the ring must be encrypted on a hardware-isolated VM (Linux 2025 series: CONFIDENTIAL_RING_BUFFER). */
    public static final int CONFIDENTIAL_RING_BUFFER = 0x0002;
    /** Bit 1 under its Linux 6.1 name (SERVER_SUPPORTS_TRANSFER_PAGES); same bit as {@link #CONFIDENTIAL_RING_BUFFER}. */
    public static final int LINUX_SERVER_SUPPORTS_TRANSFER_PAGES = CONFIDENTIAL_RING_BUFFER;
    /** Bit 2: other GPADLs and GPA-direct memory must be encrypted (CONFIDENTIAL_EXTERNAL_MEMORY). */
    public static final int CONFIDENTIAL_EXTERNAL_MEMORY = 0x0004;
    /** Bit 2 under its Linux 6.1 name (SERVER_SUPPORTS_GPADLS); same bit as {@link #CONFIDENTIAL_EXTERNAL_MEMORY}. */
    public static final int LINUX_SERVER_SUPPORTS_GPADLS = CONFIDENTIAL_EXTERNAL_MEMORY;
    /** Bit 3: external memory must be pinned (meaningful only with feature gpa_pinning). */
    public static final int REQUIRE_PINNED_EXTERNAL_MEMORY = 0x0008;
    /** Bit 4: the channel is a pipe; user_defined holds pipe parameters (Linux: NAMED_PIPE_MODE). */
    public static final int NAMED_PIPE_MODE = 0x0010;
    /** Bit 8: Linux LOOPBACK_OFFER (never set by the reference server). */
    public static final int LINUX_LOOPBACK_OFFER = 0x0100;
    /** Bit 9: Linux PARENT_OFFER (never set by the reference server). */
    public static final int LINUX_PARENT_OFFER = 0x0200;
    /** Bit 10: Linux REQUEST_MONITORED_NOTIFICATION (never set by the reference server). */
    public static final int LINUX_REQUEST_MONITORED_NOTIFICATION = 0x0400;
    /** Bit 13: a Hyper-V socket offer; user_defined holds hvsocket parameters (Linux: TLNPI_PROVIDER_OFFER). */
    public static final int TLNPI_PROVIDER = 0x2000;

    /** The bits the reference server defines (0, 1, 2, 3, 4, 13). */
    public static final int REFERENCE_DEFINED = ENUMERATE_DEVICE_INTERFACE
            | CONFIDENTIAL_RING_BUFFER
            | CONFIDENTIAL_EXTERNAL_MEMORY
            | REQUIRE_PINNED_EXTERNAL_MEMORY
            | NAMED_PIPE_MODE
            | TLNPI_PROVIDER;

    /** Flags of a plain device offer. */
    public static final int DEVICE = 0;
    /** Flags of a device offer with pipe packets (user_defined: pipe type MESSAGE). */
    public static final int DEVICE_PIPE_PACKETS = NAMED_PIPE_MODE;
    /** Flags of an interface offer (user_defined: the interface's 120 bytes). */
    public static final int INTERFACE = ENUMERATE_DEVICE_INTERFACE;
    /** Flags of a pipe offer (user_defined: {@link PipeParameters}). */
    public static final int PIPE = ENUMERATE_DEVICE_INTERFACE | NAMED_PIPE_MODE;
    /** Flags of a Hyper-V socket offer (user_defined: {@link HvSocketParameters}). */
    public static final int HVSOCKET = ENUMERATE_DEVICE_INTERFACE | TLNPI_PROVIDER | NAMED_PIPE_MODE;

    private static final String[] NAMES = new String[16];

    static {
        NAMES[0] = "enumerate_device_interface";
        NAMES[1] = "confidential_ring_buffer";
        NAMES[2] = "confidential_external_memory";
        NAMES[3] = "require_pinned_external_memory";
        NAMES[4] = "named_pipe_mode";
        NAMES[8] = "loopback_offer";
        NAMES[9] = "parent_offer";
        NAMES[10] = "request_monitored_notification";
        NAMES[13] = "tlnpi_provider";
    }

    private OfferFlags() {}

    /**
     * Whether every bit of {@code mask} is set.
     *
     * @param flags the flags
     * @param mask the bits
     * @return true if all are set
     */
    public static boolean has(final int flags, final int mask) {
        return (flags & mask) == mask;
    }

    /**
     * Clears the bits whose meaning depends on a feature flag that was not negotiated, as the reference server does
     * before sending an offer: the confidential bits unless {@link FeatureFlags#CONFIDENTIAL_CHANNELS}, the pinning
     * bit unless {@link FeatureFlags#GPA_PINNING}.
     *
     * @param flags the offer's flags
     * @param negotiatedFeatures the connection's feature flags
     * @return the flags to put on the wire
     */
    public static int forConnection(final int flags, final int negotiatedFeatures) {
        int out = flags & 0xFFFF;
        if (!FeatureFlags.has(negotiatedFeatures, FeatureFlags.CONFIDENTIAL_CHANNELS)) {
            out &= ~(CONFIDENTIAL_RING_BUFFER | CONFIDENTIAL_EXTERNAL_MEMORY);
        }
        if (!FeatureFlags.has(negotiatedFeatures, FeatureFlags.GPA_PINNING)) {
            out &= ~REQUIRE_PINNED_EXTERNAL_MEMORY;
        }
        return out;
    }

    /**
     * A readable list of the set flags (reference names, Linux names for the Linux-only bits), unknown bits in hex.
     *
     * @param flags the flags
     * @return e.g. {@code "enumerate_device_interface|named_pipe_mode"}, or {@code "none"}
     */
    public static String describe(final int flags) {
        if (flags == 0) {
            return "none";
        }
        final StringJoiner joiner = new StringJoiner("|");
        int unknown = 0;
        for (int bit = 0; bit < 32; bit++) {
            final int mask = 1 << bit;
            if ((flags & mask) != 0) {
                if (bit < NAMES.length && NAMES[bit] != null) {
                    joiner.add(NAMES[bit]);
                } else {
                    unknown |= mask;
                }
            }
        }
        if (unknown != 0) {
            joiner.add(String.format("0x%x", unknown));
        }
        return joiner.toString();
    }
}
