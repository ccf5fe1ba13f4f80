package io.jvmbus.protocol;

import java.util.Optional;

/**
 * The eleven VMBus protocol versions, each {@code (major << 16) | minor}. Only these exact values are accepted: there
 * are no ranges and no "closest match".
 */
public enum ProtocolVersion {
    /** 0.13, Windows Server 2008: interrupt page, no dedicated interrupts. */
    V1(0x0000000D, "0.13"),
    /** 1.1, Windows 7: interrupt page still used host to guest. */
    WIN7(0x00010001, "1.1"),
    /** 2.4, Windows 8: dedicated interrupts; the interrupt page is ignored from here on. */
    WIN8(0x00020004, "2.4"),
    /** 3.0, Windows 8.1: {@code target_message_vp} honoured. */
    WIN8_1(0x00030000, "3.0"),
    /** 4.0, Windows 10: reserved channels, TL connect request. */
    WIN10(0x00040000, "4.0"),
    /** 4.1, Windows 10 RS3: MODIFY_CHANNEL, TL connect result. */
    WIN10_RS3_0(0x00040001, "4.1"),
    /** 5.0, Windows 10 RS3: multiclient SINT; VERSION_RESPONSE carries the connection id. */
    WIN10_RS3_1(0x00050000, "5.0"),
    /** 5.1, Windows 10 RS4: multiclient VTL. */
    WIN10_RS4(0x00050001, "5.1"),
    /** 5.2, Windows 10 RS5: TL_CONNECT_REQUEST with a silo id. */
    WIN10_RS5(0x00050002, "5.2"),
    /** 5.3, Iron (Windows Server 2022): MODIFY_CHANNEL_RESPONSE. */
    IRON(0x00050003, "5.3"),
    /** 6.0, Copper: feature flags, InitiateContact2, VersionResponse2/3, OpenChannel2. */
    COPPER(0x00060000, "6.0");

    private final int code;
    private final String text;

    ProtocolVersion(final int code, final String text) {
        this.code = code;
        this.text = text;
    }

    /**
     * The wire value.
     *
     * @return {@code (major << 16) | minor}
     */
    public int code() {
        return code;
    }

    /**
     * The dotted form, e.g. {@code "5.3"}.
     *
     * @return major.minor
     */
    public String text() {
        return text;
    }

    /**
     * Whether this version is at least {@code other}.
     *
     * @param other the version to compare with
     * @return {@code this >= other}
     */
    public boolean atLeast(final ProtocolVersion other) {
        return compareTo(other) >= 0;
    }

    /**
     * Looks a wire value up.
     *
     * @param code the requested version word
     * @return the version, or empty if it is not one of the eleven
     */
    public static Optional<ProtocolVersion> of(final int code) {
        for (final ProtocolVersion v : values()) {
            if (v.code == code) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * Looks a dotted version up.
     *
     * @param text e.g. {@code "5.3"}
     * @return the version, or empty if it is not one of the eleven
     */
    public static Optional<ProtocolVersion> ofText(final String text) {
        for (final ProtocolVersion v : values()) {
            if (v.text.equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * Linux 6.1's fallback order: the versions it tries, newest first (it never tries 1.1 or 0.13).
     *
     * @return 5.3, 5.2, 5.1, 5.0, 4.1, 4.0, 3.0, 2.4
     */
    public static ProtocolVersion[] linuxFallbackOrder() {
        return new ProtocolVersion[] {IRON, WIN10_RS5, WIN10_RS4, WIN10_RS3_1, WIN10_RS3_0, WIN10, WIN8_1, WIN8};
    }

    @Override
    public String toString() {
        return name() + "(" + text + ")";
    }
}
