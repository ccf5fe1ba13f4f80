/**
 * VMBus channel-management messages: one record per message ({@link io.jvmbus.protocol.message.ChannelMessage}),
 * the message catalogue with its version and feature gates ({@link io.jvmbus.protocol.message.MessageType}), and the
 * byte-exact codec ({@link io.jvmbus.protocol.message.MessageCodec}) that decodes under a {@link
 * io.jvmbus.protocol.message.DecodeContext} into a {@link io.jvmbus.protocol.message.DecodeResult}.
 *
 * <p>Owns parsing, gating and encoding of single messages, nothing more: no connection or channel state, no
 * interpretation of message contents (is a channel id known, is a GPADL complete — that is the server core's), no I/O.
 * Decoding never throws for bad bytes; it returns a typed {@link io.jvmbus.protocol.message.DecodeError}. Byte offsets
 * come only from {@link io.jvmbus.protocol.message.layout}; do not write literal offsets here.
 */
package io.jvmbus.protocol.message;
