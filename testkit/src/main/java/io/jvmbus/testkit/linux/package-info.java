/**
 * Runs the shared Linux test peers (shared/tools/linux-vmbus-guest) from tests: finds or builds the binary, runs it
 * with a timeout, and keeps its output for the failure message. Test support only; never copies the tools' code.
 */
package io.jvmbus.testkit.linux;
