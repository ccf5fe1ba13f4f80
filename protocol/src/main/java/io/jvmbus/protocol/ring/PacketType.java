package io.jvmbus.protocol.ring;

/**
 * Packet types ({@code enum vmbus_packet_type}), the u16 at offset 0 of every {@link PacketDescriptorLayout}. Codes
 * are stable wire values. A ring reader accepts {@link #DATA_INBAND}, {@link #DATA_USING_TRANSFER_PAGES},
 * {@link #DATA_USING_GPA_DIRECT} and {@link #COMPLETION} (as the reference does); the others are named for
 * diagnostics.
 */
public enum PacketType {
    /** 0x0: invalid. */
    INVALID(0x0),
    /** 0x1: synch. */
    SYNCH(0x1),
    /** 0x2: add a transfer page set. */
    ADD_TRANSFER_PAGE_SET(0x2),
    /** 0x3: remove a transfer page set. */
    REMOVE_TRANSFER_PAGE_SET(0x3),
    /** 0x4: establish a GPADL in-band. */
    ESTABLISH_GPADL(0x4),
    /** 0x5: tear down a GPADL in-band. */
    TEARDOWN_GPADL(0x5),
    /** 0x6: data in the packet itself; what every Linux driver sends. */
    DATA_INBAND(0x6),
    /** 0x7: data in transfer pages ({@link TransferPageHeaderLayout}); netvsc receive. */
    DATA_USING_TRANSFER_PAGES(0x7),
    /** 0x8: data through a GPADL. */
    DATA_USING_GPADL(0x8),
    /** 0x9: data at guest physical addresses ({@link GpaDirectHeaderLayout}); storvsc, netvsc send. */
    DATA_USING_GPA_DIRECT(0x9),
    /** 0xa: cancel a request. */
    CANCEL_REQUEST(0xa),
    /** 0xb: completion of a request, echoing its trans_id. */
    COMPLETION(0xb),
    /** 0xc: data with an additional packet. */
    DATA_USING_ADDITIONAL_PACKET(0xc),
    /** 0xd: additional data. */
    ADDITIONAL_DATA(0xd);

    private static final PacketType[] BY_CODE = values();

    private final int code;

    PacketType(final int code) {
        this.code = code;
    }

    /**
     * The wire value.
     *
     * @return the u16 type code
     */
    public int code() {
        return code;
    }

    /**
     * Looks a code up without allocating.
     *
     * @param code a u16 type code as read from a descriptor
     * @return the type, or {@code null} for a code outside 0..0xd
     */
    public static PacketType of(final int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * Whether a ring reader accepts packets of this code.
     *
     * @param code a u16 type code
     * @return true for in-band, transfer-page, GPA-direct and completion packets
     */
    public static boolean isAccepted(final int code) {
        return code == DATA_INBAND.code
                || code == DATA_USING_TRANSFER_PAGES.code
                || code == DATA_USING_GPA_DIRECT.code
                || code == COMPLETION.code;
    }
}
