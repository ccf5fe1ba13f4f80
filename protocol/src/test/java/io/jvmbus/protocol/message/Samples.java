package io.jvmbus.protocol.message;

import io.jvmbus.protocol.Blob;
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
import java.util.List;

/**
 * One sample of every message and every size variant, each with its wire bytes spelled out independently with
 * {@link Wire} (field by field, in the order the reference and Linux declare them), the side that receives it and a
 * context in which it decodes.
 */
final class Samples {

    /** Copper with every feature flag. */
    static final DecodeContext COPPER_ALL = DecodeContext.connected(ProtocolVersion.COPPER, 0xFF);
    /** Copper without the two flags that select OpenChannel2. */
    static final DecodeContext COPPER_NO_SIGNAL = DecodeContext.connected(ProtocolVersion.COPPER, 0xFC);

    static final String IF_ID = "f8615163-df3e-46c5-913f-f2d2f965ed0e";
    static final String INST_ID = "01020304-0506-0708-090a-0b0c0d0e0f10";
    static final String ENDPOINT = "a1a2a3a4-b1b2-c1c2-d1d2-e1e2e3e4e5e6";
    static final String SERVICE = "11223344-5566-7788-99aa-bbccddeeff00";
    static final String SILO = "deadbeef-cafe-f00d-8bad-f00d00000001";

    /**
     * A sample.
     *
     * @param name readable name
     * @param message the record
     * @param wire its exact bytes
     * @param receiver the direction of messages the receiving side accepts
     * @param context a context in which the bytes decode to {@code message}
     * @param fixedSize the size of the struct without trailing data (the GPADL messages carry data after it)
     * @param shorterForm the form the decoder falls back to when the message is one byte short, or null if it fails
     */
    record Sample(
            String name,
            ChannelMessage message,
            byte[] wire,
            Direction receiver,
            DecodeContext context,
            int fixedSize,
            Object shorterForm) {

        @Override
        public String toString() {
            return name;
        }
    }

    private Samples() {}

    private static Sample g2h(final String name, final ChannelMessage m, final Wire w, final DecodeContext c) {
        final byte[] b = w.build();
        return new Sample(name, m, b, Direction.GUEST_TO_HOST, c, b.length, null);
    }

    private static Sample h2g(final String name, final ChannelMessage m, final Wire w, final DecodeContext c) {
        final byte[] b = w.build();
        return new Sample(name, m, b, Direction.HOST_TO_GUEST, c, b.length, null);
    }

    private static Sample withFixed(final Sample s, final int fixedSize) {
        return new Sample(s.name(), s.message(), s.wire(), s.receiver(), s.context(), fixedSize, s.shorterForm());
    }

    private static Sample withShorter(final Sample s, final Object shorterForm) {
        return new Sample(s.name(), s.message(), s.wire(), s.receiver(), s.context(), s.fixedSize(), shorterForm);
    }

    private static Guid g(final String text) {
        return Guid.parse(text);
    }

    static List<Sample> all() {
        final byte[] userDefined = Wire.countingBytes(0x40, 120);
        final byte[] userData = Wire.countingBytes(0x80, 120);
        final byte[] gpadlData = Wire.bytes()
                .u32(8192)
                .u32(0x10) // range header: byte_count, byte_offset
                .u64(0x1_0000_0001L)
                .u64(0x1_0000_0002L)
                .u64(0x1_0000_0003L)
                .build();
        return List.of(
                h2g(
                        "OFFER_CHANNEL",
                        new OfferChannel(
                                g(IF_ID),
                                g(INST_ID),
                                0x2011,
                                0x0203,
                                Blob.of(userDefined),
                                0x0405,
                                0x0607,
                                0x11223344,
                                0x7F,
                                true,
                                true,
                                0x55667788),
                        Wire.message(1)
                                .guid(IF_ID)
                                .guid(INST_ID)
                                .zeros(16)
                                .u16(0x2011)
                                .u16(0x0203)
                                .raw(userDefined)
                                .u16(0x0405)
                                .u16(0x0607)
                                .u32(0x11223344)
                                .u8(0x7F)
                                .u8(1)
                                .u16(1)
                                .u32(0x55667788),
                        COPPER_ALL),
                h2g(
                        "RESCIND_CHANNEL_OFFER",
                        new RescindChannelOffer(0x01020304),
                        Wire.message(2).u32(0x01020304),
                        COPPER_ALL),
                g2h("REQUEST_OFFERS", new RequestOffers(), Wire.message(3), COPPER_ALL),
                h2g("ALL_OFFERS_DELIVERED", new AllOffersDelivered(), Wire.message(4), COPPER_ALL),
                g2h(
                        "OPEN_CHANNEL (OpenChannel, 148)",
                        new OpenChannel(
                                OpenChannelForm.V1,
                                0x0A,
                                0x0B0C0D0E,
                                0x10203040,
                                0xFFFFFFFF,
                                0x00000010,
                                Blob.of(userData),
                                0,
                                0,
                                0),
                        Wire.message(5)
                                .u32(0x0A)
                                .u32(0x0B0C0D0E)
                                .u32(0x10203040)
                                .u32(0xFFFFFFFF)
                                .u32(0x10)
                                .raw(userData),
                        COPPER_NO_SIGNAL),
                g2h(
                        "OPEN_CHANNEL (OpenChannel2, 156)",
                        new OpenChannel(
                                OpenChannelForm.V2,
                                0x0A,
                                0x0B0C0D0E,
                                0x10203040,
                                3,
                                0x00000010,
                                Blob.of(userData),
                                0x00002001,
                                0x0102,
                                0x0001),
                        Wire.message(5)
                                .u32(0x0A)
                                .u32(0x0B0C0D0E)
                                .u32(0x10203040)
                                .u32(3)
                                .u32(0x10)
                                .raw(userData)
                                .u32(0x2001)
                                .u16(0x0102)
                                .u16(1),
                        COPPER_ALL),
                h2g(
                        "OPEN_CHANNEL_RESULT",
                        new OpenResult(0x0A, 0x0B0C0D0E, 0x8000FFFF),
                        Wire.message(6).u32(0x0A).u32(0x0B0C0D0E).u32(0x8000FFFF),
                        COPPER_ALL),
                g2h("CLOSE_CHANNEL", new CloseChannel(5), Wire.message(7).u32(5), COPPER_ALL),
                withFixed(
                        g2h(
                                "GPADL_HEADER with one range",
                                new GpadlHeader(0x0A, 0x00E1E10, 32, 1, Blob.of(gpadlData)),
                                Wire.message(8)
                                        .u32(0x0A)
                                        .u32(0x00E1E10)
                                        .u16(32)
                                        .u16(1)
                                        .raw(gpadlData),
                                COPPER_ALL),
                        20),
                g2h(
                        "GPADL_HEADER without data",
                        new GpadlHeader(1, 2, 0, 0, Blob.EMPTY),
                        Wire.message(8).u32(1).u32(2).u16(0).u16(0),
                        COPPER_ALL),
                withFixed(
                        g2h(
                                "GPADL_BODY",
                                new GpadlBody(0, 0x00E1E10, Blob.of(gpadlData)),
                                Wire.message(9).u32(0).u32(0x00E1E10).raw(gpadlData),
                                COPPER_ALL),
                        16),
                h2g(
                        "GPADL_CREATED",
                        new GpadlCreated(0x0A, 0x00E1E10, 0),
                        Wire.message(10).u32(0x0A).u32(0x00E1E10).u32(0),
                        COPPER_ALL),
                g2h(
                        "GPADL_TEARDOWN",
                        new GpadlTeardown(0x0A, 0x00E1E10),
                        Wire.message(11).u32(0x0A).u32(0x00E1E10),
                        COPPER_ALL),
                h2g(
                        "GPADL_TORNDOWN",
                        new GpadlTorndown(0x00E1E10),
                        Wire.message(12).u32(0x00E1E10),
                        COPPER_ALL),
                g2h("REL_ID_RELEASED", new RelIdReleased(0x0A), Wire.message(13).u32(0x0A), COPPER_ALL),
                g2h(
                        "INITIATE_CONTACT (InitiateContact, 40)",
                        new InitiateContact(
                                InitiateContactForm.V1,
                                0x00050003,
                                1,
                                0x0000_0000_0000_0102L,
                                0x1000_2000L,
                                0x3000_4000L,
                                Guid.ZERO),
                        Wire.message(14)
                                .u32(0x00050003)
                                .u32(1)
                                .u8(2) // sint
                                .u8(1) // vtl
                                .u16(0)
                                .u32(0) // feature flags
                                .u64(0x1000_2000L)
                                .u64(0x3000_4000L),
                        DecodeContext.DISCONNECTED),
                withShorter(
                        g2h(
                                "INITIATE_CONTACT (InitiateContact2, 56)",
                                new InitiateContact(
                                        InitiateContactForm.V2,
                                        0x00060000,
                                        0,
                                        InitiateContact.targetInfo(2, 0, 0x2F),
                                        0,
                                        0x3000_4000L,
                                        g(INST_ID)),
                                Wire.message(14)
                                        .u32(0x00060000)
                                        .u32(0)
                                        .u8(2)
                                        .u8(0)
                                        .u16(0)
                                        .u32(0x2F)
                                        .u64(0)
                                        .u64(0x3000_4000L)
                                        .guid(INST_ID),
                                DecodeContext.DISCONNECTED),
                        InitiateContactForm.V1),
                h2g(
                        "VERSION_RESPONSE (VersionResponse, 16)",
                        new VersionResponse(VersionResponseForm.V1, 1, 0, 0x00010001, 0, 0, 0),
                        Wire.message(15).u8(1).u8(0).u16(0).u32(0x00010001),
                        DecodeContext.DISCONNECTED),
                withShorter(
                        h2g(
                                "VERSION_RESPONSE (VersionResponse2, 20)",
                                new VersionResponse(VersionResponseForm.V2, 1, 2, 1, 0x6F, 0, 0),
                                Wire.message(15).u8(1).u8(2).u16(0).u32(1).u32(0x6F),
                                DecodeContext.DISCONNECTED),
                        VersionResponseForm.V1),
                withShorter(
                        h2g(
                                "VERSION_RESPONSE (VersionResponse3, 40)",
                                new VersionResponse(VersionResponseForm.V3, 1, 0, 1, 0x6F, 0x0AB000L, 0x0CD000L),
                                Wire.message(15)
                                        .u8(1)
                                        .u8(0)
                                        .u16(0)
                                        .u32(1)
                                        .u32(0x6F)
                                        .u32(0)
                                        .u64(0x0AB000L)
                                        .u64(0x0CD000L),
                                DecodeContext.DISCONNECTED),
                        VersionResponseForm.V2),
                g2h("UNLOAD", new Unload(), Wire.message(16), COPPER_ALL),
                h2g("UNLOAD_COMPLETE", new UnloadComplete(), Wire.message(17), COPPER_ALL),
                g2h(
                        "OPEN_RESERVED_CHANNEL",
                        new OpenReservedChannel(0x0A, 3, 7, 0x00E1E10, 0x20),
                        Wire.message(18).u32(0x0A).u32(3).u32(7).u32(0x00E1E10).u32(0x20),
                        COPPER_ALL),
                g2h(
                        "CLOSE_RESERVED_CHANNEL",
                        new CloseReservedChannel(0x0A, 3, 7),
                        Wire.message(19).u32(0x0A).u32(3).u32(7),
                        DecodeContext.DISCONNECTED),
                h2g(
                        "CLOSE_RESERVED_RESPONSE",
                        new CloseReservedChannelResponse(0x0A),
                        Wire.message(20).u32(0x0A),
                        COPPER_ALL),
                g2h(
                        "TL_CONNECT_REQUEST (TlConnectRequest, 40)",
                        new TlConnectRequest(TlConnectRequestForm.V1, g(ENDPOINT), g(SERVICE), Guid.ZERO),
                        Wire.message(21).guid(ENDPOINT).guid(SERVICE),
                        COPPER_ALL),
                withShorter(
                        g2h(
                                "TL_CONNECT_REQUEST (TlConnectRequest2, 56)",
                                new TlConnectRequest(TlConnectRequestForm.V2, g(ENDPOINT), g(SERVICE), g(SILO)),
                                Wire.message(21).guid(ENDPOINT).guid(SERVICE).guid(SILO),
                                DecodeContext.connected(ProtocolVersion.WIN10_RS5, 0)),
                        TlConnectRequestForm.V1),
                g2h(
                        "MODIFY_CHANNEL",
                        new ModifyChannel(0x0A, 5),
                        Wire.message(22).u32(0x0A).u32(5),
                        COPPER_ALL),
                h2g(
                        "TL_CONNECT_REQUEST_RESULT",
                        new TlConnectResult(g(ENDPOINT), g(SERVICE), 0xC0000236),
                        Wire.message(23).guid(ENDPOINT).guid(SERVICE).u32(0xC0000236),
                        COPPER_ALL),
                h2g(
                        "MODIFY_CHANNEL_RESPONSE",
                        new ModifyChannelResponse(0x0A, 0x8000FFFF),
                        Wire.message(24).u32(0x0A).u32(0x8000FFFF),
                        COPPER_ALL),
                g2h(
                        "MODIFY_CONNECTION",
                        new ModifyConnection(0x1_2345_6000L, 0x7_89AB_C000L),
                        Wire.message(25).u64(0x1_2345_6000L).u64(0x7_89AB_C000L),
                        COPPER_ALL),
                h2g(
                        "MODIFY_CONNECTION_RESPONSE",
                        new ModifyConnectionResponse(2),
                        Wire.message(26).u8(2),
                        COPPER_ALL),
                g2h("PAUSE", new Pause(), Wire.message(27), COPPER_ALL),
                h2g("PAUSE_RESPONSE", new PauseResponse(), Wire.message(28), COPPER_ALL),
                g2h("RESUME", new Resume(), Wire.message(29), COPPER_ALL));
    }
}
