package io.jvmbus.protocol;

import io.jvmbus.protocol.message.layout.HvSocketParametersLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Hyper-V socket parameters an offer with {@link OfferFlags#TLNPI_PROVIDER} carries in its {@code user_defined}
 * field (layout: {@link HvSocketParametersLayout}; the remaining bytes are zero).
 *
 * @param pipeType pipe_type u32 (the reference always writes {@link PipeParameters#PIPE_TYPE_BYTE})
 * @param isForGuestAccept is_for_guest_accept u8 (1 when the guest connected to a host service)
 * @param isForGuestContainer is_for_guest_container u8
 * @param version {@link #VERSION_PRE_RS5} or {@link #VERSION_RS5} (u32)
 * @param siloId the silo GUID (zero for none)
 */
public record HvSocketParameters(
        int pipeType, int isForGuestAccept, int isForGuestContainer, int version, Guid siloId) {

    /** version before RS5: no silo id. */
    public static final int VERSION_PRE_RS5 = 0;
    /** version RS5: carries a silo id (what the reference server writes). */
    public static final int VERSION_RS5 = 1;

    /**
     * Checks the u8 fields.
     *
     * @throws IllegalArgumentException if a u8 field is out of range
     */
    public HvSocketParameters {
        Objects.requireNonNull(siloId, "siloId");
        if ((isForGuestAccept & ~0xFF) != 0) {
            throw new IllegalArgumentException("isForGuestAccept=" + isForGuestAccept + " (expected: 0..255)");
        }
        if ((isForGuestContainer & ~0xFF) != 0) {
            throw new IllegalArgumentException("isForGuestContainer=" + isForGuestContainer + " (expected: 0..255)");
        }
    }

    /**
     * The parameters the reference server writes for a Hyper-V socket offer: pipe type BYTE, version RS5.
     *
     * @param isConnect the offer answers a guest's connect request (is_for_guest_accept)
     * @param isForContainer the socket is for a container
     * @param siloId the silo id
     * @return the parameters
     */
    public static HvSocketParameters of(final boolean isConnect, final boolean isForContainer, final Guid siloId) {
        return new HvSocketParameters(
                PipeParameters.PIPE_TYPE_BYTE, isConnect ? 1 : 0, isForContainer ? 1 : 0, VERSION_RS5, siloId);
    }

    /**
     * Reads the hvsocket interpretation of a user_defined field. Every 120-byte input has one.
     *
     * @param userDefined the field
     * @return the parameters
     * @throws IllegalArgumentException if {@code userDefined} is not 120 bytes
     */
    public static HvSocketParameters decode(final Blob userDefined) {
        if (userDefined.length() != HvSocketParametersLayout.USER_DEFINED_SIZE) {
            throw new IllegalArgumentException("user_defined length=" + userDefined.length() + " (expected: "
                    + HvSocketParametersLayout.USER_DEFINED_SIZE + ")");
        }
        final ByteBuffer b = ByteBuffer.wrap(userDefined.toArray()).order(ByteOrder.LITTLE_ENDIAN);
        return new HvSocketParameters(
                b.getInt(HvSocketParametersLayout.PIPE_TYPE_OFFSET),
                Byte.toUnsignedInt(b.get(HvSocketParametersLayout.IS_FOR_GUEST_ACCEPT_OFFSET)),
                Byte.toUnsignedInt(b.get(HvSocketParametersLayout.IS_FOR_GUEST_CONTAINER_OFFSET)),
                b.getInt(HvSocketParametersLayout.VERSION_OFFSET),
                Guid.read(b, HvSocketParametersLayout.SILO_ID_OFFSET));
    }

    /**
     * Whether is_for_guest_accept is set.
     *
     * @return true if non-zero
     */
    public boolean forGuestAccept() {
        return isForGuestAccept != 0;
    }

    /**
     * Whether is_for_guest_container is set.
     *
     * @return true if non-zero
     */
    public boolean forGuestContainer() {
        return isForGuestContainer != 0;
    }

    /**
     * The 120-byte user_defined field.
     *
     * @return the bytes
     */
    public Blob encode() {
        final ByteBuffer b =
                ByteBuffer.allocate(HvSocketParametersLayout.USER_DEFINED_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HvSocketParametersLayout.PIPE_TYPE_OFFSET, pipeType);
        b.put(HvSocketParametersLayout.IS_FOR_GUEST_ACCEPT_OFFSET, (byte) isForGuestAccept);
        b.put(HvSocketParametersLayout.IS_FOR_GUEST_CONTAINER_OFFSET, (byte) isForGuestContainer);
        b.putInt(HvSocketParametersLayout.VERSION_OFFSET, version);
        siloId.write(b, HvSocketParametersLayout.SILO_ID_OFFSET);
        return Blob.of(b.array());
    }
}
