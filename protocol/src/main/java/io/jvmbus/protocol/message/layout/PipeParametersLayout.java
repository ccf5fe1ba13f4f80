package io.jvmbus.protocol.message.layout;

/**
 * The pipe interpretation of the 120-byte {@code user_defined} field of OFFER_CHANNEL, used when the offer has
 * {@code NAMED_PIPE_MODE} (Linux: {@code offer.u.pipe}). Offsets are relative to the start of {@code user_defined}.
 *
 * <pre>
 *   0               4                                                  116             120
 *   +---------------+--------------------------------------------------+---------------+
 *   | pipe_type u32 |              provider data (112 bytes)           | pipe_flags u32|
 *   +---------------+--------------------------------------------------+---------------+
 * </pre>
 *
 * <p>pipe_type: BYTE = 0, MESSAGE = 4. pipe_flags bit 0: gpa_direct. Linux reads {@code pipe_mode} at 0 and treats
 * bytes 4..119 as opaque. Published once, inside the offer; never changed afterwards.
 */
public final class PipeParametersLayout {

    /** Offset of pipe_type (u32). */
    public static final int PIPE_TYPE_OFFSET = 0;
    /** Size of pipe_type. */
    public static final int PIPE_TYPE_SIZE = 4;
    /** Offset of the provider data. */
    public static final int PROVIDER_DATA_OFFSET = PIPE_TYPE_OFFSET + PIPE_TYPE_SIZE;
    /** Size of the provider data. */
    public static final int PROVIDER_DATA_SIZE = 112;
    /** Offset of pipe_flags (u32). */
    public static final int PIPE_FLAGS_OFFSET = PROVIDER_DATA_OFFSET + PROVIDER_DATA_SIZE;
    /** Size of pipe_flags. */
    public static final int PIPE_FLAGS_SIZE = 4;
    /** Total size: the whole user_defined field. */
    public static final int SIZE = PIPE_FLAGS_OFFSET + PIPE_FLAGS_SIZE;

    private PipeParametersLayout() {}
}
