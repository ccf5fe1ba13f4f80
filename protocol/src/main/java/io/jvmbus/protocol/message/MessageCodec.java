package io.jvmbus.protocol.message;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.AllOffersDelivered;
import io.jvmbus.protocol.message.ChannelMessage.CloseChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlBody;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlHeader;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTeardown;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContact;
import io.jvmbus.protocol.message.ChannelMessage.InitiateContactForm;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannel;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.ModifyConnection;
import io.jvmbus.protocol.message.ChannelMessage.ModifyConnectionResponse;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenChannelForm;
import io.jvmbus.protocol.message.ChannelMessage.OpenReservedChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.Pause;
import io.jvmbus.protocol.message.ChannelMessage.PauseResponse;
import io.jvmbus.protocol.message.ChannelMessage.RelIdReleased;
import io.jvmbus.protocol.message.ChannelMessage.RequestOffers;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.Resume;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequest;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectRequestForm;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectResult;
import io.jvmbus.protocol.message.ChannelMessage.Unload;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponseForm;
import io.jvmbus.protocol.message.layout.ChannelMessageHeaderLayout;
import io.jvmbus.protocol.message.layout.ChannelOfferLayout;
import io.jvmbus.protocol.message.layout.CloseChannelLayout;
import io.jvmbus.protocol.message.layout.CloseReservedChannelLayout;
import io.jvmbus.protocol.message.layout.CloseReservedChannelResponseLayout;
import io.jvmbus.protocol.message.layout.GpadlBodyLayout;
import io.jvmbus.protocol.message.layout.GpadlCreatedLayout;
import io.jvmbus.protocol.message.layout.GpadlHeaderLayout;
import io.jvmbus.protocol.message.layout.GpadlTeardownLayout;
import io.jvmbus.protocol.message.layout.GpadlTorndownLayout;
import io.jvmbus.protocol.message.layout.InitiateContact2Layout;
import io.jvmbus.protocol.message.layout.InitiateContactLayout;
import io.jvmbus.protocol.message.layout.ModifyChannelLayout;
import io.jvmbus.protocol.message.layout.ModifyChannelResponseLayout;
import io.jvmbus.protocol.message.layout.ModifyConnectionLayout;
import io.jvmbus.protocol.message.layout.ModifyConnectionResponseLayout;
import io.jvmbus.protocol.message.layout.OfferChannelLayout;
import io.jvmbus.protocol.message.layout.OpenChannel2Layout;
import io.jvmbus.protocol.message.layout.OpenChannelLayout;
import io.jvmbus.protocol.message.layout.OpenReservedChannelLayout;
import io.jvmbus.protocol.message.layout.OpenResultLayout;
import io.jvmbus.protocol.message.layout.RelIdReleasedLayout;
import io.jvmbus.protocol.message.layout.RescindChannelOfferLayout;
import io.jvmbus.protocol.message.layout.TlConnectRequest2Layout;
import io.jvmbus.protocol.message.layout.TlConnectRequestLayout;
import io.jvmbus.protocol.message.layout.TlConnectResultLayout;
import io.jvmbus.protocol.message.layout.VersionResponse2Layout;
import io.jvmbus.protocol.message.layout.VersionResponse3Layout;
import io.jvmbus.protocol.message.layout.VersionResponseLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes and encodes channel messages byte-exactly (header included). Decoding applies the reference's gates in its
 * order: header size, message number, connection/version/feature gate, direction, struct size. It never throws for
 * bad input; it returns {@link DecodeResult.Failed} with a {@link DecodeError}.
 */
public final class MessageCodec {

    /** Size of the channel message header (message_type u32, padding u32). */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;
    /** Largest message: the whole SynIC payload. */
    public static final int MAX_MESSAGE_SIZE = ChannelMessageHeaderLayout.MAX_MESSAGE_SIZE;

    private MessageCodec() {}

    /**
     * Decodes one message.
     *
     * @param data the bytes (not retained)
     * @param offset first byte of the message header
     * @param length message length, header included; a range outside {@code data} is {@link
     *     DecodeError.Kind#TOO_SHORT} (no type named)
     * @param receiver the direction of the messages this side receives: {@link Direction#GUEST_TO_HOST} at the host,
     *     {@link Direction#HOST_TO_GUEST} at the guest; a message of the other direction is {@link
     *     DecodeError.Kind#WRONG_DIRECTION} (where the reference server panics, bug B1)
     * @param context the connection's negotiated version and features
     * @return the message or the error
     */
    public static DecodeResult decode(
            final byte[] data,
            final int offset,
            final int length,
            final Direction receiver,
            final DecodeContext context) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            // the range is not inside the array: report the bytes really there against what was claimed
            final int available = offset < 0 || offset > data.length ? 0 : data.length - offset;
            final int claimed = Math.max(length, HEADER_SIZE);
            return fail(DecodeError.Kind.TOO_SHORT, -1, Math.min(available, claimed - 1), claimed);
        }
        if (length < HEADER_SIZE) {
            return fail(DecodeError.Kind.TOO_SHORT, -1, length, HEADER_SIZE);
        }
        final ByteBuffer b = ByteBuffer.wrap(data, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
        final int number = b.getInt(0);
        if (length > MAX_MESSAGE_SIZE) {
            return fail(DecodeError.Kind.TOO_LONG, number, length, MAX_MESSAGE_SIZE);
        }
        final MessageType type = MessageType.of(number);
        if (type == null) {
            return fail(DecodeError.Kind.UNKNOWN_TYPE, number, length, -1);
        }
        if (!context.isConnected()) {
            if (!type.allowedWhenDisconnected()) {
                return fail(DecodeError.Kind.NOT_ALLOWED_WHEN_DISCONNECTED, number, length, -1);
            }
        } else {
            if (type.minVersion() != null && !context.atLeast(type.minVersion())) {
                return fail(DecodeError.Kind.VERSION_TOO_LOW, number, length, -1);
            }
            if (type.requiredFeature() != 0 && !FeatureFlags.has(context.featureFlags(), type.requiredFeature())) {
                return fail(DecodeError.Kind.FEATURE_NOT_NEGOTIATED, number, length, -1);
            }
        }
        if (type.direction() != receiver) {
            return fail(DecodeError.Kind.WRONG_DIRECTION, number, length, -1);
        }
        final int needed = requiredSize(type, length, context);
        if (length < needed) {
            return fail(DecodeError.Kind.TOO_SHORT, number, length, needed);
        }
        return new DecodeResult.Decoded(parse(type, b, length, context));
    }

    /**
     * Decodes a whole array as one message.
     *
     * @param message the bytes, header included
     * @param receiver the side receiving it
     * @param context the connection's negotiated version and features
     * @return the message or the error
     */
    public static DecodeResult decode(final byte[] message, final Direction receiver, final DecodeContext context) {
        return decode(message, 0, message.length, receiver, context);
    }

    private static DecodeResult fail(final DecodeError.Kind kind, final int type, final int seen, final int expected) {
        return new DecodeResult.Failed(new DecodeError(kind, type, seen, expected));
    }

    /** The struct size the decoder selects for a message of this length under this context. */
    private static int requiredSize(final MessageType type, final int length, final DecodeContext context) {
        return switch (type) {
            case OFFER_CHANNEL -> OfferChannelLayout.SIZE;
            case RESCIND_CHANNEL_OFFER -> RescindChannelOfferLayout.SIZE;
            case REQUEST_OFFERS, ALL_OFFERS_DELIVERED, UNLOAD, UNLOAD_COMPLETE, PAUSE, PAUSE_RESPONSE, RESUME ->
                ChannelMessageHeaderLayout.SIZE;
            case OPEN_CHANNEL -> openChannelForm(context).size();
            case OPEN_CHANNEL_RESULT -> OpenResultLayout.SIZE;
            case CLOSE_CHANNEL -> CloseChannelLayout.SIZE;
            case GPADL_HEADER -> GpadlHeaderLayout.SIZE;
            case GPADL_BODY -> GpadlBodyLayout.SIZE;
            case GPADL_CREATED -> GpadlCreatedLayout.SIZE;
            case GPADL_TEARDOWN -> GpadlTeardownLayout.SIZE;
            case GPADL_TORNDOWN -> GpadlTorndownLayout.SIZE;
            case REL_ID_RELEASED -> RelIdReleasedLayout.SIZE;
            case INITIATE_CONTACT -> initiateContactForm(length).size();
            case VERSION_RESPONSE -> versionResponseForm(length).size();
            case OPEN_RESERVED_CHANNEL -> OpenReservedChannelLayout.SIZE;
            case CLOSE_RESERVED_CHANNEL -> CloseReservedChannelLayout.SIZE;
            case CLOSE_RESERVED_RESPONSE -> CloseReservedChannelResponseLayout.SIZE;
            case TL_CONNECT_REQUEST -> tlConnectRequestForm(length, context).size();
            case MODIFY_CHANNEL -> ModifyChannelLayout.SIZE;
            case TL_CONNECT_REQUEST_RESULT -> TlConnectResultLayout.SIZE;
            case MODIFY_CHANNEL_RESPONSE -> ModifyChannelResponseLayout.SIZE;
            case MODIFY_CONNECTION -> ModifyConnectionLayout.SIZE;
            case MODIFY_CONNECTION_RESPONSE -> ModifyConnectionResponseLayout.SIZE;
        };
    }

    /**
     * OpenChannel2 is required once guest-specified signal parameters or interrupt redirection is negotiated; there
     * is no size fallback.
     */
    static OpenChannelForm openChannelForm(final DecodeContext context) {
        final int signalling =
                FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS | FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION;
        return context.atLeast(ProtocolVersion.COPPER) && (context.featureFlags() & signalling) != 0
                ? OpenChannelForm.V2
                : OpenChannelForm.V1;
    }

    /** InitiateContact2 if the payload is at least 48 bytes. */
    static InitiateContactForm initiateContactForm(final int length) {
        return length >= InitiateContact2Layout.SIZE ? InitiateContactForm.V2 : InitiateContactForm.V1;
    }

    /** VersionResponse3 if the payload is at least 32 bytes, VersionResponse2 if at least 12. */
    static VersionResponseForm versionResponseForm(final int length) {
        if (length >= VersionResponse3Layout.SIZE) {
            return VersionResponseForm.V3;
        }
        return length >= VersionResponse2Layout.SIZE ? VersionResponseForm.V2 : VersionResponseForm.V1;
    }

    /** TlConnectRequest2 if the negotiated version is at least 5.2 and the payload at least 48 bytes. */
    static TlConnectRequestForm tlConnectRequestForm(final int length, final DecodeContext context) {
        return context.atLeast(ProtocolVersion.WIN10_RS5) && length >= TlConnectRequest2Layout.SIZE
                ? TlConnectRequestForm.V2
                : TlConnectRequestForm.V1;
    }

    private static Blob bytes(final ByteBuffer b, final int offset, final int length) {
        final byte[] out = new byte[length];
        b.get(offset, out);
        return Blob.of(out);
    }

    private static int u16(final ByteBuffer b, final int offset) {
        return Short.toUnsignedInt(b.getShort(offset));
    }

    private static int u8(final ByteBuffer b, final int offset) {
        return Byte.toUnsignedInt(b.get(offset));
    }

    private static ChannelMessage parse(
            final MessageType type, final ByteBuffer b, final int length, final DecodeContext context) {
        return switch (type) {
            case OFFER_CHANNEL ->
                new OfferChannel(
                        Guid.read(b, OfferChannelLayout.INTERFACE_ID_OFFSET),
                        Guid.read(b, OfferChannelLayout.INSTANCE_ID_OFFSET),
                        u16(b, OfferChannelLayout.FLAGS_OFFSET),
                        u16(b, OfferChannelLayout.MMIO_MEGABYTES_OFFSET),
                        bytes(b, OfferChannelLayout.USER_DEFINED_OFFSET, ChannelOfferLayout.USER_DEFINED_SIZE),
                        u16(b, OfferChannelLayout.SUBCHANNEL_INDEX_OFFSET),
                        u16(b, OfferChannelLayout.MMIO_MEGABYTES_OPTIONAL_OFFSET),
                        b.getInt(OfferChannelLayout.CHANNEL_ID_OFFSET),
                        u8(b, OfferChannelLayout.MONITOR_ID_OFFSET),
                        (u8(b, OfferChannelLayout.MONITOR_ALLOCATED_OFFSET) & OfferChannelLayout.MONITOR_ALLOCATED_MASK)
                                != 0,
                        (u16(b, OfferChannelLayout.IS_DEDICATED_OFFSET) & OfferChannelLayout.IS_DEDICATED_MASK) != 0,
                        b.getInt(OfferChannelLayout.CONNECTION_ID_OFFSET));
            case RESCIND_CHANNEL_OFFER ->
                new RescindChannelOffer(b.getInt(RescindChannelOfferLayout.CHANNEL_ID_OFFSET));
            case REQUEST_OFFERS -> new RequestOffers();
            case ALL_OFFERS_DELIVERED -> new AllOffersDelivered();
            case OPEN_CHANNEL -> {
                final OpenChannelForm form = openChannelForm(context);
                final boolean v2 = form == OpenChannelForm.V2;
                yield new OpenChannel(
                        form,
                        b.getInt(OpenChannelLayout.CHANNEL_ID_OFFSET),
                        b.getInt(OpenChannelLayout.OPEN_ID_OFFSET),
                        b.getInt(OpenChannelLayout.RING_BUFFER_GPADL_ID_OFFSET),
                        b.getInt(OpenChannelLayout.TARGET_VP_OFFSET),
                        b.getInt(OpenChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET),
                        bytes(b, OpenChannelLayout.USER_DATA_OFFSET, OpenChannelLayout.USER_DATA_SIZE),
                        v2 ? b.getInt(OpenChannel2Layout.CONNECTION_ID_OFFSET) : 0,
                        v2 ? u16(b, OpenChannel2Layout.EVENT_FLAG_OFFSET) : 0,
                        v2 ? u16(b, OpenChannel2Layout.FLAGS_OFFSET) : 0);
            }
            case OPEN_CHANNEL_RESULT ->
                new OpenResult(
                        b.getInt(OpenResultLayout.CHANNEL_ID_OFFSET),
                        b.getInt(OpenResultLayout.OPEN_ID_OFFSET),
                        b.getInt(OpenResultLayout.STATUS_OFFSET));
            case CLOSE_CHANNEL -> new CloseChannel(b.getInt(CloseChannelLayout.CHANNEL_ID_OFFSET));
            case GPADL_HEADER ->
                new GpadlHeader(
                        b.getInt(GpadlHeaderLayout.CHANNEL_ID_OFFSET),
                        b.getInt(GpadlHeaderLayout.GPADL_ID_OFFSET),
                        u16(b, GpadlHeaderLayout.RANGE_BUFFER_LENGTH_OFFSET),
                        u16(b, GpadlHeaderLayout.RANGE_COUNT_OFFSET),
                        // trailing bytes are the range data: kept whole, whatever their length
                        bytes(b, GpadlHeaderLayout.DATA_OFFSET, length - GpadlHeaderLayout.DATA_OFFSET));
            case GPADL_BODY ->
                new GpadlBody(
                        b.getInt(GpadlBodyLayout.MESSAGE_NUMBER_OFFSET),
                        b.getInt(GpadlBodyLayout.GPADL_ID_OFFSET),
                        bytes(b, GpadlBodyLayout.DATA_OFFSET, length - GpadlBodyLayout.DATA_OFFSET));
            case GPADL_CREATED ->
                new GpadlCreated(
                        b.getInt(GpadlCreatedLayout.CHANNEL_ID_OFFSET),
                        b.getInt(GpadlCreatedLayout.GPADL_ID_OFFSET),
                        b.getInt(GpadlCreatedLayout.STATUS_OFFSET));
            case GPADL_TEARDOWN ->
                new GpadlTeardown(
                        b.getInt(GpadlTeardownLayout.CHANNEL_ID_OFFSET), b.getInt(GpadlTeardownLayout.GPADL_ID_OFFSET));
            case GPADL_TORNDOWN -> new GpadlTorndown(b.getInt(GpadlTorndownLayout.GPADL_ID_OFFSET));
            case REL_ID_RELEASED -> new RelIdReleased(b.getInt(RelIdReleasedLayout.CHANNEL_ID_OFFSET));
            case INITIATE_CONTACT -> {
                final InitiateContactForm form = initiateContactForm(length);
                yield new InitiateContact(
                        form,
                        b.getInt(InitiateContactLayout.VERSION_REQUESTED_OFFSET),
                        b.getInt(InitiateContactLayout.TARGET_MESSAGE_VP_OFFSET),
                        b.getLong(InitiateContactLayout.INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET),
                        b.getLong(InitiateContactLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET),
                        b.getLong(InitiateContactLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET),
                        form == InitiateContactForm.V2
                                ? Guid.read(b, InitiateContact2Layout.CLIENT_ID_OFFSET)
                                : Guid.ZERO);
            }
            case VERSION_RESPONSE -> {
                final VersionResponseForm form = versionResponseForm(length);
                final boolean v3 = form == VersionResponseForm.V3;
                yield new VersionResponse(
                        form,
                        u8(b, VersionResponseLayout.VERSION_SUPPORTED_OFFSET),
                        u8(b, VersionResponseLayout.CONNECTION_STATE_OFFSET),
                        b.getInt(VersionResponseLayout.SELECTED_VERSION_OR_CONNECTION_ID_OFFSET),
                        form != VersionResponseForm.V1 ? b.getInt(VersionResponse2Layout.SUPPORTED_FEATURES_OFFSET) : 0,
                        v3 ? b.getLong(VersionResponse3Layout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET) : 0,
                        v3 ? b.getLong(VersionResponse3Layout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET) : 0);
            }
            case UNLOAD -> new Unload();
            case UNLOAD_COMPLETE -> new UnloadComplete();
            case OPEN_RESERVED_CHANNEL ->
                new OpenReservedChannel(
                        b.getInt(OpenReservedChannelLayout.CHANNEL_ID_OFFSET),
                        b.getInt(OpenReservedChannelLayout.TARGET_VP_OFFSET),
                        b.getInt(OpenReservedChannelLayout.TARGET_SINT_OFFSET),
                        b.getInt(OpenReservedChannelLayout.RING_BUFFER_GPADL_ID_OFFSET),
                        b.getInt(OpenReservedChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET));
            case CLOSE_RESERVED_CHANNEL ->
                new CloseReservedChannel(
                        b.getInt(CloseReservedChannelLayout.CHANNEL_ID_OFFSET),
                        b.getInt(CloseReservedChannelLayout.TARGET_VP_OFFSET),
                        b.getInt(CloseReservedChannelLayout.TARGET_SINT_OFFSET));
            case CLOSE_RESERVED_RESPONSE ->
                new CloseReservedChannelResponse(b.getInt(CloseReservedChannelResponseLayout.CHANNEL_ID_OFFSET));
            case TL_CONNECT_REQUEST -> {
                final TlConnectRequestForm form = tlConnectRequestForm(length, context);
                yield new TlConnectRequest(
                        form,
                        Guid.read(b, TlConnectRequestLayout.ENDPOINT_ID_OFFSET),
                        Guid.read(b, TlConnectRequestLayout.SERVICE_ID_OFFSET),
                        form == TlConnectRequestForm.V2
                                ? Guid.read(b, TlConnectRequest2Layout.SILO_ID_OFFSET)
                                : Guid.ZERO);
            }
            case MODIFY_CHANNEL ->
                new ModifyChannel(
                        b.getInt(ModifyChannelLayout.CHANNEL_ID_OFFSET),
                        b.getInt(ModifyChannelLayout.TARGET_VP_OFFSET));
            case TL_CONNECT_REQUEST_RESULT ->
                new TlConnectResult(
                        Guid.read(b, TlConnectResultLayout.ENDPOINT_ID_OFFSET),
                        Guid.read(b, TlConnectResultLayout.SERVICE_ID_OFFSET),
                        b.getInt(TlConnectResultLayout.STATUS_OFFSET));
            case MODIFY_CHANNEL_RESPONSE ->
                new ModifyChannelResponse(
                        b.getInt(ModifyChannelResponseLayout.CHANNEL_ID_OFFSET),
                        b.getInt(ModifyChannelResponseLayout.STATUS_OFFSET));
            case MODIFY_CONNECTION ->
                new ModifyConnection(
                        b.getLong(ModifyConnectionLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET),
                        b.getLong(ModifyConnectionLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET));
            case MODIFY_CONNECTION_RESPONSE ->
                new ModifyConnectionResponse(u8(b, ModifyConnectionResponseLayout.CONNECTION_STATE_OFFSET));
            case PAUSE -> new Pause();
            case PAUSE_RESPONSE -> new PauseResponse();
            case RESUME -> new Resume();
        };
    }

    /**
     * The encoded size of a message, header included.
     *
     * @param message the message
     * @return bytes
     */
    public static int encodedSize(final ChannelMessage message) {
        return switch (message) {
            case OfferChannel m -> OfferChannelLayout.SIZE;
            case RescindChannelOffer m -> RescindChannelOfferLayout.SIZE;
            case RequestOffers m -> ChannelMessageHeaderLayout.SIZE;
            case AllOffersDelivered m -> ChannelMessageHeaderLayout.SIZE;
            case OpenChannel m -> m.form().size();
            case OpenResult m -> OpenResultLayout.SIZE;
            case CloseChannel m -> CloseChannelLayout.SIZE;
            case GpadlHeader m -> GpadlHeaderLayout.DATA_OFFSET + m.data().length();
            case GpadlBody m -> GpadlBodyLayout.DATA_OFFSET + m.data().length();
            case GpadlCreated m -> GpadlCreatedLayout.SIZE;
            case GpadlTeardown m -> GpadlTeardownLayout.SIZE;
            case GpadlTorndown m -> GpadlTorndownLayout.SIZE;
            case RelIdReleased m -> RelIdReleasedLayout.SIZE;
            case InitiateContact m -> m.form().size();
            case VersionResponse m -> m.form().size();
            case Unload m -> ChannelMessageHeaderLayout.SIZE;
            case UnloadComplete m -> ChannelMessageHeaderLayout.SIZE;
            case OpenReservedChannel m -> OpenReservedChannelLayout.SIZE;
            case CloseReservedChannel m -> CloseReservedChannelLayout.SIZE;
            case CloseReservedChannelResponse m -> CloseReservedChannelResponseLayout.SIZE;
            case TlConnectRequest m -> m.form().size();
            case ModifyChannel m -> ModifyChannelLayout.SIZE;
            case TlConnectResult m -> TlConnectResultLayout.SIZE;
            case ModifyChannelResponse m -> ModifyChannelResponseLayout.SIZE;
            case ModifyConnection m -> ModifyConnectionLayout.SIZE;
            case ModifyConnectionResponse m -> ModifyConnectionResponseLayout.SIZE;
            case Pause m -> ChannelMessageHeaderLayout.SIZE;
            case PauseResponse m -> ChannelMessageHeaderLayout.SIZE;
            case Resume m -> ChannelMessageHeaderLayout.SIZE;
        };
    }

    /**
     * Encodes a message into a new array.
     *
     * @param message the message
     * @return the bytes, header included
     * @throws IllegalArgumentException if the message would exceed 240 bytes (GPADL messages with too much data)
     */
    public static byte[] encode(final ChannelMessage message) {
        final byte[] out = new byte[encodedSize(message)];
        encode(message, ByteBuffer.wrap(out), 0);
        return out;
    }

    /**
     * Encodes a message into a buffer. Padding and reserved bytes are written as zero.
     *
     * @param message the message
     * @param dst the destination (its byte order is ignored)
     * @param offset absolute offset of the header
     * @return the number of bytes written
     * @throws IllegalArgumentException if the message would exceed 240 bytes
     */
    public static int encode(final ChannelMessage message, final ByteBuffer dst, final int offset) {
        final int size = encodedSize(message);
        if (size > MAX_MESSAGE_SIZE) {
            throw new IllegalArgumentException(
                    message.type() + " size=" + size + " (expected: <= " + MAX_MESSAGE_SIZE + ")");
        }
        final ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size; i++) {
            b.put(offset + i, (byte) 0);
        }
        final int o = offset;
        b.putInt(
                o + ChannelMessageHeaderLayout.MESSAGE_TYPE_OFFSET,
                message.type().number());
        switch (message) {
            case OfferChannel m -> {
                m.interfaceId().write(b, o + OfferChannelLayout.INTERFACE_ID_OFFSET);
                m.instanceId().write(b, o + OfferChannelLayout.INSTANCE_ID_OFFSET);
                b.putShort(o + OfferChannelLayout.FLAGS_OFFSET, (short) m.flags());
                b.putShort(o + OfferChannelLayout.MMIO_MEGABYTES_OFFSET, (short) m.mmioMegabytes());
                m.userDefined().copyTo(b, o + OfferChannelLayout.USER_DEFINED_OFFSET);
                b.putShort(o + OfferChannelLayout.SUBCHANNEL_INDEX_OFFSET, (short) m.subchannelIndex());
                b.putShort(o + OfferChannelLayout.MMIO_MEGABYTES_OPTIONAL_OFFSET, (short) m.mmioMegabytesOptional());
                b.putInt(o + OfferChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.put(o + OfferChannelLayout.MONITOR_ID_OFFSET, (byte) m.monitorId());
                b.put(o + OfferChannelLayout.MONITOR_ALLOCATED_OFFSET, (byte)
                        (m.monitorAllocated() ? OfferChannelLayout.MONITOR_ALLOCATED_MASK : 0));
                b.putShort(o + OfferChannelLayout.IS_DEDICATED_OFFSET, (short)
                        (m.dedicatedInterrupt() ? OfferChannelLayout.IS_DEDICATED_MASK : 0));
                b.putInt(o + OfferChannelLayout.CONNECTION_ID_OFFSET, m.connectionId());
            }
            case RescindChannelOffer m -> b.putInt(o + RescindChannelOfferLayout.CHANNEL_ID_OFFSET, m.channelId());
            case RequestOffers m -> {}
            case AllOffersDelivered m -> {}
            case OpenChannel m -> {
                b.putInt(o + OpenChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + OpenChannelLayout.OPEN_ID_OFFSET, m.openId());
                b.putInt(o + OpenChannelLayout.RING_BUFFER_GPADL_ID_OFFSET, m.ringBufferGpadlId());
                b.putInt(o + OpenChannelLayout.TARGET_VP_OFFSET, m.targetVp());
                b.putInt(
                        o + OpenChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET,
                        m.downstreamRingBufferPageOffset());
                m.userData().copyTo(b, o + OpenChannelLayout.USER_DATA_OFFSET);
                if (m.form() == OpenChannelForm.V2) {
                    b.putInt(o + OpenChannel2Layout.CONNECTION_ID_OFFSET, m.connectionId());
                    b.putShort(o + OpenChannel2Layout.EVENT_FLAG_OFFSET, (short) m.eventFlag());
                    b.putShort(o + OpenChannel2Layout.FLAGS_OFFSET, (short) m.flags());
                }
            }
            case OpenResult m -> {
                b.putInt(o + OpenResultLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + OpenResultLayout.OPEN_ID_OFFSET, m.openId());
                b.putInt(o + OpenResultLayout.STATUS_OFFSET, m.status());
            }
            case CloseChannel m -> b.putInt(o + CloseChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
            case GpadlHeader m -> {
                b.putInt(o + GpadlHeaderLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + GpadlHeaderLayout.GPADL_ID_OFFSET, m.gpadlId());
                b.putShort(o + GpadlHeaderLayout.RANGE_BUFFER_LENGTH_OFFSET, (short) m.rangeBufferLength());
                b.putShort(o + GpadlHeaderLayout.RANGE_COUNT_OFFSET, (short) m.rangeCount());
                m.data().copyTo(b, o + GpadlHeaderLayout.DATA_OFFSET);
            }
            case GpadlBody m -> {
                b.putInt(o + GpadlBodyLayout.MESSAGE_NUMBER_OFFSET, m.messageNumber());
                b.putInt(o + GpadlBodyLayout.GPADL_ID_OFFSET, m.gpadlId());
                m.data().copyTo(b, o + GpadlBodyLayout.DATA_OFFSET);
            }
            case GpadlCreated m -> {
                b.putInt(o + GpadlCreatedLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + GpadlCreatedLayout.GPADL_ID_OFFSET, m.gpadlId());
                b.putInt(o + GpadlCreatedLayout.STATUS_OFFSET, m.status());
            }
            case GpadlTeardown m -> {
                b.putInt(o + GpadlTeardownLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + GpadlTeardownLayout.GPADL_ID_OFFSET, m.gpadlId());
            }
            case GpadlTorndown m -> b.putInt(o + GpadlTorndownLayout.GPADL_ID_OFFSET, m.gpadlId());
            case RelIdReleased m -> b.putInt(o + RelIdReleasedLayout.CHANNEL_ID_OFFSET, m.channelId());
            case InitiateContact m -> {
                b.putInt(o + InitiateContactLayout.VERSION_REQUESTED_OFFSET, m.versionRequested());
                b.putInt(o + InitiateContactLayout.TARGET_MESSAGE_VP_OFFSET, m.targetMessageVp());
                b.putLong(
                        o + InitiateContactLayout.INTERRUPT_PAGE_OR_TARGET_INFO_OFFSET, m.interruptPageOrTargetInfo());
                b.putLong(
                        o + InitiateContactLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET,
                        m.parentToChildMonitorPageGpa());
                b.putLong(
                        o + InitiateContactLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET,
                        m.childToParentMonitorPageGpa());
                if (m.form() == InitiateContactForm.V2) {
                    m.clientId().write(b, o + InitiateContact2Layout.CLIENT_ID_OFFSET);
                }
            }
            case VersionResponse m -> {
                b.put(o + VersionResponseLayout.VERSION_SUPPORTED_OFFSET, (byte) m.versionSupported());
                b.put(o + VersionResponseLayout.CONNECTION_STATE_OFFSET, (byte) m.connectionState());
                b.putInt(
                        o + VersionResponseLayout.SELECTED_VERSION_OR_CONNECTION_ID_OFFSET,
                        m.selectedVersionOrConnectionId());
                if (m.form() != VersionResponseForm.V1) {
                    b.putInt(o + VersionResponse2Layout.SUPPORTED_FEATURES_OFFSET, m.supportedFeatures());
                }
                if (m.form() == VersionResponseForm.V3) {
                    b.putLong(
                            o + VersionResponse3Layout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET,
                            m.parentToChildMonitorPageGpa());
                    b.putLong(
                            o + VersionResponse3Layout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET,
                            m.childToParentMonitorPageGpa());
                }
            }
            case Unload m -> {}
            case UnloadComplete m -> {}
            case OpenReservedChannel m -> {
                b.putInt(o + OpenReservedChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + OpenReservedChannelLayout.TARGET_VP_OFFSET, m.targetVp());
                b.putInt(o + OpenReservedChannelLayout.TARGET_SINT_OFFSET, m.targetSint());
                b.putInt(o + OpenReservedChannelLayout.RING_BUFFER_GPADL_ID_OFFSET, m.ringBufferGpadlId());
                b.putInt(
                        o + OpenReservedChannelLayout.DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET,
                        m.downstreamRingBufferPageOffset());
            }
            case CloseReservedChannel m -> {
                b.putInt(o + CloseReservedChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + CloseReservedChannelLayout.TARGET_VP_OFFSET, m.targetVp());
                b.putInt(o + CloseReservedChannelLayout.TARGET_SINT_OFFSET, m.targetSint());
            }
            case CloseReservedChannelResponse m ->
                b.putInt(o + CloseReservedChannelResponseLayout.CHANNEL_ID_OFFSET, m.channelId());
            case TlConnectRequest m -> {
                m.endpointId().write(b, o + TlConnectRequestLayout.ENDPOINT_ID_OFFSET);
                m.serviceId().write(b, o + TlConnectRequestLayout.SERVICE_ID_OFFSET);
                if (m.form() == TlConnectRequestForm.V2) {
                    m.siloId().write(b, o + TlConnectRequest2Layout.SILO_ID_OFFSET);
                }
            }
            case ModifyChannel m -> {
                b.putInt(o + ModifyChannelLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + ModifyChannelLayout.TARGET_VP_OFFSET, m.targetVp());
            }
            case TlConnectResult m -> {
                m.endpointId().write(b, o + TlConnectResultLayout.ENDPOINT_ID_OFFSET);
                m.serviceId().write(b, o + TlConnectResultLayout.SERVICE_ID_OFFSET);
                b.putInt(o + TlConnectResultLayout.STATUS_OFFSET, m.status());
            }
            case ModifyChannelResponse m -> {
                b.putInt(o + ModifyChannelResponseLayout.CHANNEL_ID_OFFSET, m.channelId());
                b.putInt(o + ModifyChannelResponseLayout.STATUS_OFFSET, m.status());
            }
            case ModifyConnection m -> {
                b.putLong(
                        o + ModifyConnectionLayout.PARENT_TO_CHILD_MONITOR_PAGE_GPA_OFFSET,
                        m.parentToChildMonitorPageGpa());
                b.putLong(
                        o + ModifyConnectionLayout.CHILD_TO_PARENT_MONITOR_PAGE_GPA_OFFSET,
                        m.childToParentMonitorPageGpa());
            }
            case ModifyConnectionResponse m ->
                b.put(o + ModifyConnectionResponseLayout.CONNECTION_STATE_OFFSET, (byte) m.connectionState());
            case Pause m -> {}
            case PauseResponse m -> {}
            case Resume m -> {}
        }
        return size;
    }
}
