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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Decodes and encodes channel messages byte-exactly (header included). Decoding applies the reference's gates in its
 * order: header size, message number, connection/version/feature gate, direction, struct size. It never throws for
 * bad input; it returns {@link DecodeResult.Failed} with a {@link DecodeError}.
 */
public final class MessageCodec {

    /** Size of the channel message header (message_type u32, padding u32). */
    public static final int HEADER_SIZE = 8;
    /** Largest message: the whole SynIC payload. */
    public static final int MAX_MESSAGE_SIZE = 240;

    private MessageCodec() {}

    /**
     * Decodes one message.
     *
     * @param data the bytes (not retained)
     * @param offset first byte of the message header
     * @param length message length, header included
     * @param receiver the side receiving it: messages of the other direction are {@link
     *     DecodeError.Kind#WRONG_DIRECTION}
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
            return fail(DecodeError.Kind.TOO_SHORT, -1, Math.max(0, data.length - Math.max(0, offset)), length);
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
            case OFFER_CHANNEL -> 196;
            case RESCIND_CHANNEL_OFFER, CLOSE_CHANNEL, GPADL_TORNDOWN, REL_ID_RELEASED, CLOSE_RESERVED_RESPONSE -> 12;
            case REQUEST_OFFERS, ALL_OFFERS_DELIVERED, UNLOAD, UNLOAD_COMPLETE, PAUSE, PAUSE_RESPONSE, RESUME ->
                HEADER_SIZE;
            case OPEN_CHANNEL -> openChannelForm(context).size();
            case OPEN_CHANNEL_RESULT, GPADL_CREATED, GPADL_HEADER, CLOSE_RESERVED_CHANNEL -> 20;
            case GPADL_BODY, GPADL_TEARDOWN, MODIFY_CHANNEL, MODIFY_CHANNEL_RESPONSE -> 16;
            case INITIATE_CONTACT -> initiateContactForm(length).size();
            case VERSION_RESPONSE -> versionResponseForm(length).size();
            case OPEN_RESERVED_CHANNEL -> 28;
            case TL_CONNECT_REQUEST -> tlConnectRequestForm(length, context).size();
            case TL_CONNECT_REQUEST_RESULT -> 44;
            case MODIFY_CONNECTION -> 24;
            case MODIFY_CONNECTION_RESPONSE -> 9;
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
        return length - HEADER_SIZE >= 48 ? InitiateContactForm.V2 : InitiateContactForm.V1;
    }

    /** VersionResponse3 if the payload is at least 32 bytes, VersionResponse2 if at least 12. */
    static VersionResponseForm versionResponseForm(final int length) {
        final int payload = length - HEADER_SIZE;
        if (payload >= 32) {
            return VersionResponseForm.V3;
        }
        return payload >= 12 ? VersionResponseForm.V2 : VersionResponseForm.V1;
    }

    /** TlConnectRequest2 if the negotiated version is at least 5.2 and the payload at least 48 bytes. */
    static TlConnectRequestForm tlConnectRequestForm(final int length, final DecodeContext context) {
        return context.atLeast(ProtocolVersion.WIN10_RS5) && length - HEADER_SIZE >= 48
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
                        Guid.read(b, 8),
                        Guid.read(b, 24),
                        u16(b, 56),
                        u16(b, 58),
                        bytes(b, 60, ChannelMessage.USER_DEFINED_SIZE),
                        u16(b, 180),
                        u16(b, 182),
                        b.getInt(184),
                        u8(b, 188),
                        (b.get(189) & 1) != 0,
                        (b.getShort(190) & 1) != 0,
                        b.getInt(192));
            case RESCIND_CHANNEL_OFFER -> new RescindChannelOffer(b.getInt(8));
            case REQUEST_OFFERS -> new RequestOffers();
            case ALL_OFFERS_DELIVERED -> new AllOffersDelivered();
            case OPEN_CHANNEL -> {
                final OpenChannelForm form = openChannelForm(context);
                final boolean v2 = form == OpenChannelForm.V2;
                yield new OpenChannel(
                        form,
                        b.getInt(8),
                        b.getInt(12),
                        b.getInt(16),
                        b.getInt(20),
                        b.getInt(24),
                        bytes(b, 28, ChannelMessage.USER_DEFINED_SIZE),
                        v2 ? b.getInt(148) : 0,
                        v2 ? u16(b, 152) : 0,
                        v2 ? u16(b, 154) : 0);
            }
            case OPEN_CHANNEL_RESULT -> new OpenResult(b.getInt(8), b.getInt(12), b.getInt(16));
            case CLOSE_CHANNEL -> new CloseChannel(b.getInt(8));
            case GPADL_HEADER ->
                new GpadlHeader(b.getInt(8), b.getInt(12), u16(b, 16), u16(b, 18), bytes(b, 20, length - 20));
            case GPADL_BODY -> new GpadlBody(b.getInt(8), b.getInt(12), bytes(b, 16, length - 16));
            case GPADL_CREATED -> new GpadlCreated(b.getInt(8), b.getInt(12), b.getInt(16));
            case GPADL_TEARDOWN -> new GpadlTeardown(b.getInt(8), b.getInt(12));
            case GPADL_TORNDOWN -> new GpadlTorndown(b.getInt(8));
            case REL_ID_RELEASED -> new RelIdReleased(b.getInt(8));
            case INITIATE_CONTACT -> {
                final InitiateContactForm form = initiateContactForm(length);
                yield new InitiateContact(
                        form,
                        b.getInt(8),
                        b.getInt(12),
                        b.getLong(16),
                        b.getLong(24),
                        b.getLong(32),
                        form == InitiateContactForm.V2 ? Guid.read(b, 40) : Guid.ZERO);
            }
            case VERSION_RESPONSE -> {
                final VersionResponseForm form = versionResponseForm(length);
                yield new VersionResponse(
                        form,
                        u8(b, 8),
                        u8(b, 9),
                        b.getInt(12),
                        form != VersionResponseForm.V1 ? b.getInt(16) : 0,
                        form == VersionResponseForm.V3 ? b.getLong(24) : 0,
                        form == VersionResponseForm.V3 ? b.getLong(32) : 0);
            }
            case UNLOAD -> new Unload();
            case UNLOAD_COMPLETE -> new UnloadComplete();
            case OPEN_RESERVED_CHANNEL ->
                new OpenReservedChannel(b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20), b.getInt(24));
            case CLOSE_RESERVED_CHANNEL -> new CloseReservedChannel(b.getInt(8), b.getInt(12), b.getInt(16));
            case CLOSE_RESERVED_RESPONSE -> new CloseReservedChannelResponse(b.getInt(8));
            case TL_CONNECT_REQUEST -> {
                final TlConnectRequestForm form = tlConnectRequestForm(length, context);
                yield new TlConnectRequest(
                        form,
                        Guid.read(b, 8),
                        Guid.read(b, 24),
                        form == TlConnectRequestForm.V2 ? Guid.read(b, 40) : Guid.ZERO);
            }
            case MODIFY_CHANNEL -> new ModifyChannel(b.getInt(8), b.getInt(12));
            case TL_CONNECT_REQUEST_RESULT -> new TlConnectResult(Guid.read(b, 8), Guid.read(b, 24), b.getInt(40));
            case MODIFY_CHANNEL_RESPONSE -> new ModifyChannelResponse(b.getInt(8), b.getInt(12));
            case MODIFY_CONNECTION -> new ModifyConnection(b.getLong(8), b.getLong(16));
            case MODIFY_CONNECTION_RESPONSE -> new ModifyConnectionResponse(u8(b, 8));
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
            case OfferChannel m -> 196;
            case RescindChannelOffer m -> 12;
            case RequestOffers m -> HEADER_SIZE;
            case AllOffersDelivered m -> HEADER_SIZE;
            case OpenChannel m -> m.form().size();
            case OpenResult m -> 20;
            case CloseChannel m -> 12;
            case GpadlHeader m -> 20 + m.data().length();
            case GpadlBody m -> 16 + m.data().length();
            case GpadlCreated m -> 20;
            case GpadlTeardown m -> 16;
            case GpadlTorndown m -> 12;
            case RelIdReleased m -> 12;
            case InitiateContact m -> m.form().size();
            case VersionResponse m -> m.form().size();
            case Unload m -> HEADER_SIZE;
            case UnloadComplete m -> HEADER_SIZE;
            case OpenReservedChannel m -> 28;
            case CloseReservedChannel m -> 20;
            case CloseReservedChannelResponse m -> 12;
            case TlConnectRequest m -> m.form().size();
            case ModifyChannel m -> 16;
            case TlConnectResult m -> 44;
            case ModifyChannelResponse m -> 16;
            case ModifyConnection m -> 24;
            case ModifyConnectionResponse m -> 9;
            case Pause m -> HEADER_SIZE;
            case PauseResponse m -> HEADER_SIZE;
            case Resume m -> HEADER_SIZE;
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
        b.putInt(offset, message.type().number());
        final int o = offset;
        switch (message) {
            case OfferChannel m -> {
                m.interfaceId().write(b, o + 8);
                m.instanceId().write(b, o + 24);
                b.putShort(o + 56, (short) m.flags());
                b.putShort(o + 58, (short) m.mmioMegabytes());
                m.userDefined().copyTo(b, o + 60);
                b.putShort(o + 180, (short) m.subchannelIndex());
                b.putShort(o + 182, (short) m.mmioMegabytesOptional());
                b.putInt(o + 184, m.channelId());
                b.put(o + 188, (byte) m.monitorId());
                b.put(o + 189, (byte) (m.monitorAllocated() ? 1 : 0));
                b.putShort(o + 190, (short) (m.dedicatedInterrupt() ? 1 : 0));
                b.putInt(o + 192, m.connectionId());
            }
            case RescindChannelOffer m -> b.putInt(o + 8, m.channelId());
            case RequestOffers m -> {}
            case AllOffersDelivered m -> {}
            case OpenChannel m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.openId());
                b.putInt(o + 16, m.ringBufferGpadlId());
                b.putInt(o + 20, m.targetVp());
                b.putInt(o + 24, m.downstreamRingBufferPageOffset());
                m.userData().copyTo(b, o + 28);
                if (m.form() == OpenChannelForm.V2) {
                    b.putInt(o + 148, m.connectionId());
                    b.putShort(o + 152, (short) m.eventFlag());
                    b.putShort(o + 154, (short) m.flags());
                }
            }
            case OpenResult m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.openId());
                b.putInt(o + 16, m.status());
            }
            case CloseChannel m -> b.putInt(o + 8, m.channelId());
            case GpadlHeader m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.gpadlId());
                b.putShort(o + 16, (short) m.rangeBufferLength());
                b.putShort(o + 18, (short) m.rangeCount());
                m.data().copyTo(b, o + 20);
            }
            case GpadlBody m -> {
                b.putInt(o + 8, m.messageNumber());
                b.putInt(o + 12, m.gpadlId());
                m.data().copyTo(b, o + 16);
            }
            case GpadlCreated m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.gpadlId());
                b.putInt(o + 16, m.status());
            }
            case GpadlTeardown m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.gpadlId());
            }
            case GpadlTorndown m -> b.putInt(o + 8, m.gpadlId());
            case RelIdReleased m -> b.putInt(o + 8, m.channelId());
            case InitiateContact m -> {
                b.putInt(o + 8, m.versionRequested());
                b.putInt(o + 12, m.targetMessageVp());
                b.putLong(o + 16, m.interruptPageOrTargetInfo());
                b.putLong(o + 24, m.parentToChildMonitorPageGpa());
                b.putLong(o + 32, m.childToParentMonitorPageGpa());
                if (m.form() == InitiateContactForm.V2) {
                    m.clientId().write(b, o + 40);
                }
            }
            case VersionResponse m -> {
                b.put(o + 8, (byte) m.versionSupported());
                b.put(o + 9, (byte) m.connectionState());
                b.putInt(o + 12, m.selectedVersionOrConnectionId());
                if (m.form() != VersionResponseForm.V1) {
                    b.putInt(o + 16, m.supportedFeatures());
                }
                if (m.form() == VersionResponseForm.V3) {
                    b.putLong(o + 24, m.parentToChildMonitorPageGpa());
                    b.putLong(o + 32, m.childToParentMonitorPageGpa());
                }
            }
            case Unload m -> {}
            case UnloadComplete m -> {}
            case OpenReservedChannel m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.targetVp());
                b.putInt(o + 16, m.targetSint());
                b.putInt(o + 20, m.ringBufferGpadlId());
                b.putInt(o + 24, m.downstreamRingBufferPageOffset());
            }
            case CloseReservedChannel m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.targetVp());
                b.putInt(o + 16, m.targetSint());
            }
            case CloseReservedChannelResponse m -> b.putInt(o + 8, m.channelId());
            case TlConnectRequest m -> {
                m.endpointId().write(b, o + 8);
                m.serviceId().write(b, o + 24);
                if (m.form() == TlConnectRequestForm.V2) {
                    m.siloId().write(b, o + 40);
                }
            }
            case ModifyChannel m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.targetVp());
            }
            case TlConnectResult m -> {
                m.endpointId().write(b, o + 8);
                m.serviceId().write(b, o + 24);
                b.putInt(o + 40, m.status());
            }
            case ModifyChannelResponse m -> {
                b.putInt(o + 8, m.channelId());
                b.putInt(o + 12, m.status());
            }
            case ModifyConnection m -> {
                b.putLong(o + 8, m.parentToChildMonitorPageGpa());
                b.putLong(o + 16, m.childToParentMonitorPageGpa());
            }
            case ModifyConnectionResponse m -> b.put(o + 8, (byte) m.connectionState());
            case Pause m -> {}
            case PauseResponse m -> {}
            case Resume m -> {}
        }
        return size;
    }
}
