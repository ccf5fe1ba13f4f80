/**
 * The channel server core: VMBus channel management as a single-threaded, deterministic, sans-I/O state machine.
 *
 * <p>Owns: the connection state machine (version negotiation, unload, reconnect, VM reset, pause), every channel's
 * state and id, reserved channels, GPADL assembly and lifetime, hvsock connect requests, and the ordered queue of
 * messages to the guest. Inputs are method calls on {@link io.jvmbus.server.ChannelServer} (guest messages as bytes,
 * device completions, host actions); every output goes through one {@link io.jvmbus.server.ServerEffects} or waits in
 * the outgoing queue the transport pulls from.
 *
 * <p>Also owns the core's saved state (servicing): save, restore, device claims, the blob envelope; the protobuf schema
 * is generated into {@code io.jvmbus.server.savedstate} (docs/saved-state.md).
 *
 * <p>Must not touch: threads, clocks, sockets, guest memory, files or logging frameworks. Nothing here blocks, and no
 * input (however hostile) throws out of the core: rejected inputs return a typed {@link io.jvmbus.server.Outcome}.
 */
package io.jvmbus.server;
