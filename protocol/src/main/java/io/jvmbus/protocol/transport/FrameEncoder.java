package io.jvmbus.protocol.transport;

import io.jvmbus.protocol.Blob;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes frames, header included, little-endian. The records already hold only legal values, so encoding cannot fail
 * except for lack of room in the destination. An ERROR message longer than a str holds is cut on a character
 * boundary.
 */
public final class FrameEncoder {

    private FrameEncoder() {}

    /**
     * The encoded size, header included.
     *
     * @param frame the frame
     * @return header plus body bytes
     */
    public static int encodedLength(final Frame frame) {
        return FrameHeaderLayout.SIZE + bodyLength(frame);
    }

    /**
     * Encodes into a new array.
     *
     * @param frame the frame
     * @return header and body
     */
    public static byte[] encode(final Frame frame) {
        final byte[] out = new byte[encodedLength(frame)];
        encode(frame, ByteBuffer.wrap(out));
        return out;
    }

    /**
     * Encodes at the destination's position and advances it.
     *
     * @param frame the frame
     * @param dst the destination, with at least {@link #encodedLength(Frame)} bytes remaining
     * @throws java.nio.BufferOverflowException if it has less room
     */
    public static void encode(final Frame frame, final ByteBuffer dst) {
        final ByteBuffer b = dst.slice().order(ByteOrder.LITTLE_ENDIAN);
        final int body = bodyLength(frame);
        b.putInt(FrameHeaderLayout.LENGTH_OFFSET, body);
        b.putShort(FrameHeaderLayout.KIND_OFFSET, (short) frame.kind().code());
        b.putShort(FrameHeaderLayout.FLAGS_OFFSET, (short) frame.flags());
        b.position(FrameHeaderLayout.SIZE);
        switch (frame) {
            case VmmFrame.Hello h -> {
                b.putShort((short) h.transportVersion()).putShort((short) 0);
                b.putInt(h.vpCount()).putLong(h.ramBytes());
                putStr(b, h.ramPath().getBytes(StandardCharsets.UTF_8));
                putStr(b, h.vmName().getBytes(StandardCharsets.UTF_8));
            }
            case VmmFrame.PostMessage p -> {
                b.putInt(p.connectionId()).putInt(p.vpIndex()).putInt(p.messageType());
                b.putInt(p.payload().length());
                putBlob(b, p.payload());
            }
            case VmmFrame.SignalEvent s ->
                b.putInt(s.connectionId()).putShort((short) s.flagNumber()).putShort((short) 0);
            case VmmFrame.MessageSlotFree m ->
                b.putInt(m.vpIndex()).put((byte) m.sint()).put(new byte[3]);
            case VmmFrame.DeliverResult r ->
                b.putInt(r.sequence()).putShort((short) r.status()).putShort((short) 0);
            case VmmFrame.Save s -> {}
            case VmmFrame.Reset r -> {}
            case VmmFrame.Restore r -> putBlob(b, r.savedState());
            case VmmFrame.Control c -> putBlob(b, c.json());
            case ServerFrame.HelloOk h ->
                b.putShort((short) h.transportVersion())
                        .putShort((short) 0)
                        .putInt(h.maxVersion())
                        .putInt(h.featureFlags());
            case ServerFrame.PostResult p -> b.putShort((short) p.hvStatus()).putShort((short) 0);
            case ServerFrame.Saved s -> putBlob(b, s.savedState());
            case ServerFrame.Restored r -> {}
            case ServerFrame.ResetDone r -> {}
            case ServerFrame.ControlResult c -> putBlob(b, c.json());
            case ServerFrame.Event e -> putBlob(b, e.json());
            case ServerFrame.Error e -> {
                b.putInt(e.code());
                putStr(b, errorText(e));
            }
            case ServerFrame.DeliverMessage d -> {
                b.putInt(d.sequence()).putInt(d.vpIndex()).put((byte) d.sint()).put((byte) d.vtl());
                b.putShort((short) 0).putInt(d.messageType()).putInt(d.payload().length());
                putBlob(b, d.payload());
            }
            case ServerFrame.SignalGuest s ->
                b.putInt(s.vpIndex()).put((byte) s.sint()).put((byte) s.vtl()).putShort((short) s.eventFlag());
        }
        dst.position(dst.position() + FrameHeaderLayout.SIZE + body);
    }

    private static int bodyLength(final Frame frame) {
        return switch (frame) {
            case VmmFrame.Hello h -> HelloLayout.MIN_SIZE + Utf8.length(h.ramPath()) + Utf8.length(h.vmName());
            case VmmFrame.PostMessage p ->
                PostMessageLayout.PAYLOAD_OFFSET + p.payload().length();
            case VmmFrame.SignalEvent s -> SignalEventLayout.SIZE;
            case VmmFrame.MessageSlotFree m -> MessageSlotFreeLayout.SIZE;
            case VmmFrame.DeliverResult r -> DeliverResultLayout.SIZE;
            case VmmFrame.Save s -> 0;
            case VmmFrame.Reset r -> 0;
            case VmmFrame.Restore r -> r.savedState().length();
            case VmmFrame.Control c -> c.json().length();
            case ServerFrame.HelloOk h -> HelloOkLayout.SIZE;
            case ServerFrame.PostResult p -> PostResultLayout.SIZE;
            case ServerFrame.Saved s -> s.savedState().length();
            case ServerFrame.Restored r -> 0;
            case ServerFrame.ResetDone r -> 0;
            case ServerFrame.ControlResult c -> c.json().length();
            case ServerFrame.Event e -> e.json().length();
            case ServerFrame.Error e -> ErrorLayout.MIN_SIZE + errorText(e).length;
            case ServerFrame.DeliverMessage d ->
                DeliverMessageLayout.PAYLOAD_OFFSET + d.payload().length();
            case ServerFrame.SignalGuest s -> SignalGuestLayout.SIZE;
        };
    }

    private static byte[] errorText(final ServerFrame.Error e) {
        return Utf8.encodeTruncated(e.message(), StrLayout.MAX_BYTES);
    }

    private static void putStr(final ByteBuffer b, final byte[] utf8) {
        b.putShort((short) utf8.length).put(utf8);
    }

    private static void putBlob(final ByteBuffer b, final Blob blob) {
        blob.copyTo(b, b.position());
        b.position(b.position() + blob.length());
    }
}
