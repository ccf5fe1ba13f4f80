/**
 * VMBus ring buffers over guest memory: {@link io.jvmbus.memory.ring.RingPair} splits a channel's ring GPADL into
 * the two rings; {@link io.jvmbus.memory.ring.IncomingRing} consumes one (zero-copy, through the {@link
 * io.jvmbus.memory.ring.PacketView} flyweight) and {@link io.jvmbus.memory.ring.OutgoingRing} produces into the other,
 * each with Linux's indexing, alignment, trailer and signalling rules. Failures on the data path are return values
 * ({@link io.jvmbus.memory.ring.ReadStatus}, {@link io.jvmbus.memory.ring.WriteStatus}, a sticky {@link
 * io.jvmbus.memory.ring.RingCorruption}); the steady path allocates nothing per packet.
 *
 * <p>This package owns the ring algorithms and their memory ordering. It must not raise interrupts, block, or know
 * about channels and devices: commits return "signal now" and the caller delivers the signal and does any waiting.
 */
package io.jvmbus.memory.ring;
