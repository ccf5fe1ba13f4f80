package io.jvmbus.protocol.message;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.layout.ChannelOfferLayout;
import io.jvmbus.protocol.message.layout.InitiateContact2Layout;
import io.jvmbus.protocol.message.layout.InitiateContactLayout;
import io.jvmbus.protocol.message.layout.OpenChannel2Layout;
import io.jvmbus.protocol.message.layout.OpenChannelLayout;
import io.jvmbus.protocol.message.layout.TlConnectRequest2Layout;
import io.jvmbus.protocol.message.layout.TlConnectRequestLayout;
import io.jvmbus.protocol.message.layout.VersionResponse2Layout;
import io.jvmbus.protocol.message.layout.VersionResponse3Layout;
import io.jvmbus.protocol.message.layout.VersionResponseLayout;
import java.util.Objects;

/**
 * One VMBus channel-management message: the body after the 8-byte header, as a value. Every unsigned 32-bit wire
 * field is an {@code int} holding the same bits; 16- and 8-bit fields are {@code int}s checked to their range. Size
 * variants carry an explicit {@code form}, so encoding reproduces the exact wire size.
 */
public sealed interface ChannelMessage {

    /**
     * The message number.
     *
     * @return the type
     */
    MessageType type();

    /** Size of the user-data field of OFFER_CHANNEL and OPEN_CHANNEL. */
    int USER_DEFINED_SIZE = ChannelOfferLayout.USER_DEFINED_SIZE;

    /** Size variants of INITIATE_CONTACT. */
    enum InitiateContactForm {
        /** InitiateContact, 40 bytes. */
        V1(InitiateContactLayout.SIZE),
        /** InitiateContact2, 56 bytes, with a client id. */
        V2(InitiateContact2Layout.SIZE);

        private final int size;

        InitiateContactForm(final int size) {
            this.size = size;
        }

        /**
         * The total message size.
         *
         * @return bytes including the header
         */
        public int size() {
            return size;
        }
    }

    /** Size variants of VERSION_RESPONSE. */
    enum VersionResponseForm {
        /** VersionResponse, 16 bytes. */
        V1(VersionResponseLayout.SIZE),
        /** VersionResponse2, 20 bytes, with supported features. */
        V2(VersionResponse2Layout.SIZE),
        /** VersionResponse3, 40 bytes, with server monitor pages. */
        V3(VersionResponse3Layout.SIZE);

        private final int size;

        VersionResponseForm(final int size) {
            this.size = size;
        }

        /**
         * The total message size.
         *
         * @return bytes including the header
         */
        public int size() {
            return size;
        }
    }

    /** Size variants of OPEN_CHANNEL. */
    enum OpenChannelForm {
        /** OpenChannel, 148 bytes. */
        V1(OpenChannelLayout.SIZE),
        /** OpenChannel2, 156 bytes, with guest-specified signal parameters and flags. */
        V2(OpenChannel2Layout.SIZE);

        private final int size;

        OpenChannelForm(final int size) {
            this.size = size;
        }

        /**
         * The total message size.
         *
         * @return bytes including the header
         */
        public int size() {
            return size;
        }
    }

    /** Size variants of TL_CONNECT_REQUEST. */
    enum TlConnectRequestForm {
        /** TlConnectRequest, 40 bytes. */
        V1(TlConnectRequestLayout.SIZE),
        /** TlConnectRequest2, 56 bytes, with a silo id. */
        V2(TlConnectRequest2Layout.SIZE);

        private final int size;

        TlConnectRequestForm(final int size) {
            this.size = size;
        }

        /**
         * The total message size.
         *
         * @return bytes including the header
         */
        public int size() {
            return size;
        }
    }

    /**
     * 1, OFFER_CHANNEL (196 bytes).
     *
     * @param interfaceId device class
     * @param instanceId device instance
     * @param flags offer flags (u16)
     * @param mmioMegabytes MMIO requirement (u16)
     * @param userDefined 120 bytes of interface-specific data
     * @param subchannelIndex 0 for a primary channel (u16)
     * @param mmioMegabytesOptional optional MMIO (u16)
     * @param channelId the channel id (relid)
     * @param monitorId the monitor id, 0xFF if none (u8)
     * @param monitorAllocated whether {@code monitorId} is valid
     * @param dedicatedInterrupt whether the channel has a dedicated interrupt (always true from this server)
     * @param connectionId the id the guest signals
     */
    record OfferChannel(
            Guid interfaceId,
            Guid instanceId,
            int flags,
            int mmioMegabytes,
            Blob userDefined,
            int subchannelIndex,
            int mmioMegabytesOptional,
            int channelId,
            int monitorId,
            boolean monitorAllocated,
            boolean dedicatedInterrupt,
            int connectionId)
            implements ChannelMessage {
        /** Validates the field ranges. */
        public OfferChannel {
            Objects.requireNonNull(interfaceId, "interfaceId");
            Objects.requireNonNull(instanceId, "instanceId");
            Checks.u16("flags", flags);
            Checks.u16("mmioMegabytes", mmioMegabytes);
            Checks.size("userDefined", userDefined, USER_DEFINED_SIZE);
            Checks.u16("subchannelIndex", subchannelIndex);
            Checks.u16("mmioMegabytesOptional", mmioMegabytesOptional);
            Checks.u8("monitorId", monitorId);
        }

        @Override
        public MessageType type() {
            return MessageType.OFFER_CHANNEL;
        }
    }

    /**
     * 2, RESCIND_CHANNEL_OFFER (12 bytes).
     *
     * @param channelId the channel withdrawn
     */
    record RescindChannelOffer(int channelId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.RESCIND_CHANNEL_OFFER;
        }
    }

    /** 3, REQUEST_OFFERS (8 bytes). */
    record RequestOffers() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.REQUEST_OFFERS;
        }
    }

    /** 4, ALL_OFFERS_DELIVERED (8 bytes). */
    record AllOffersDelivered() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.ALL_OFFERS_DELIVERED;
        }
    }

    /**
     * 5, OPEN_CHANNEL (148 bytes) or OpenChannel2 (156 bytes).
     *
     * @param form which struct
     * @param channelId channel to open
     * @param openId opaque cookie echoed in the result
     * @param ringBufferGpadlId GPADL holding both rings
     * @param targetVp VP for host-to-guest interrupts; 0xFFFFFFFF disables them
     * @param downstreamRingBufferPageOffset page index where the host-to-guest ring starts
     * @param userData 120 opaque bytes for the device
     * @param connectionId (V2 only, else 0) connection id the guest will signal
     * @param eventFlag (V2 only, else 0) event flag the host sets (u16)
     * @param flags (V2 only, else 0) OpenChannelFlags (u16)
     */
    record OpenChannel(
            OpenChannelForm form,
            int channelId,
            int openId,
            int ringBufferGpadlId,
            int targetVp,
            int downstreamRingBufferPageOffset,
            Blob userData,
            int connectionId,
            int eventFlag,
            int flags)
            implements ChannelMessage {
        /** Validates the field ranges and that V1 carries no V2 fields. */
        public OpenChannel {
            Objects.requireNonNull(form, "form");
            Checks.size("userData", userData, USER_DEFINED_SIZE);
            Checks.u16("eventFlag", eventFlag);
            Checks.u16("flags", flags);
            if (form == OpenChannelForm.V1 && (connectionId | eventFlag | flags) != 0) {
                throw new IllegalArgumentException("OpenChannel V1 connectionId=" + connectionId + " eventFlag="
                        + eventFlag + " flags=" + flags + " (expected: all 0 in the 148-byte form)");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.OPEN_CHANNEL;
        }
    }

    /**
     * 6, OPEN_CHANNEL_RESULT (20 bytes).
     *
     * @param channelId the channel
     * @param openId the open request's cookie
     * @param status NT status, 0 on success
     */
    record OpenResult(int channelId, int openId, int status) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.OPEN_CHANNEL_RESULT;
        }
    }

    /**
     * 7, CLOSE_CHANNEL (12 bytes).
     *
     * @param channelId the channel
     */
    record CloseChannel(int channelId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.CLOSE_CHANNEL;
        }
    }

    /**
     * 8, GPADL_HEADER (20 bytes + range data).
     *
     * @param channelId owning channel
     * @param gpadlId guest-chosen id
     * @param rangeBufferLength total bytes of range data across header and bodies (u16)
     * @param rangeCount number of GPA ranges (u16)
     * @param data the range data carried by this message, as sent (possibly not whole u64s)
     */
    record GpadlHeader(int channelId, int gpadlId, int rangeBufferLength, int rangeCount, Blob data)
            implements ChannelMessage {
        /** Validates the field ranges. */
        public GpadlHeader {
            Checks.u16("rangeBufferLength", rangeBufferLength);
            Checks.u16("rangeCount", rangeCount);
            Objects.requireNonNull(data, "data");
        }

        @Override
        public MessageType type() {
            return MessageType.GPADL_HEADER;
        }
    }

    /**
     * 9, GPADL_BODY (16 bytes + range data).
     *
     * @param messageNumber ignored by hosts (Linux sends 0)
     * @param gpadlId the GPADL being assembled
     * @param data the range data carried by this message, as sent
     */
    record GpadlBody(int messageNumber, int gpadlId, Blob data) implements ChannelMessage {
        /** Validates the data. */
        public GpadlBody {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public MessageType type() {
            return MessageType.GPADL_BODY;
        }
    }

    /**
     * 10, GPADL_CREATED (20 bytes).
     *
     * @param channelId the channel
     * @param gpadlId the GPADL
     * @param status NT status
     */
    record GpadlCreated(int channelId, int gpadlId, int status) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.GPADL_CREATED;
        }
    }

    /**
     * 11, GPADL_TEARDOWN (16 bytes).
     *
     * @param channelId the channel
     * @param gpadlId the GPADL
     */
    record GpadlTeardown(int channelId, int gpadlId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.GPADL_TEARDOWN;
        }
    }

    /**
     * 12, GPADL_TORNDOWN (12 bytes).
     *
     * @param gpadlId the GPADL
     */
    record GpadlTorndown(int gpadlId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.GPADL_TORNDOWN;
        }
    }

    /**
     * 13, REL_ID_RELEASED (12 bytes).
     *
     * @param channelId the channel id the guest no longer uses
     */
    record RelIdReleased(int channelId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.REL_ID_RELEASED;
        }
    }

    /**
     * 14, INITIATE_CONTACT (40 bytes) or InitiateContact2 (56 bytes).
     *
     * @param form which struct
     * @param versionRequested exact version word
     * @param targetMessageVp VP to receive host messages
     * @param interruptPageOrTargetInfo interrupt page GPA (below Win8) or the TargetInfo bitfield (5.0 and later)
     * @param parentToChildMonitorPageGpa monitor page the host writes (0 = none)
     * @param childToParentMonitorPageGpa monitor page the guest writes (0 = none)
     * @param clientId (V2 only, else zero) client GUID
     */
    record InitiateContact(
            InitiateContactForm form,
            int versionRequested,
            int targetMessageVp,
            long interruptPageOrTargetInfo,
            long parentToChildMonitorPageGpa,
            long childToParentMonitorPageGpa,
            Guid clientId)
            implements ChannelMessage {
        /** Validates that V1 carries no client id. */
        public InitiateContact {
            Objects.requireNonNull(form, "form");
            Objects.requireNonNull(clientId, "clientId");
            if (form == InitiateContactForm.V1 && !clientId.equals(Guid.ZERO)) {
                throw new IllegalArgumentException(
                        "InitiateContact V1 clientId=" + clientId + " (expected: zero in the 40-byte form)");
            }
        }

        /**
         * TargetInfo.sint (byte 16), meaningful for 5.0 and later.
         *
         * @return the requested SINT
         */
        public int targetSint() {
            return (int) (interruptPageOrTargetInfo & 0xFF);
        }

        /**
         * TargetInfo.vtl (byte 17), meaningful for 5.1 and later.
         *
         * @return the requested VTL
         */
        public int targetVtl() {
            return (int) ((interruptPageOrTargetInfo >>> 8) & 0xFF);
        }

        /**
         * TargetInfo.feature_flags (bytes 20..23), meaningful for Copper.
         *
         * @return the raw requested feature flags
         */
        public int featureFlags() {
            return (int) (interruptPageOrTargetInfo >>> 32);
        }

        /**
         * Builds the TargetInfo bitfield.
         *
         * @param sint the SINT (u8)
         * @param vtl the VTL (u8)
         * @param featureFlags the feature flags
         * @return the u64
         */
        public static long targetInfo(final int sint, final int vtl, final int featureFlags) {
            return (sint & 0xFFL) | ((vtl & 0xFFL) << 8) | ((featureFlags & 0xFFFFFFFFL) << 32);
        }

        @Override
        public MessageType type() {
            return MessageType.INITIATE_CONTACT;
        }
    }

    /**
     * 15, VERSION_RESPONSE (16), VersionResponse2 (20) or VersionResponse3 (40 bytes).
     *
     * @param form which struct
     * @param versionSupported 1 if accepted, 0 if not (u8)
     * @param connectionState connection state code (u8)
     * @param selectedVersionOrConnectionId the version (below 5.0) or the server's message connection id
     * @param supportedFeatures (V2, V3; else 0) negotiated feature flags
     * @param parentToChildMonitorPageGpa (V3 only; else 0) server-supplied page
     * @param childToParentMonitorPageGpa (V3 only; else 0) server-supplied page
     */
    record VersionResponse(
            VersionResponseForm form,
            int versionSupported,
            int connectionState,
            int selectedVersionOrConnectionId,
            int supportedFeatures,
            long parentToChildMonitorPageGpa,
            long childToParentMonitorPageGpa)
            implements ChannelMessage {
        /** Validates field ranges and that shorter forms carry no longer-form fields. */
        public VersionResponse {
            Objects.requireNonNull(form, "form");
            Checks.u8("versionSupported", versionSupported);
            Checks.u8("connectionState", connectionState);
            if (form == VersionResponseForm.V1 && supportedFeatures != 0) {
                throw new IllegalArgumentException("VersionResponse V1 supportedFeatures=" + supportedFeatures
                        + " (expected: 0 in the 16-byte form)");
            }
            if (form != VersionResponseForm.V3 && (parentToChildMonitorPageGpa | childToParentMonitorPageGpa) != 0) {
                throw new IllegalArgumentException("VersionResponse " + form + " monitor pages (expected: 0 below V3)");
            }
        }

        /**
         * The 16-byte all-zero "version not supported" answer.
         *
         * @return the message
         */
        public static VersionResponse unsupported() {
            return new VersionResponse(VersionResponseForm.V1, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public MessageType type() {
            return MessageType.VERSION_RESPONSE;
        }
    }

    /** 16, UNLOAD (8 bytes). */
    record Unload() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.UNLOAD;
        }
    }

    /** 17, UNLOAD_COMPLETE (8 bytes); Linux calls it UNLOAD_RESPONSE. */
    record UnloadComplete() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.UNLOAD_COMPLETE;
        }
    }

    /**
     * 18, OPEN_RESERVED_CHANNEL (28 bytes).
     *
     * @param channelId channel to open
     * @param targetVp VP for control messages about this channel
     * @param targetSint SINT for those messages (u32 on the wire; hosts use the low byte)
     * @param ringBufferGpadlId the ring GPADL
     * @param downstreamRingBufferPageOffset page index of the host-to-guest ring
     */
    record OpenReservedChannel(
            int channelId, int targetVp, int targetSint, int ringBufferGpadlId, int downstreamRingBufferPageOffset)
            implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.OPEN_RESERVED_CHANNEL;
        }
    }

    /**
     * 19, CLOSE_RESERVED_CHANNEL (20 bytes).
     *
     * @param channelId the channel
     * @param targetVp VP for the response
     * @param targetSint SINT for the response
     */
    record CloseReservedChannel(int channelId, int targetVp, int targetSint) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.CLOSE_RESERVED_CHANNEL;
        }
    }

    /**
     * 20, CLOSE_RESERVED_RESPONSE (12 bytes).
     *
     * @param channelId the channel
     */
    record CloseReservedChannelResponse(int channelId) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.CLOSE_RESERVED_RESPONSE;
        }
    }

    /**
     * 21, TL_CONNECT_REQUEST (40) or TlConnectRequest2 (56 bytes). Note the order: endpoint first.
     *
     * @param form which struct
     * @param endpointId the guest endpoint
     * @param serviceId the host service
     * @param siloId (V2 only, else zero) the silo
     */
    record TlConnectRequest(TlConnectRequestForm form, Guid endpointId, Guid serviceId, Guid siloId)
            implements ChannelMessage {
        /** Validates that V1 carries no silo id. */
        public TlConnectRequest {
            Objects.requireNonNull(form, "form");
            Objects.requireNonNull(endpointId, "endpointId");
            Objects.requireNonNull(serviceId, "serviceId");
            Objects.requireNonNull(siloId, "siloId");
            if (form == TlConnectRequestForm.V1 && !siloId.equals(Guid.ZERO)) {
                throw new IllegalArgumentException(
                        "TlConnectRequest V1 siloId=" + siloId + " (expected: zero in the 40-byte form)");
            }
        }

        @Override
        public MessageType type() {
            return MessageType.TL_CONNECT_REQUEST;
        }
    }

    /**
     * 22, MODIFY_CHANNEL (16 bytes).
     *
     * @param channelId the channel
     * @param targetVp the new interrupt VP
     */
    record ModifyChannel(int channelId, int targetVp) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.MODIFY_CHANNEL;
        }
    }

    /**
     * 23, TL_CONNECT_REQUEST_RESULT (44 bytes).
     *
     * @param endpointId the guest endpoint
     * @param serviceId the host service
     * @param status NT status
     */
    record TlConnectResult(Guid endpointId, Guid serviceId, int status) implements ChannelMessage {
        /** Validates the ids. */
        public TlConnectResult {
            Objects.requireNonNull(endpointId, "endpointId");
            Objects.requireNonNull(serviceId, "serviceId");
        }

        @Override
        public MessageType type() {
            return MessageType.TL_CONNECT_REQUEST_RESULT;
        }
    }

    /**
     * 24, MODIFY_CHANNEL_RESPONSE (16 bytes).
     *
     * @param channelId the channel
     * @param status NT status
     */
    record ModifyChannelResponse(int channelId, int status) implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.MODIFY_CHANNEL_RESPONSE;
        }
    }

    /**
     * 25, MODIFY_CONNECTION (24 bytes).
     *
     * @param parentToChildMonitorPageGpa new host-written monitor page (0 with the other = none)
     * @param childToParentMonitorPageGpa new guest-written monitor page
     */
    record ModifyConnection(long parentToChildMonitorPageGpa, long childToParentMonitorPageGpa)
            implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.MODIFY_CONNECTION;
        }
    }

    /**
     * 26, MODIFY_CONNECTION_RESPONSE (9 bytes).
     *
     * @param connectionState connection state code (u8)
     */
    record ModifyConnectionResponse(int connectionState) implements ChannelMessage {
        /** Validates the range. */
        public ModifyConnectionResponse {
            Checks.u8("connectionState", connectionState);
        }

        @Override
        public MessageType type() {
            return MessageType.MODIFY_CONNECTION_RESPONSE;
        }
    }

    /** 27, PAUSE (8 bytes). */
    record Pause() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.PAUSE;
        }
    }

    /** 28, PAUSE_RESPONSE (8 bytes). */
    record PauseResponse() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.PAUSE_RESPONSE;
        }
    }

    /** 29, RESUME (8 bytes). */
    record Resume() implements ChannelMessage {
        @Override
        public MessageType type() {
            return MessageType.RESUME;
        }
    }
}
