/**
 * CONTROL requests and results of the host transport: JSON parsed with bounded sizes into sealed records ({@link
 * io.jvmbus.host.control.ControlRequest}), typed errors ({@link io.jvmbus.host.control.ControlException}), and the
 * server's {@code --config} file, whose offers have the CONTROL {@code offer} form. Owns parsing only: it must not act
 * on a session or touch the channel server core.
 */
package io.jvmbus.host.control;
