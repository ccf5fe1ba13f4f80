package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.GpaRange;
import java.util.List;
import java.util.Objects;

/**
 * What the core asks a channel's device to do. Every request must be answered through the matching completion
 * method of {@link ChannelServer}, with the same {@link OfferId}, unless the offer is revoked first.
 */
public sealed interface DeviceRequest {

    /**
     * Open the channel; answer with {@link ChannelServer#completeOpen}.
     *
     * @param params the resolved open parameters
     * @param version the connection's version and flags (the reserved open's for a reserved channel)
     */
    record Open(OpenParams params, VersionInfo version) implements DeviceRequest {
        /** Validates the fields. */
        public Open {
            Objects.requireNonNull(params, "params");
            Objects.requireNonNull(version, "version");
        }
    }

    /** Close the channel; answer with {@link ChannelServer#completeClose}. */
    record Close() implements DeviceRequest {}

    /**
     * Map a complete, validated GPADL; answer with {@link ChannelServer#completeGpadlCreate}.
     *
     * @param gpadlId the guest's id
     * @param rangeCount the number of ranges
     * @param data the range data as sent (whole little-endian u64 words, trailing words included)
     * @param ranges the parsed ranges
     */
    record CreateGpadl(int gpadlId, int rangeCount, Blob data, List<GpaRange> ranges) implements DeviceRequest {
        /** Copies the list. */
        public CreateGpadl {
            Objects.requireNonNull(data, "data");
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * Unmap a GPADL once no view of it is in use; answer with {@link ChannelServer#completeGpadlTeardown}.
     *
     * @param gpadlId the guest's id
     * @param postRestore the device already holds it from its own restore
     */
    record TeardownGpadl(int gpadlId, boolean postRestore) implements DeviceRequest {}

    /**
     * Move host-to-guest interrupts to another VP; answer with {@link ChannelServer#completeModifyChannel}.
     *
     * @param targetVp the new VP
     */
    record Modify(int targetVp) implements DeviceRequest {}

    /** The shared close request. */
    Close CLOSE = new Close();
}
