/**
 * Protocol-wide value types shared by every jvmbus module: GUIDs, protocol versions, feature flags, status and
 * connection-state codes, connection-id formulas, offer and open-channel flag bits, the user-defined pipe and hvsocket
 * parameter encodings, and the GPA range parser/validator ({@link io.jvmbus.protocol.GpaRanges}).
 *
 * <p>Owns pure functions and immutable values only: no I/O, no state, no threads, no dependencies outside the JDK.
 * Bad wire input yields typed error values, never exceptions. Must not touch guest memory, rings or connection state
 * (those belong to the {@code memory} and {@code server} modules); the subpackage {@code io.jvmbus.protocol.ring} is
 * owned separately.
 */
package io.jvmbus.protocol;
