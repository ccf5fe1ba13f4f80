package io.jvmbus.server;

import io.jvmbus.protocol.message.ChannelMessage;
import java.util.Objects;

/**
 * A message waiting in the core's outgoing queue.
 *
 * @param sequence the queue's sequence number (increasing in generation order); pass it to {@link
 *     ChannelServer#outgoingDelivered(long)}
 * @param target where it goes
 * @param message the message (encode it with {@link io.jvmbus.protocol.message.MessageCodec#encode})
 */
public record OutgoingMessage(long sequence, MessageTarget target, ChannelMessage message) {

    /** Validates the fields. */
    public OutgoingMessage {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(message, "message");
    }
}
