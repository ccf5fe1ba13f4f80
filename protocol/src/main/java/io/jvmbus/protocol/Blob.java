package io.jvmbus.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes with value equality, for byte fields of control-plane records (user data, GPADL range
 * data). Never used on the data path.
 */
public final class Blob {

    /** The empty blob. */
    public static final Blob EMPTY = new Blob(new byte[0]);

    private final byte[] bytes;

    private Blob(final byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Copies an array.
     *
     * @param bytes the bytes
     * @return a blob holding a copy
     */
    public static Blob of(final byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Blob(bytes.clone());
    }

    /**
     * Copies part of an array.
     *
     * @param bytes the source
     * @param offset first byte
     * @param length number of bytes
     * @return a blob holding a copy
     */
    public static Blob of(final byte[] bytes, final int offset, final int length) {
        return length == 0 ? EMPTY : new Blob(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /**
     * A blob of {@code length} zero bytes.
     *
     * @param length the length
     * @return the blob
     */
    public static Blob zeros(final int length) {
        return length == 0 ? EMPTY : new Blob(new byte[length]);
    }

    /**
     * Little-endian u64 words as bytes.
     *
     * @param words the words
     * @return a blob of {@code 8 * words.length} bytes
     */
    public static Blob ofLongs(final long... words) {
        final ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (final long w : words) {
            b.putLong(w);
        }
        return new Blob(b.array());
    }

    /**
     * The length.
     *
     * @return number of bytes
     */
    public int length() {
        return bytes.length;
    }

    /**
     * One byte.
     *
     * @param index 0-based index
     * @return the byte
     */
    public byte get(final int index) {
        return bytes[index];
    }

    /**
     * Whether every byte is zero.
     *
     * @return true for all zeros (or empty)
     */
    public boolean isZero() {
        for (final byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A copy of the bytes.
     *
     * @return a new array
     */
    public byte[] toArray() {
        return bytes.clone();
    }

    /**
     * Copies the bytes into a buffer.
     *
     * @param dst destination
     * @param offset absolute offset in {@code dst}
     */
    public void copyTo(final ByteBuffer dst, final int offset) {
        dst.put(offset, bytes);
    }

    /**
     * The whole little-endian u64 words of this blob (a trailing partial word is ignored).
     *
     * @return the words
     */
    public long[] toLongs() {
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final long[] words = new long[bytes.length / 8];
        for (int i = 0; i < words.length; i++) {
            words[i] = b.getLong(i * 8);
        }
        return words;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof Blob other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        if (isZero()) {
            return "zeros(" + bytes.length + ")";
        }
        return HexFormat.of().formatHex(bytes);
    }
}
