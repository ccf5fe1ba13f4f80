package io.jvmbus.protocol.message.layout;

/**
 * Layout of INITIATE_CONTACT in its 56-byte form (InitiateContact2, message 14): {@link InitiateContactLayout}
 * followed by a client GUID. Selected when the payload is at least 48 bytes. Offsets are absolute, header
 * included. Linux 6.1 has no such struct.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            40 | InitiateContact                              |
 *       40      +----------------------------------------------+
 *            16 | client_id GUID                               |
 *       56      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class InitiateContact2Layout {

    /** Offset of {@code InitiateContact}: the 40-byte form, header included ({@link InitiateContactLayout}). */
    public static final int INITIATE_CONTACT_OFFSET = 0;

    /** Size of {@code InitiateContact}. */
    public static final int INITIATE_CONTACT_SIZE = InitiateContactLayout.SIZE;

    /** Offset of {@code client_id}: client GUID, meaningful only with feature 0x8. */
    public static final int CLIENT_ID_OFFSET = INITIATE_CONTACT_OFFSET + INITIATE_CONTACT_SIZE;

    /** Size of {@code client_id}. */
    public static final int CLIENT_ID_SIZE = 16;

    /** Size of the structure. */
    public static final int SIZE = CLIENT_ID_OFFSET + CLIENT_ID_SIZE;

    private InitiateContact2Layout() {}
}
