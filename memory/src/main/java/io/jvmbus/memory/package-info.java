/**
 * Guest RAM and GPADL views. {@link io.jvmbus.memory.GuestMemory} maps the VMM's guest-RAM file shared (guest
 * physical address = file offset) as one {@link java.lang.foreign.MemorySegment}; {@link io.jvmbus.memory.GpadlView}
 * turns a GPADL's validated page list into a readable and writable byte region. Every access whose address or
 * length a guest can influence is bounds-checked here and refused with a typed {@link io.jvmbus.memory.MemoryError}
 * or a {@code false} return, never an exception.
 *
 * <p>This package owns the mapping and the page arithmetic. It must not know about channels, messages or the
 * server's state; ring buffers over these views live in {@link io.jvmbus.memory.ring}.
 */
package io.jvmbus.memory;
