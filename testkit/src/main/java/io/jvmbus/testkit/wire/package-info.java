/**
 * Hand-built VMBus channel messages for tests: raw little-endian bytes written field by field with {@link
 * java.nio.ByteBuffer}, independent of the production codec, so a test can never agree with an encoder bug.
 *
 * <p>Owns: byte builders for every guest-to-host message (and a few host-to-guest ones a hostile guest might post),
 * and Linux-shaped sequences (e.g. a GPADL split 26/28 as {@code hv_vmbus} splits it). Must not depend on anything but
 * {@code protocol} value types (GUIDs are still written by hand here).
 */
package io.jvmbus.testkit.wire;
