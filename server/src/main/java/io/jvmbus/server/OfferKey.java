package io.jvmbus.server;

import io.jvmbus.protocol.Guid;
import java.util.Comparator;
import java.util.Objects;

/**
 * What identifies a channel across offers, revokes and servicing: interface id, instance id and subchannel index.
 * Ordered by interface, instance, then subchannel index, with GUIDs compared as {@link Guid#compareTo} does.
 *
 * @param interfaceId the device class
 * @param instanceId the device instance
 * @param subchannelIndex 0 for a primary channel, 1..65535 for subchannels
 */
public record OfferKey(Guid interfaceId, Guid instanceId, int subchannelIndex) implements Comparable<OfferKey> {

    private static final Comparator<OfferKey> ORDER = Comparator.comparing(OfferKey::interfaceId)
            .thenComparing(OfferKey::instanceId)
            .thenComparingInt(OfferKey::subchannelIndex);

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if the subchannel index is not a u16
     */
    public OfferKey {
        Objects.requireNonNull(interfaceId, "interfaceId");
        Objects.requireNonNull(instanceId, "instanceId");
        if ((subchannelIndex & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("subchannelIndex=" + subchannelIndex + " (expected: 0..65535)");
        }
    }

    @Override
    public int compareTo(final OfferKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return interfaceId + "/" + instanceId + (subchannelIndex == 0 ? "" : "#" + subchannelIndex);
    }
}
