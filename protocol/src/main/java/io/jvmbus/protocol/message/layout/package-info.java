/**
 * Byte layouts of the VMBus channel-management wire structures: one final {@code *Layout} class per structure, with
 * offset constants each derived from the previous field and an ASCII byte diagram. Offsets are absolute from the start
 * of the message (header included) unless a class says otherwise.
 *
 * <p>Owns constants only; holds no code that reads or writes bytes (that is {@link
 * io.jvmbus.protocol.message.MessageCodec} and the records in {@link io.jvmbus.protocol}). The struct-layout test
 * checks every constant here against Linux's generated offsets; change a constant only together with that evidence.
 */
package io.jvmbus.protocol.message.layout;
