/**
 * {@code jvmbus demo}: plays the servicing story end to end as a VMM would. It owns the guest RAM files, starts real
 * {@code jvmbus serve} child processes, attaches the guest client over the real host transport, plays the host
 * debugger on the pipe device's socket, services the host (SAVE, replacement process, RESTORE), and prints a
 * timeline and checks. Owns no protocol logic: it only drives the client library and the transport.
 */
package io.jvmbus.cli.demo;
