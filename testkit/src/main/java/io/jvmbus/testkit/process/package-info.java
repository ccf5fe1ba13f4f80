/**
 * Runs {@code jvmbus serve} as a child process from tests: the JVM and class path of the running test, a wait for its
 * "listening on" line, its output kept in a file and in memory, SIGTERM then SIGKILL on close, SIGKILL on demand. Test
 * support only; it knows the command line of {@code serve}, never the server's classes.
 */
package io.jvmbus.testkit.process;
