package io.jvmbus.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * A GUID in the Windows/Hyper-V mixed-endian layout, ordered the way the reference server orders channels.
 *
 * <pre>
 *  0               4       6       8                              16
 * +---------------+-------+-------+-------------------------------+
 * | data1 (u32 LE)| data2 | data3 | data4 (8 raw bytes)           |
 * |               |(u16LE)|(u16LE)|                               |
 * +---------------+-------+-------+-------------------------------+
 * </pre>
 *
 * <p>The text form {@code 01234567-89ab-cdef-0123-456789abcdef} prints data1, data2, data3 as numbers and data4 as
 * bytes, so {@code 01234567-...} is stored as {@code 67 45 23 01 ...}. Ordering compares data1, data2 and data3 as
 * unsigned numbers, then data4 bytewise; this is <em>not</em> {@link java.util.UUID#compareTo}.
 *
 * @param data1 the first field, unsigned 32 bits
 * @param data2 the second field, 0..65535
 * @param data3 the third field, 0..65535
 * @param data4 the last eight bytes, first byte in the most significant position
 */
public record Guid(int data1, int data2, int data3, long data4) implements Comparable<Guid> {

    /** Size of a GUID on the wire, in bytes. */
    public static final int SIZE = 16;

    /** The all-zero GUID. */
    public static final Guid ZERO = new Guid(0, 0, 0, 0);

    /**
     * Validates the 16-bit fields.
     *
     * @throws IllegalArgumentException if data2 or data3 is outside 0..65535
     */
    public Guid {
        if ((data2 & ~0xFFFF) != 0 || (data3 & ~0xFFFF) != 0) {
            throw new IllegalArgumentException(
                    "guid data2=" + data2 + " data3=" + data3 + " (expected: each in 0..65535)");
        }
    }

    /**
     * A GUID whose data1 is {@code n} and whose other fields are zero (the reference tests' {@code G(n)}).
     *
     * @param n the value of data1
     * @return the GUID
     */
    public static Guid ofData1(final int n) {
        return new Guid(n, 0, 0, 0);
    }

    /**
     * Parses the usual text form.
     *
     * @param text {@code xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}, hex digits in either case
     * @return the GUID
     * @throws IllegalArgumentException if the text is not in that form
     */
    public static Guid parse(final String text) {
        if (text == null
                || text.length() != 36
                || text.charAt(8) != '-'
                || text.charAt(13) != '-'
                || text.charAt(18) != '-'
                || text.charAt(23) != '-') {
            throw new IllegalArgumentException(
                    "guid text '" + text + "' (expected: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
        }
        try {
            final int d1 = Integer.parseUnsignedInt(text.substring(0, 8), 16);
            final int d2 = Integer.parseInt(text.substring(9, 13), 16);
            final int d3 = Integer.parseInt(text.substring(14, 18), 16);
            final long d4 = Long.parseUnsignedLong(text.substring(19, 23) + text.substring(24), 16);
            if (!isHex(text)) {
                throw new NumberFormatException(text);
            }
            return new Guid(d1, d2, d3, d4);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(
                    "guid text '" + text + "' (expected: hex digits in xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", e);
        }
    }

    private static boolean isHex(final String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c == '-') {
                continue;
            }
            if (Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a GUID in wire layout.
     *
     * @param buffer the source; its byte order is ignored
     * @param offset absolute offset of the first byte
     * @return the GUID
     */
    public static Guid read(final ByteBuffer buffer, final int offset) {
        final ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final int d1 = b.getInt(offset);
        final int d2 = Short.toUnsignedInt(b.getShort(offset + 4));
        final int d3 = Short.toUnsignedInt(b.getShort(offset + 6));
        final long d4 = b.order(ByteOrder.BIG_ENDIAN).getLong(offset + 8);
        return new Guid(d1, d2, d3, d4);
    }

    /**
     * Writes this GUID in wire layout.
     *
     * @param buffer the destination; its byte order is ignored
     * @param offset absolute offset of the first byte
     */
    public void write(final ByteBuffer buffer, final int offset) {
        final ByteBuffer b = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(offset, data1);
        b.putShort(offset + 4, (short) data2);
        b.putShort(offset + 6, (short) data3);
        b.order(ByteOrder.BIG_ENDIAN).putLong(offset + 8, data4);
    }

    /**
     * The 16 wire bytes.
     *
     * @return a new array
     */
    public byte[] toBytes() {
        final byte[] bytes = new byte[SIZE];
        write(ByteBuffer.wrap(bytes), 0);
        return bytes;
    }

    @Override
    public int compareTo(final Guid other) {
        int c = Integer.compareUnsigned(data1, other.data1);
        if (c == 0) {
            c = Integer.compare(data2, other.data2);
        }
        if (c == 0) {
            c = Integer.compare(data3, other.data3);
        }
        if (c == 0) {
            c = Long.compareUnsigned(data4, other.data4);
        }
        return c;
    }

    @Override
    public String toString() {
        final String d4 = String.format(Locale.ROOT, "%016x", data4);
        return String.format(Locale.ROOT, "%08x-%04x-%04x-", data1, data2, data3)
                + d4.substring(0, 4)
                + "-"
                + d4.substring(4);
    }
}
