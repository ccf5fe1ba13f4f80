/**
 * One VM session of {@code jvmbus serve}: the frame-level protocol engine ({@link
 * io.jvmbus.host.session.SessionEngine}, single-threaded, no I/O), message flow control ({@link
 * io.jvmbus.host.session.DeliveryPump}), the seams to guest RAM, and servicing: the session's saved state ({@link
 * io.jvmbus.host.session.SessionStateCodec}, SAVE/RESTORE) and its copies on disk ({@link
 * io.jvmbus.host.session.SavedStateFiles}). Owns everything one session knows; must not touch sockets (the
 * transport package does) or another session's state.
 */
package io.jvmbus.host.session;
