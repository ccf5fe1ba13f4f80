/**
 * Byte layouts of a VMBus ring buffer: the per-direction control page ({@link io.jvmbus.protocol.ring.RingHeaderLayout}),
 * the 16-byte packet descriptor ({@link io.jvmbus.protocol.ring.PacketDescriptorLayout}), the type-specific headers of
 * transfer-page and GPA-direct packets, and the 8-byte trailer that follows every packet.
 *
 * <p>This package owns only constants, offsets and the publication rules in prose. It must not touch memory: the
 * ring-buffer code that reads and writes these layouts in guest memory lives in the {@code memory} module
 * ({@code io.jvmbus.memory.ring}). Every offset here is checked by a test against the generated table of the real
 * Linux 6.1 structs ({@code linux-6.1-struct-layouts.txt}).
 */
package io.jvmbus.protocol.ring;
