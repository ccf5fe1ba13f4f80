package io.jvmbus.server;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage;
import java.util.Objects;

/**
 * What a device offers: everything the OFFER_CHANNEL message carries except the ids the server assigns, plus the
 * device's MNF use and ordering hint.
 *
 * @param interfaceName a name for diagnostics only
 * @param interfaceId the device class
 * @param instanceId the device instance
 * @param subchannelIndex 0 for a primary channel (u16)
 * @param mmioMegabytes MMIO the device needs (u16)
 * @param mmioMegabytesOptional optional MMIO (u16)
 * @param mnf monitored-notification use
 * @param offerOrder an ordering hint for channel id assignment, compared as unsigned; {@link #NO_ORDER} (= u64 max)
 *     when the device gives none
 * @param flags OFFER_CHANNEL flags (u16), before the server clears bits the connection did not negotiate
 * @param userDefined the 120 bytes of interface-specific data
 */
public record OfferParams(
        String interfaceName,
        Guid interfaceId,
        Guid instanceId,
        int subchannelIndex,
        int mmioMegabytes,
        int mmioMegabytesOptional,
        MnfUsage mnf,
        long offerOrder,
        int flags,
        Blob userDefined) {

    /** The offer order of an offer without one: u64 max, so it sorts after every explicit order. */
    public static final long NO_ORDER = -1L;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if a u16 field is out of range or the user data is not 120 bytes
     */
    public OfferParams {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(interfaceId, "interfaceId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(mnf, "mnf");
        Objects.requireNonNull(userDefined, "userDefined");
        u16("subchannelIndex", subchannelIndex);
        u16("mmioMegabytes", mmioMegabytes);
        u16("mmioMegabytesOptional", mmioMegabytesOptional);
        u16("flags", flags);
        if (userDefined.length() != ChannelMessage.USER_DEFINED_SIZE) {
            throw new IllegalArgumentException("userDefined length=" + userDefined.length() + " (expected: "
                    + ChannelMessage.USER_DEFINED_SIZE + ")");
        }
    }

    private static void u16(final String name, final int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0..65535)");
        }
    }

    /**
     * The key that identifies the channel.
     *
     * @return (interface, instance, subchannel index)
     */
    public OfferKey key() {
        return new OfferKey(interfaceId, instanceId, subchannelIndex);
    }

    /**
     * A builder for a plain device offer: no MNF, no order, flags 0, zero user data, no MMIO.
     *
     * @param interfaceId the device class
     * @param instanceId the device instance
     * @return the builder
     */
    public static Builder builder(final Guid interfaceId, final Guid instanceId) {
        return new Builder(interfaceId, instanceId);
    }

    /**
     * A copy of this offer for a subchannel: same everything, another index.
     *
     * @param index the subchannel index, 1..65535
     * @return the subchannel's offer
     */
    public OfferParams subchannel(final int index) {
        return new OfferParams(
                interfaceName,
                interfaceId,
                instanceId,
                index,
                mmioMegabytes,
                mmioMegabytesOptional,
                mnf,
                offerOrder,
                flags,
                userDefined);
    }

    /** Builds {@link OfferParams}; every setter returns {@code this}. */
    public static final class Builder {
        private String interfaceName = "";
        private final Guid interfaceId;
        private final Guid instanceId;
        private int subchannelIndex;
        private int mmioMegabytes;
        private int mmioMegabytesOptional;
        private MnfUsage mnf = MnfUsage.DISABLED;
        private long offerOrder = NO_ORDER;
        private int flags;
        private Blob userDefined = Blob.zeros(ChannelMessage.USER_DEFINED_SIZE);

        private Builder(final Guid interfaceId, final Guid instanceId) {
            this.interfaceId = interfaceId;
            this.instanceId = instanceId;
        }

        /**
         * Sets the diagnostic name.
         *
         * @param value the name
         * @return this
         */
        public Builder interfaceName(final String value) {
            interfaceName = value;
            return this;
        }

        /**
         * Sets the subchannel index.
         *
         * @param value 0..65535
         * @return this
         */
        public Builder subchannelIndex(final int value) {
            subchannelIndex = value;
            return this;
        }

        /**
         * Sets the MMIO requirement.
         *
         * @param value megabytes
         * @return this
         */
        public Builder mmioMegabytes(final int value) {
            mmioMegabytes = value;
            return this;
        }

        /**
         * Sets the optional MMIO.
         *
         * @param value megabytes
         * @return this
         */
        public Builder mmioMegabytesOptional(final int value) {
            mmioMegabytesOptional = value;
            return this;
        }

        /**
         * Sets the MNF use.
         *
         * @param value the use
         * @return this
         */
        public Builder mnf(final MnfUsage value) {
            mnf = value;
            return this;
        }

        /**
         * Sets the ordering hint.
         *
         * @param value the order (unsigned), or {@link #NO_ORDER}
         * @return this
         */
        public Builder offerOrder(final long value) {
            offerOrder = value;
            return this;
        }

        /**
         * Sets the offer flags.
         *
         * @param value u16 flags
         * @return this
         */
        public Builder flags(final int value) {
            flags = value;
            return this;
        }

        /**
         * Sets the user-defined bytes.
         *
         * @param value 120 bytes
         * @return this
         */
        public Builder userDefined(final Blob value) {
            userDefined = value;
            return this;
        }

        /**
         * Builds the offer.
         *
         * @return the offer
         * @throws IllegalArgumentException if a field is out of range
         */
        public OfferParams build() {
            return new OfferParams(
                    interfaceName,
                    interfaceId,
                    instanceId,
                    subchannelIndex,
                    mmioMegabytes,
                    mmioMegabytesOptional,
                    mnf,
                    offerOrder,
                    flags,
                    userDefined);
        }
    }
}
