/**
 * The sockets of {@code jvmbus serve}: the Unix socket created with mode 0600, the optional loopback TCP listener, one
 * session per connection on its own virtual threads ({@link io.jvmbus.host.transport.SessionConnection}), and the
 * registry of live sessions. Owns threads and I/O only; the protocol lives in {@code io.jvmbus.host.session}.
 */
package io.jvmbus.host.transport;
