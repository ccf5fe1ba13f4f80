package io.jvmbus.protocol.message;

import java.io.ByteArrayOutputStream;

/**
 * Test-side builder of little-endian wire bytes, written field by field in order. It shares no code with the
 * production codec or the layout classes: every expected message in the tests is spelled out with it.
 */
final class Wire {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Wire() {}

    /** Starts a channel message: message_type u32, padding u32 = 0. */
    static Wire message(final int type) {
        return new Wire().u32(type).u32(0);
    }

    /** Starts an empty run of bytes. */
    static Wire bytes() {
        return new Wire();
    }

    Wire u8(final int v) {
        out.write(v & 0xFF);
        return this;
    }

    Wire u16(final int v) {
        return u8(v).u8(v >>> 8);
    }

    Wire u32(final int v) {
        return u16(v).u16(v >>> 16);
    }

    Wire u64(final long v) {
        return u32((int) v).u32((int) (v >>> 32));
    }

    /** A GUID from its text form, in the Windows mixed-endian layout: data1..3 little-endian, data4 as written. */
    Wire guid(final String text) {
        final String hex = text.replace("-", "");
        if (hex.length() != 32) {
            throw new IllegalArgumentException(text);
        }
        u32((int) Long.parseLong(hex.substring(0, 8), 16));
        u16(Integer.parseInt(hex.substring(8, 12), 16));
        u16(Integer.parseInt(hex.substring(12, 16), 16));
        for (int i = 16; i < 32; i += 2) {
            u8(Integer.parseInt(hex.substring(i, i + 2), 16));
        }
        return this;
    }

    Wire zeros(final int n) {
        for (int i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    Wire raw(final byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** {@code n} bytes counting up from {@code first} (mod 256), so misplaced runs are visible. */
    Wire counting(final int first, final int n) {
        for (int i = 0; i < n; i++) {
            out.write((first + i) & 0xFF);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }

    /** Parses hex with optional spaces, e.g. {@code "07 00 00 00"}. */
    static byte[] hex(final String text) {
        final String h = text.replace(" ", "");
        final byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** {@code n} bytes counting up from {@code first} (mod 256). */
    static byte[] countingBytes(final int first, final int n) {
        return bytes().counting(first, n).build();
    }
}
