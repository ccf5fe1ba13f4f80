package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.GpaRange;
import java.util.List;
import java.util.Objects;

/**
 * A complete GPADL handed to a device that claims its restored channel.
 *
 * @param gpadlId the guest's id
 * @param rangeCount the number of ranges
 * @param data the range data (whole little-endian u64 words)
 * @param ranges the parsed ranges
 * @param state {@link GpadlState#ACCEPTED} or {@link GpadlState#TEARING_DOWN}: the device accepted it before the
 *     save and must map it again; {@link GpadlState#OFFERED} or {@link GpadlState#OFFERED_TEARING_DOWN}: its creation
 *     was re-sent to the device
 */
public record RestoredGpadl(int gpadlId, int rangeCount, Blob data, List<GpaRange> ranges, GpadlState state) {

    /** Copies the list. */
    public RestoredGpadl {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(state, "state");
        ranges = List.copyOf(ranges);
    }

    /**
     * Whether the device accepted it before the save (so the guest was told GPADL_CREATED).
     *
     * @return true for ACCEPTED and TEARING_DOWN
     */
    public boolean accepted() {
        return state == GpadlState.ACCEPTED || state == GpadlState.TEARING_DOWN;
    }
}
