package io.jvmbus.protocol;

import io.jvmbus.protocol.message.layout.PipeParametersLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The pipe parameters an offer with {@link OfferFlags#NAMED_PIPE_MODE} carries in its 120-byte {@code user_defined}
 * field (layout: {@link PipeParametersLayout}).
 *
 * @param pipeType {@link #PIPE_TYPE_BYTE} or {@link #PIPE_TYPE_MESSAGE} (any u32 is carried as is)
 * @param providerData the 112 provider-specific bytes
 * @param pipeFlags pipe flags ({@link #PIPE_FLAG_GPA_DIRECT})
 */
public record PipeParameters(int pipeType, Blob providerData, int pipeFlags) {

    /** pipe_type of a byte-stream pipe. */
    public static final int PIPE_TYPE_BYTE = 0;
    /** pipe_type of a message pipe. */
    public static final int PIPE_TYPE_MESSAGE = 4;
    /** pipe_flags bit 0: the pipe uses GPA-direct packets. */
    public static final int PIPE_FLAG_GPA_DIRECT = 0x1;

    /**
     * Checks the provider data length.
     *
     * @throws IllegalArgumentException if {@code providerData} is not 112 bytes
     */
    public PipeParameters {
        Objects.requireNonNull(providerData, "providerData");
        if (providerData.length() != PipeParametersLayout.PROVIDER_DATA_SIZE) {
            throw new IllegalArgumentException("providerData length=" + providerData.length() + " (expected: "
                    + PipeParametersLayout.PROVIDER_DATA_SIZE + ")");
        }
    }

    /**
     * Parameters of a device offer with pipe packets: type MESSAGE, everything else zero.
     *
     * @return the parameters
     */
    public static PipeParameters messageMode() {
        return new PipeParameters(PIPE_TYPE_MESSAGE, Blob.zeros(PipeParametersLayout.PROVIDER_DATA_SIZE), 0);
    }

    /**
     * Reads the pipe interpretation of a user_defined field. Every 120-byte input has one.
     *
     * @param userDefined the field
     * @return the parameters
     * @throws IllegalArgumentException if {@code userDefined} is not 120 bytes
     */
    public static PipeParameters decode(final Blob userDefined) {
        final ByteBuffer b = wrap(userDefined);
        final byte[] provider = new byte[PipeParametersLayout.PROVIDER_DATA_SIZE];
        b.get(PipeParametersLayout.PROVIDER_DATA_OFFSET, provider);
        return new PipeParameters(
                b.getInt(PipeParametersLayout.PIPE_TYPE_OFFSET),
                Blob.of(provider),
                b.getInt(PipeParametersLayout.PIPE_FLAGS_OFFSET));
    }

    /**
     * The 120-byte user_defined field.
     *
     * @return the bytes
     */
    public Blob encode() {
        final ByteBuffer b = ByteBuffer.allocate(PipeParametersLayout.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(PipeParametersLayout.PIPE_TYPE_OFFSET, pipeType);
        providerData.copyTo(b, PipeParametersLayout.PROVIDER_DATA_OFFSET);
        b.putInt(PipeParametersLayout.PIPE_FLAGS_OFFSET, pipeFlags);
        return Blob.of(b.array());
    }

    private static ByteBuffer wrap(final Blob userDefined) {
        if (userDefined.length() != PipeParametersLayout.SIZE) {
            throw new IllegalArgumentException(
                    "user_defined length=" + userDefined.length() + " (expected: " + PipeParametersLayout.SIZE + ")");
        }
        return ByteBuffer.wrap(userDefined.toArray()).order(ByteOrder.LITTLE_ENDIAN);
    }
}
