/**
 * The {@code jvmbus} command line: parses arguments and wires the other modules together. Owns no protocol logic;
 * must not reach into the server core's internals.
 */
package io.jvmbus.cli;
