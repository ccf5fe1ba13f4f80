/**
 * The host transport's frames (shared/spec/host-transport.md, version 1): one {@code *Layout} class per frame
 * structure, the frame records ({@link io.jvmbus.host.frame.VmmFrame}, {@link io.jvmbus.host.frame.ServerFrame}), a
 * streaming {@link io.jvmbus.host.frame.FrameDecoder} that never trusts a length, and the {@link
 * io.jvmbus.host.frame.FrameEncoder}. Owns bytes only: it must not touch sockets, sessions, the channel server core or
 * guest memory.
 */
package io.jvmbus.host.frame;
