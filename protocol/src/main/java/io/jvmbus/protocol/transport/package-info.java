/**
 * The host transport's frames (shared/spec/host-transport.md, version 1): one {@code *Layout} class per frame
 * structure, the frame records ({@link io.jvmbus.protocol.transport.VmmFrame}, {@link
 * io.jvmbus.protocol.transport.ServerFrame}), a streaming {@link io.jvmbus.protocol.transport.FrameDecoder} that never
 * trusts a length, and the {@link io.jvmbus.protocol.transport.FrameEncoder}. It lives in {@code protocol} because both
 * ends speak it: the host's sessions ({@code jvmbus serve}) and the guest client's socket transport. Owns bytes only: it
 * must not touch sockets, sessions, the channel server core or guest memory.
 */
package io.jvmbus.protocol.transport;
