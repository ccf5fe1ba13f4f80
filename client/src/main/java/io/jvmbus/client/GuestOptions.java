package io.jvmbus.client;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import java.util.List;
import java.util.Objects;

/**
 * How the guest behaves: which kind of VMBus client it plays, which versions it tries in which order, and the values
 * it puts into its requests.
 *
 * @param style the client it imitates
 * @param versions versions to try, first to last (each tried once; a refusal or an invalid connection id moves on)
 * @param featureFlags feature flags requested in a Copper (6.0) InitiateContact
 * @param clientId the client GUID of the 56-byte InitiateContact2 (Copper style only)
 * @param vp the VP the guest posts from and asks the host to target (Linux: the VP of CPU 0)
 * @param sint the SINT host messages go to (2)
 * @param contactConnectionId where INITIATE_CONTACT goes for versions 5.0 and later (Linux: 4)
 * @param firstGpadlId the first GPADL id (Linux: 0xE1E10)
 * @param autoReleaseRescinded whether a rescinded channel is closed (if open) and released (RELID_RELEASED) at once
 * @param maxOutgoingPacket the host reader's limit for one guest&rarr;host packet, descriptor included
 */
public record GuestOptions(
        Style style,
        List<ProtocolVersion> versions,
        int featureFlags,
        Guid clientId,
        int vp,
        int sint,
        int contactConnectionId,
        int firstGpadlId,
        boolean autoReleaseRescinded,
        int maxOutgoingPacket) {

    /** Linux's first GPADL handle ({@code next_gpadl_handle} starts at 0xE1E10). */
    public static final int LINUX_FIRST_GPADL_ID = 0xE1E10;

    /** The flags OpenVMM's client requests with Copper: 0x2F. */
    public static final int COPPER_CLIENT_FLAGS = FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS
            | FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION
            | FeatureFlags.MODIFY_CONNECTION
            | FeatureFlags.CLIENT_ID
            | FeatureFlags.PAUSE_RESUME;

    /** Which client's behaviour to imitate. */
    public enum Style {
        /** Linux hv_vmbus: 40-byte INITIATE_CONTACT, 5.3 down to 2.4, OPENCHANNEL with openid = relid. */
        LINUX,
        /** OpenVMM's client: Copper with feature flags and a client id (56 bytes), OpenChannel2 when negotiated. */
        COPPER,
        /** UEFI firmware: Windows 10 (4.0) only, connection id 1, reserved channels, UNLOAD before handing over. */
        UEFI
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException for an empty version list
     */
    public GuestOptions {
        Objects.requireNonNull(style, "style");
        Objects.requireNonNull(clientId, "clientId");
        versions = List.copyOf(versions);
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("versions=[] (expected: at least one version to try)");
        }
        if (maxOutgoingPacket < 16) {
            throw new IllegalArgumentException("maxOutgoingPacket=" + maxOutgoingPacket + " (expected: >= 16)");
        }
    }

    /**
     * Linux 6.1: 5.3, 5.2, 5.1, 5.0, 4.1, 4.0, 3.0, 2.4.
     *
     * @return the options
     */
    public static GuestOptions linux() {
        return new GuestOptions(
                Style.LINUX,
                List.of(ProtocolVersion.linuxFallbackOrder()),
                0,
                Guid.ZERO,
                0,
                ConnectionIds.VMBUS_SINT,
                ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID,
                LINUX_FIRST_GPADL_ID,
                true,
                16 * 1024);
    }

    /**
     * OpenVMM's client: Copper then Iron, flags 0x2F, the given client id.
     *
     * @param clientId the client GUID
     * @return the options
     */
    public static GuestOptions copper(final Guid clientId) {
        return new GuestOptions(
                Style.COPPER,
                List.of(ProtocolVersion.COPPER, ProtocolVersion.IRON),
                COPPER_CLIENT_FLAGS,
                clientId,
                0,
                ConnectionIds.VMBUS_SINT,
                ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID,
                1,
                true,
                16 * 1024);
    }

    /**
     * UEFI firmware: Windows 10 (4.0) only.
     *
     * @return the options
     */
    public static GuestOptions uefi() {
        return new GuestOptions(
                Style.UEFI,
                List.of(ProtocolVersion.WIN10),
                0,
                Guid.ZERO,
                0,
                ConnectionIds.VMBUS_SINT,
                ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID,
                0x1000,
                true,
                16 * 1024);
    }

    /**
     * The same options trying other versions.
     *
     * @param order versions, first to last
     * @return the options
     */
    public GuestOptions withVersions(final ProtocolVersion... order) {
        return new GuestOptions(
                style,
                List.of(order),
                featureFlags,
                clientId,
                vp,
                sint,
                contactConnectionId,
                firstGpadlId,
                autoReleaseRescinded,
                maxOutgoingPacket);
    }

    /**
     * The same options requesting other Copper feature flags.
     *
     * @param flags the flags
     * @return the options
     */
    public GuestOptions withFeatureFlags(final int flags) {
        return new GuestOptions(
                style,
                versions,
                flags,
                clientId,
                vp,
                sint,
                contactConnectionId,
                firstGpadlId,
                autoReleaseRescinded,
                maxOutgoingPacket);
    }

    /**
     * The same options with rescinded channels left for the caller to release.
     *
     * @param auto whether to release at once
     * @return the options
     */
    public GuestOptions withAutoReleaseRescinded(final boolean auto) {
        return new GuestOptions(
                style,
                versions,
                featureFlags,
                clientId,
                vp,
                sint,
                contactConnectionId,
                firstGpadlId,
                auto,
                maxOutgoingPacket);
    }
}
