/**
 * {@code ./jvmbus bench linux}: the real Linux guest tool against a {@code jvmbus serve} child process's echo device,
 * next to Linux's ring code at both ends. Owns the tool processes it starts; reaches the server only through its
 * socket.
 */
package io.jvmbus.bench.linux;
