package io.jvmbus.protocol.message;

import io.jvmbus.protocol.Blob;
import java.util.Objects;

/** Range checks for message fields; messages name the field, the value and the expectation. */
final class Checks {

    private Checks() {}

    static void u16(final String name, final int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0..65535)");
        }
    }

    static void u8(final String name, final int value) {
        if ((value & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0..255)");
        }
    }

    static void size(final String name, final Blob blob, final int size) {
        Objects.requireNonNull(blob, name);
        if (blob.length() != size) {
            throw new IllegalArgumentException(name + " length=" + blob.length() + " (expected: " + size + ")");
        }
    }
}
