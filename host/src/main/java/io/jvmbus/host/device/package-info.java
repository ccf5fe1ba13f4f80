/**
 * The devices behind a session's channels: {@link io.jvmbus.host.device.EchoDevice} (echoes in-band packets over the
 * rings) and {@link io.jvmbus.host.device.ManualDevice} (reports each request as an EVENT and waits for CONTROL
 * {@code complete}) and {@link io.jvmbus.host.device.PipeDevice} (a byte stream to a host socket it listens on). A
 * device sees the channel server core only through its {@link
 * io.jvmbus.host.device.ChannelPort}; it must not call the core directly, and it touches guest memory only through
 * the memory module's GPADL views and rings. Across servicing a device saves what only it holds ({@code
 * saveState}), and in the new process checks it before anything changes ({@code prepareRestore}), then takes back its
 * GPADLs and rings where guest memory has them ({@code restoreChannel}).
 */
package io.jvmbus.host.device;
