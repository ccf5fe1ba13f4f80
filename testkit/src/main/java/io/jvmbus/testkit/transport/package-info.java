/**
 * A test VMM for the host transport (shared/spec/host-transport.md), written from the spec alone: its own frame
 * builder and reader over {@code ByteBuffer}, sharing no code with the host module, so that tests of {@code jvmbus
 * serve} check the server against an independent reading of the contract. Test support only.
 */
package io.jvmbus.testkit.transport;
