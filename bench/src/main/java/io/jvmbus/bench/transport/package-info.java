/**
 * {@code ./jvmbus bench transport}: control-plane message rate and connect time through a {@code jvmbus serve} child
 * process over its Unix socket. Owns its guest sessions (VMM and guest in one); it reaches the server only through
 * the socket.
 */
package io.jvmbus.bench.transport;
