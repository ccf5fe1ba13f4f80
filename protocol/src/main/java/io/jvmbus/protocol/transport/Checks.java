package io.jvmbus.protocol.transport;

/** Argument checks of the frame records; messages name the value and the expectation. */
final class Checks {

    private Checks() {}

    static int u8(final String name, final int value) {
        if ((value & ~0xFF) != 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0..255)");
        }
        return value;
    }

    static int u16(final String name, final int value) {
        if ((value & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(name + "=" + value + " (expected: 0..65535)");
        }
        return value;
    }

    static <T> T notNull(final String name, final T value) {
        if (value == null) {
            throw new IllegalArgumentException(name + "=null (expected: a value)");
        }
        return value;
    }

    static int maxLength(final String name, final int length, final int max) {
        if (length > max) {
            throw new IllegalArgumentException(name + " length=" + length + " (expected: <= " + max + ")");
        }
        return length;
    }

    static void str(final String name, final String value) {
        notNull(name, value);
        maxLength(name, Utf8.length(value), StrLayout.MAX_BYTES);
    }
}
