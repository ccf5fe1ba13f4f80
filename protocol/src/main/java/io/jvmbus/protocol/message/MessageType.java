package io.jvmbus.protocol.message;

import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.ProtocolVersion;

/**
 * The 29 VMBus channel-management message numbers, with the gates the reference parser applies: the minimum
 * negotiated version ({@code null} = the message parses even with no connection) and a required feature flag.
 */
public enum MessageType {
    /** 1: host offers a channel. */
    OFFER_CHANNEL(1, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 2: host withdraws an offer. */
    RESCIND_CHANNEL_OFFER(2, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 3: guest asks for every offer. */
    REQUEST_OFFERS(3, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 4: host has sent every offer. */
    ALL_OFFERS_DELIVERED(4, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 5: guest opens a channel (OpenChannel or OpenChannel2). */
    OPEN_CHANNEL(5, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 6: host answers an open. */
    OPEN_CHANNEL_RESULT(6, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 7: guest closes a channel (no answer). */
    CLOSE_CHANNEL(7, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 8: guest starts a GPADL. */
    GPADL_HEADER(8, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 9: guest continues a GPADL. */
    GPADL_BODY(9, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 10: host answers a GPADL. */
    GPADL_CREATED(10, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 11: guest tears a GPADL down. */
    GPADL_TEARDOWN(11, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 12: host answers a teardown. */
    GPADL_TORNDOWN(12, Direction.HOST_TO_GUEST, ProtocolVersion.V1, 0),
    /** 13: guest releases a channel id. */
    REL_ID_RELEASED(13, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 14: guest asks for a protocol version. */
    INITIATE_CONTACT(14, Direction.GUEST_TO_HOST, null, 0),
    /** 15: host answers a version request. */
    VERSION_RESPONSE(15, Direction.HOST_TO_GUEST, null, 0),
    /** 16: guest disconnects. */
    UNLOAD(16, Direction.GUEST_TO_HOST, ProtocolVersion.V1, 0),
    /** 17: host confirms the disconnect. */
    UNLOAD_COMPLETE(17, Direction.HOST_TO_GUEST, ProtocolVersion.WIN7, 0),
    /** 18: guest opens a reserved channel. */
    OPEN_RESERVED_CHANNEL(18, Direction.GUEST_TO_HOST, ProtocolVersion.WIN10, 0),
    /** 19: guest closes a reserved channel; legal in every connection state. */
    CLOSE_RESERVED_CHANNEL(19, Direction.GUEST_TO_HOST, null, 0),
    /** 20: host confirms a reserved close. */
    CLOSE_RESERVED_RESPONSE(20, Direction.HOST_TO_GUEST, ProtocolVersion.WIN10, 0),
    /** 21: guest asks for a Hyper-V socket connection. */
    TL_CONNECT_REQUEST(21, Direction.GUEST_TO_HOST, ProtocolVersion.WIN10, 0),
    /** 22: guest retargets a channel's interrupt VP. */
    MODIFY_CHANNEL(22, Direction.GUEST_TO_HOST, ProtocolVersion.WIN10_RS3_0, 0),
    /** 23: host reports a failed socket connection. */
    TL_CONNECT_REQUEST_RESULT(23, Direction.HOST_TO_GUEST, ProtocolVersion.WIN10_RS3_0, 0),
    /** 24: host answers a MODIFY_CHANNEL. */
    MODIFY_CHANNEL_RESPONSE(24, Direction.HOST_TO_GUEST, ProtocolVersion.IRON, 0),
    /** 25: guest changes its monitor pages. */
    MODIFY_CONNECTION(25, Direction.GUEST_TO_HOST, ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION),
    /** 26: host answers a MODIFY_CONNECTION. */
    MODIFY_CONNECTION_RESPONSE(26, Direction.HOST_TO_GUEST, ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION),
    /** 27: guest pauses host messages. */
    PAUSE(27, Direction.GUEST_TO_HOST, ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME),
    /** 28: host confirms the pause. */
    PAUSE_RESPONSE(28, Direction.HOST_TO_GUEST, ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME),
    /** 29: guest resumes host messages. */
    RESUME(29, Direction.GUEST_TO_HOST, ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME);

    private static final MessageType[] BY_NUMBER = new MessageType[30];

    static {
        for (final MessageType t : values()) {
            BY_NUMBER[t.number] = t;
        }
    }

    private final int number;
    private final Direction direction;
    private final ProtocolVersion minVersion;
    private final int requiredFeature;

    MessageType(
            final int number, final Direction direction, final ProtocolVersion minVersion, final int requiredFeature) {
        this.number = number;
        this.direction = direction;
        this.minVersion = minVersion;
        this.requiredFeature = requiredFeature;
    }

    /**
     * The wire number.
     *
     * @return 1..29
     */
    public int number() {
        return number;
    }

    /**
     * Who sends it.
     *
     * @return the direction
     */
    public Direction direction() {
        return direction;
    }

    /**
     * The minimum negotiated version at which it parses, or {@code null} if it parses with no connection at all
     * (INITIATE_CONTACT, VERSION_RESPONSE, CLOSE_RESERVED_CHANNEL).
     *
     * @return the version gate
     */
    public ProtocolVersion minVersion() {
        return minVersion;
    }

    /**
     * Whether it parses while no version is negotiated.
     *
     * @return true for 14, 15 and 19
     */
    public boolean allowedWhenDisconnected() {
        return minVersion == null;
    }

    /**
     * The feature flag that must be negotiated, or 0.
     *
     * @return the flag bit
     */
    public int requiredFeature() {
        return requiredFeature;
    }

    /**
     * Looks a wire number up.
     *
     * @param number the message_type field
     * @return the type, or {@code null} if the number is not 1..29
     */
    public static MessageType of(final int number) {
        return number >= 1 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
