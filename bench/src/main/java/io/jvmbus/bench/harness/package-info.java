/**
 * Support for the timed harnesses of {@code ./jvmbus bench}: a {@code jvmbus serve} child process, the Linux peer
 * binaries, and the statistics of repeated measurements. It owns no benchmark and touches no server state.
 */
package io.jvmbus.bench.harness;
