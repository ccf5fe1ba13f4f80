package io.jvmbus.protocol.synic;

import io.jvmbus.protocol.Blob;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * One SynIC message as a value: the envelope of {@link SynicMessageLayout} with its payload. The payload's length is
 * the wire's payload_size; bytes of the 240-byte payload area beyond it are not part of the message.
 *
 * @param messageType the hypervisor message type ({@link SynicMessageHeaderLayout#HVMSG_VMBUS} for channel messages;
 *     {@link SynicMessageHeaderLayout#HVMSG_NONE} marks a free slot)
 * @param messageFlags the u8 message_flags ({@link SynicMessageHeaderLayout#MESSAGE_FLAG_MSG_PENDING})
 * @param sender the u64 sender field (its low 32 bits are the port)
 * @param payload the payload, at most 240 bytes
 */
public record SynicMessage(int messageType, int messageFlags, long sender, Blob payload) {

    /**
     * Checks ranges.
     *
     * @throws IllegalArgumentException if {@code messageFlags} is not a u8 or the payload exceeds 240 bytes
     */
    public SynicMessage {
        Objects.requireNonNull(payload, "payload");
        if ((messageFlags & ~0xFF) != 0) {
            throw new IllegalArgumentException("messageFlags=" + messageFlags + " (expected: 0..255)");
        }
        if (payload.length() > SynicMessageLayout.MAX_PAYLOAD_SIZE) {
            throw new IllegalArgumentException("payload length=" + payload.length() + " (expected: <= "
                    + SynicMessageLayout.MAX_PAYLOAD_SIZE + ")");
        }
    }

    /**
     * A VMBus channel message with no flags and sender 0.
     *
     * @param channelMessage the encoded channel message, header included
     * @return the SynIC message
     */
    public static SynicMessage vmbus(final byte[] channelMessage) {
        return new SynicMessage(SynicMessageHeaderLayout.HVMSG_VMBUS, 0, 0, Blob.of(channelMessage));
    }

    /**
     * Whether message_type is HVMSG_NONE, i.e. the slot holding it is free.
     *
     * @return true for a free slot
     */
    public boolean isFree() {
        return messageType == SynicMessageHeaderLayout.HVMSG_NONE;
    }

    /**
     * Whether msg_pending is set.
     *
     * @return bit 0 of message_flags
     */
    public boolean messagePending() {
        return (messageFlags & SynicMessageHeaderLayout.MESSAGE_FLAG_MSG_PENDING) != 0;
    }

    /**
     * The port: the low 24 bits of the sender field's first u32.
     *
     * @return the port id
     */
    public int port() {
        return (int) sender & SynicMessageHeaderLayout.ID_MASK;
    }

    /**
     * Encodes the full 256-byte slot image; unused payload bytes and reserved bytes are zero.
     *
     * @return a new 256-byte array
     */
    public byte[] encode() {
        final byte[] out = new byte[SynicMessageLayout.SIZE];
        final ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SynicMessageLayout.MESSAGE_TYPE_OFFSET, messageType);
        b.put(SynicMessageLayout.PAYLOAD_SIZE_OFFSET, (byte) payload.length());
        b.put(SynicMessageLayout.MESSAGE_FLAGS_OFFSET, (byte) messageFlags);
        b.putLong(SynicMessageLayout.SENDER_OFFSET, sender);
        payload.copyTo(b, SynicMessageLayout.PAYLOAD_OFFSET);
        return out;
    }

    /**
     * Decodes a 256-byte slot image. Never throws for bad content.
     *
     * @param slot the bytes (not retained)
     * @param offset first byte of the slot
     * @return the message, or a typed error if fewer than 256 bytes are available or payload_size exceeds 240
     */
    public static Result decode(final byte[] slot, final int offset) {
        if (offset < 0 || offset > slot.length || slot.length - offset < SynicMessageLayout.SIZE) {
            final int seen = offset < 0 || offset > slot.length ? 0 : slot.length - offset;
            return new Failed(Failed.Kind.TOO_SHORT, seen, SynicMessageLayout.SIZE);
        }
        final ByteBuffer b =
                ByteBuffer.wrap(slot, offset, SynicMessageLayout.SIZE).slice().order(ByteOrder.LITTLE_ENDIAN);
        final int payloadSize = Byte.toUnsignedInt(b.get(SynicMessageLayout.PAYLOAD_SIZE_OFFSET));
        if (payloadSize > SynicMessageLayout.MAX_PAYLOAD_SIZE) {
            return new Failed(Failed.Kind.PAYLOAD_TOO_LARGE, payloadSize, SynicMessageLayout.MAX_PAYLOAD_SIZE);
        }
        final byte[] payload = new byte[payloadSize];
        b.get(SynicMessageLayout.PAYLOAD_OFFSET, payload);
        return new Decoded(new SynicMessage(
                b.getInt(SynicMessageLayout.MESSAGE_TYPE_OFFSET),
                Byte.toUnsignedInt(b.get(SynicMessageLayout.MESSAGE_FLAGS_OFFSET)),
                b.getLong(SynicMessageLayout.SENDER_OFFSET),
                Blob.of(payload)));
    }

    /** The outcome of {@link #decode(byte[], int)}. */
    public sealed interface Result {}

    /**
     * A decoded message.
     *
     * @param message the message
     */
    public record Decoded(SynicMessage message) implements Result {}

    /**
     * A slot image that could not be decoded.
     *
     * @param kind why
     * @param seen the value seen (bytes available, or payload_size)
     * @param expected the limit
     */
    public record Failed(Kind kind, int seen, int expected) implements Result {

        /** Classes of errors. */
        public enum Kind {
            /** Fewer than 256 bytes available. */
            TOO_SHORT,
            /** payload_size above 240. */
            PAYLOAD_TOO_LARGE
        }

        /**
         * A description naming the value and the expectation.
         *
         * @return the description
         */
        public String describe() {
            return switch (kind) {
                case TOO_SHORT -> "synic message slot size=" + seen + " (expected: >= " + expected + ")";
                case PAYLOAD_TOO_LARGE -> "synic payload_size=" + seen + " (expected: <= " + expected + ")";
            };
        }
    }
}
