package io.jvmbus.server;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ProtocolVersion;
import java.util.Objects;
import java.util.Properties;

/**
 * Configuration of one {@link ChannelServer}. Every setting has a property name ({@code PROP_*}) and a documented
 * default ({@code DEFAULT_*}); {@link #fromProperties(Properties)} reads them, {@link #builder()} sets them in code.
 *
 * @param maxVersion the newest protocol version accepted
 * @param maxFeatureFlags a mask applied to the feature flags offered (all bits by default)
 * @param gpaPinning whether feature 0x80 (require_pinned_external_memory) can be negotiated
 * @param requireServerAllocatedMonitorPages ignore guest-supplied monitor pages (MNF only with server pages)
 * @param absoluteChannelOrder assign channel ids by (offer order, interface, instance, subchannel) instead of
 *     (interface, offer order, instance, subchannel)
 * @param vtl the VTL this server serves (INITIATE_CONTACT for another VTL is forwarded)
 * @param messageConnectionId the connection id the guest posts to, reported in VERSION_RESPONSE from 5.0
 * @param channelIdOffset new channel ids are above this offset (1..2047 minus the offset are usable)
 * @param maxChannels the most channels (offers, including revoked ones the guest still holds) at once
 * @param maxGpadlsPerChannel the most GPADLs one channel may have
 * @param maxGpadls the most GPADLs in total
 * @param maxGpadlPages the most page numbers one GPADL may describe
 * @param maxGpadlBytesTotal the most bytes of GPADL range data held in total (each GPADL counts its declared
 *     length from its header on)
 * @param maxQueuedMessages the most messages the outgoing queue holds
 * @param maxOutstandingHvsockRequests the most hvsock connect requests outstanding before guest messages wait
 */
public record ServerConfig(
        ProtocolVersion maxVersion,
        int maxFeatureFlags,
        boolean gpaPinning,
        boolean requireServerAllocatedMonitorPages,
        boolean absoluteChannelOrder,
        int vtl,
        int messageConnectionId,
        int channelIdOffset,
        int maxChannels,
        int maxGpadlsPerChannel,
        int maxGpadls,
        int maxGpadlPages,
        long maxGpadlBytesTotal,
        int maxQueuedMessages,
        int maxOutstandingHvsockRequests) {

    /** Property: newest version accepted, dotted ("5.3"). */
    public static final String PROP_MAX_VERSION = "jvmbus.server.maxVersion";
    /** Default: Copper (6.0). */
    public static final ProtocolVersion DEFAULT_MAX_VERSION = ProtocolVersion.COPPER;
    /** Property: feature flag mask (decimal or 0x hex). */
    public static final String PROP_MAX_FEATURE_FLAGS = "jvmbus.server.maxFeatureFlags";
    /** Default: every bit. */
    public static final int DEFAULT_MAX_FEATURE_FLAGS = 0xFFFFFFFF;
    /** Property: GPA pinning support. */
    public static final String PROP_GPA_PINNING = "jvmbus.server.gpaPinning";
    /** Default: off. */
    public static final boolean DEFAULT_GPA_PINNING = false;
    /** Property: require server-allocated monitor pages. */
    public static final String PROP_REQUIRE_SERVER_MONITOR_PAGES = "jvmbus.server.requireServerAllocatedMonitorPages";
    /** Default: off. */
    public static final boolean DEFAULT_REQUIRE_SERVER_MONITOR_PAGES = false;
    /** Property: absolute channel order. */
    public static final String PROP_ABSOLUTE_CHANNEL_ORDER = "jvmbus.server.absoluteChannelOrder";
    /** Default: off. */
    public static final boolean DEFAULT_ABSOLUTE_CHANNEL_ORDER = false;
    /** Property: VTL. */
    public static final String PROP_VTL = "jvmbus.server.vtl";
    /** Default: 0. */
    public static final int DEFAULT_VTL = 0;
    /** Property: message connection id. */
    public static final String PROP_MESSAGE_CONNECTION_ID = "jvmbus.server.messageConnectionId";
    /** Default: 1. */
    public static final int DEFAULT_MESSAGE_CONNECTION_ID = ConnectionIds.MESSAGE_CONNECTION_ID;
    /** Property: channel id offset. */
    public static final String PROP_CHANNEL_ID_OFFSET = "jvmbus.server.channelIdOffset";
    /** Default: 0. */
    public static final int DEFAULT_CHANNEL_ID_OFFSET = 0;
    /** Property: channel limit. */
    public static final String PROP_MAX_CHANNELS = "jvmbus.server.maxChannels";
    /** Default: 2047, every channel id. */
    public static final int DEFAULT_MAX_CHANNELS = ConnectionIds.MAX_CHANNEL_ID;
    /** Property: GPADLs per channel. */
    public static final String PROP_MAX_GPADLS_PER_CHANNEL = "jvmbus.server.maxGpadlsPerChannel";
    /** Default: 256. */
    public static final int DEFAULT_MAX_GPADLS_PER_CHANNEL = 256;
    /** Property: GPADLs in total. */
    public static final String PROP_MAX_GPADLS = "jvmbus.server.maxGpadls";
    /** Default: 4096. */
    public static final int DEFAULT_MAX_GPADLS = 4096;
    /** Property: pages per GPADL. */
    public static final String PROP_MAX_GPADL_PAGES = "jvmbus.server.maxGpadlPages";
    /** Default: 8192 (a GPADL's u16 length allows at most 8190 page numbers, so this is no limit). */
    public static final int DEFAULT_MAX_GPADL_PAGES = 8192;
    /** Property: total GPADL range-data bytes. */
    public static final String PROP_MAX_GPADL_BYTES_TOTAL = "jvmbus.server.maxGpadlBytesTotal";
    /** Default: 32 MiB (one GPADL holds at most 64 KiB). */
    public static final long DEFAULT_MAX_GPADL_BYTES_TOTAL = 32L << 20;
    /** Property: outgoing queue bound. */
    public static final String PROP_MAX_QUEUED_MESSAGES = "jvmbus.server.maxQueuedMessages";
    /** Default: 8192 messages (at most 240 bytes each). */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 8192;
    /** Property: outstanding hvsock requests. */
    public static final String PROP_MAX_OUTSTANDING_HVSOCK = "jvmbus.server.maxOutstandingHvsockRequests";
    /** Default: 16, as the reference. */
    public static final int DEFAULT_MAX_OUTSTANDING_HVSOCK = 16;

    /**
     * Room the queue keeps free for completions and host actions beyond what one REQUEST_OFFERS needs; {@link
     * #maxQueuedMessages} must be at least the channel limit plus this.
     */
    public static final int MIN_HOST_QUEUE_BUDGET = 16;

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the first bad setting
     */
    public ServerConfig {
        Objects.requireNonNull(maxVersion, "maxVersion");
        if (vtl < 0 || vtl > 2) {
            throw new IllegalArgumentException("vtl=" + vtl + " (expected: 0..2)");
        }
        if (channelIdOffset < 0 || channelIdOffset >= ConnectionIds.MAX_CHANNEL_ID) {
            throw new IllegalArgumentException("channelIdOffset=" + channelIdOffset + " (expected: 0..2046)");
        }
        positive("maxChannels", maxChannels);
        positive("maxGpadlsPerChannel", maxGpadlsPerChannel);
        positive("maxGpadls", maxGpadls);
        positive("maxGpadlPages", maxGpadlPages);
        positive("maxOutstandingHvsockRequests", maxOutstandingHvsockRequests);
        if (maxGpadlBytesTotal < 8) {
            throw new IllegalArgumentException("maxGpadlBytesTotal=" + maxGpadlBytesTotal + " (expected: >= 8)");
        }
        final int needed = guestQueueHeadroom(Math.min(maxChannels, ConnectionIds.MAX_CHANNEL_ID - channelIdOffset))
                + MIN_HOST_QUEUE_BUDGET;
        if (maxQueuedMessages < needed) {
            throw new IllegalArgumentException("maxQueuedMessages=" + maxQueuedMessages + " (expected: >= " + needed
                    + " = channel limit + " + (needed - Math.min(maxChannels, 2047 - channelIdOffset)) + ")");
        }
    }

    private static void positive(final String name, final long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: > 0)");
        }
    }

    /** Queue room kept for one guest message: a full REQUEST_OFFERS (every channel plus ALL_OFFERS_DELIVERED). */
    static int guestQueueHeadroom(final int channelLimit) {
        return channelLimit + 4;
    }

    /**
     * The number of channels that can exist at once: the configured limit, capped by the usable ids.
     *
     * @return {@code min(maxChannels, 2047 - channelIdOffset)}
     */
    public int channelLimit() {
        return Math.min(maxChannels, ConnectionIds.MAX_CHANNEL_ID - channelIdOffset);
    }

    /**
     * The defaults.
     *
     * @return a config with every {@code DEFAULT_*} value
     */
    public static ServerConfig defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from this config.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        return new Builder()
                .maxVersion(maxVersion)
                .maxFeatureFlags(maxFeatureFlags)
                .gpaPinning(gpaPinning)
                .requireServerAllocatedMonitorPages(requireServerAllocatedMonitorPages)
                .absoluteChannelOrder(absoluteChannelOrder)
                .vtl(vtl)
                .messageConnectionId(messageConnectionId)
                .channelIdOffset(channelIdOffset)
                .maxChannels(maxChannels)
                .maxGpadlsPerChannel(maxGpadlsPerChannel)
                .maxGpadls(maxGpadls)
                .maxGpadlPages(maxGpadlPages)
                .maxGpadlBytesTotal(maxGpadlBytesTotal)
                .maxQueuedMessages(maxQueuedMessages)
                .maxOutstandingHvsockRequests(maxOutstandingHvsockRequests);
    }

    /**
     * Reads every {@code PROP_*} present in {@code props}; absent ones keep their defaults.
     *
     * @param props the properties (e.g. {@link System#getProperties()})
     * @return the config
     * @throws IllegalArgumentException naming a property whose value does not parse or is out of range
     */
    public static ServerConfig fromProperties(final Properties props) {
        final Builder b = builder();
        final String version = props.getProperty(PROP_MAX_VERSION);
        if (version != null) {
            b.maxVersion(ProtocolVersion.ofText(version.strip())
                    .orElseThrow(() -> new IllegalArgumentException(
                            PROP_MAX_VERSION + "=" + version + " (expected: one of 0.13, 1.1, 2.4, ..., 6.0)")));
        }
        b.maxFeatureFlags(
                (int) longProp(props, PROP_MAX_FEATURE_FLAGS, Integer.toUnsignedLong(DEFAULT_MAX_FEATURE_FLAGS)));
        b.gpaPinning(boolProp(props, PROP_GPA_PINNING, DEFAULT_GPA_PINNING));
        b.requireServerAllocatedMonitorPages(
                boolProp(props, PROP_REQUIRE_SERVER_MONITOR_PAGES, DEFAULT_REQUIRE_SERVER_MONITOR_PAGES));
        b.absoluteChannelOrder(boolProp(props, PROP_ABSOLUTE_CHANNEL_ORDER, DEFAULT_ABSOLUTE_CHANNEL_ORDER));
        b.vtl((int) longProp(props, PROP_VTL, DEFAULT_VTL));
        b.messageConnectionId((int) longProp(props, PROP_MESSAGE_CONNECTION_ID, DEFAULT_MESSAGE_CONNECTION_ID));
        b.channelIdOffset((int) longProp(props, PROP_CHANNEL_ID_OFFSET, DEFAULT_CHANNEL_ID_OFFSET));
        b.maxChannels((int) longProp(props, PROP_MAX_CHANNELS, DEFAULT_MAX_CHANNELS));
        b.maxGpadlsPerChannel((int) longProp(props, PROP_MAX_GPADLS_PER_CHANNEL, DEFAULT_MAX_GPADLS_PER_CHANNEL));
        b.maxGpadls((int) longProp(props, PROP_MAX_GPADLS, DEFAULT_MAX_GPADLS));
        b.maxGpadlPages((int) longProp(props, PROP_MAX_GPADL_PAGES, DEFAULT_MAX_GPADL_PAGES));
        b.maxGpadlBytesTotal(longProp(props, PROP_MAX_GPADL_BYTES_TOTAL, DEFAULT_MAX_GPADL_BYTES_TOTAL));
        b.maxQueuedMessages((int) longProp(props, PROP_MAX_QUEUED_MESSAGES, DEFAULT_MAX_QUEUED_MESSAGES));
        b.maxOutstandingHvsockRequests(
                (int) longProp(props, PROP_MAX_OUTSTANDING_HVSOCK, DEFAULT_MAX_OUTSTANDING_HVSOCK));
        return b.build();
    }

    private static boolean boolProp(final Properties props, final String name, final boolean dflt) {
        final String v = props.getProperty(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(name + "=" + v + " (expected: true or false)");
        };
    }

    private static long longProp(final Properties props, final String name, final long dflt) {
        final String v = props.getProperty(name);
        if (v == null) {
            return dflt;
        }
        final String s = v.strip();
        try {
            final long value = s.startsWith("0x") || s.startsWith("0X")
                    ? Long.parseUnsignedLong(s.substring(2), 16)
                    : Long.parseLong(s);
            if (value < 0 || (!name.equals(PROP_MAX_GPADL_BYTES_TOTAL) && value > 0xFFFF_FFFFL)) {
                throw new NumberFormatException(s);
            }
            return value;
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + v + " (expected: a non-negative integer)", e);
        }
    }

    /** Builds a {@link ServerConfig}; every setter returns {@code this}. Starts from the defaults. */
    public static final class Builder {
        private ProtocolVersion maxVersion = DEFAULT_MAX_VERSION;
        private int maxFeatureFlags = DEFAULT_MAX_FEATURE_FLAGS;
        private boolean gpaPinning = DEFAULT_GPA_PINNING;
        private boolean requireServerAllocatedMonitorPages = DEFAULT_REQUIRE_SERVER_MONITOR_PAGES;
        private boolean absoluteChannelOrder = DEFAULT_ABSOLUTE_CHANNEL_ORDER;
        private int vtl = DEFAULT_VTL;
        private int messageConnectionId = DEFAULT_MESSAGE_CONNECTION_ID;
        private int channelIdOffset = DEFAULT_CHANNEL_ID_OFFSET;
        private int maxChannels = DEFAULT_MAX_CHANNELS;
        private int maxGpadlsPerChannel = DEFAULT_MAX_GPADLS_PER_CHANNEL;
        private int maxGpadls = DEFAULT_MAX_GPADLS;
        private int maxGpadlPages = DEFAULT_MAX_GPADL_PAGES;
        private long maxGpadlBytesTotal = DEFAULT_MAX_GPADL_BYTES_TOTAL;
        private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
        private int maxOutstandingHvsockRequests = DEFAULT_MAX_OUTSTANDING_HVSOCK;

        private Builder() {}

        /**
         * Sets {@link ServerConfig#maxVersion()}.
         *
         * @param value the version
         * @return this
         */
        public Builder maxVersion(final ProtocolVersion value) {
            maxVersion = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxFeatureFlags()}.
         *
         * @param value the mask
         * @return this
         */
        public Builder maxFeatureFlags(final int value) {
            maxFeatureFlags = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#gpaPinning()}.
         *
         * @param value on or off
         * @return this
         */
        public Builder gpaPinning(final boolean value) {
            gpaPinning = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#requireServerAllocatedMonitorPages()}.
         *
         * @param value on or off
         * @return this
         */
        public Builder requireServerAllocatedMonitorPages(final boolean value) {
            requireServerAllocatedMonitorPages = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#absoluteChannelOrder()}.
         *
         * @param value on or off
         * @return this
         */
        public Builder absoluteChannelOrder(final boolean value) {
            absoluteChannelOrder = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#vtl()}.
         *
         * @param value 0..2
         * @return this
         */
        public Builder vtl(final int value) {
            vtl = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#messageConnectionId()}.
         *
         * @param value the id
         * @return this
         */
        public Builder messageConnectionId(final int value) {
            messageConnectionId = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#channelIdOffset()}.
         *
         * @param value 0..2046
         * @return this
         */
        public Builder channelIdOffset(final int value) {
            channelIdOffset = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxChannels()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxChannels(final int value) {
            maxChannels = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxGpadlsPerChannel()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxGpadlsPerChannel(final int value) {
            maxGpadlsPerChannel = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxGpadls()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxGpadls(final int value) {
            maxGpadls = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxGpadlPages()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxGpadlPages(final int value) {
            maxGpadlPages = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxGpadlBytesTotal()}.
         *
         * @param value the limit in bytes
         * @return this
         */
        public Builder maxGpadlBytesTotal(final long value) {
            maxGpadlBytesTotal = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxQueuedMessages()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxQueuedMessages(final int value) {
            maxQueuedMessages = value;
            return this;
        }

        /**
         * Sets {@link ServerConfig#maxOutstandingHvsockRequests()}.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxOutstandingHvsockRequests(final int value) {
            maxOutstandingHvsockRequests = value;
            return this;
        }

        /**
         * Builds the config.
         *
         * @return the config
         * @throws IllegalArgumentException naming the first bad setting
         */
        public ServerConfig build() {
            return new ServerConfig(
                    maxVersion,
                    maxFeatureFlags,
                    gpaPinning,
                    requireServerAllocatedMonitorPages,
                    absoluteChannelOrder,
                    vtl,
                    messageConnectionId,
                    channelIdOffset,
                    maxChannels,
                    maxGpadlsPerChannel,
                    maxGpadls,
                    maxGpadlPages,
                    maxGpadlBytesTotal,
                    maxQueuedMessages,
                    maxOutstandingHvsockRequests);
        }
    }
}
