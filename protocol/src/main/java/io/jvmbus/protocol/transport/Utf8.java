package io.jvmbus.protocol.transport;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 for the transport's strs: malformed bytes are an error, never replaced. */
public final class Utf8 {

    private Utf8() {}

    /**
     * Encoded length.
     *
     * @param s a string
     * @return its UTF-8 byte count
     */
    public static int length(final String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Decodes strictly.
     *
     * @param bytes source
     * @param offset first byte
     * @param length byte count
     * @return the string, or {@code null} if the bytes are not valid UTF-8
     */
    public static String decode(final byte[] bytes, final int offset, final int length) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length))
                    .toString();
        } catch (final CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Encodes, cut to at most {@code max} bytes on a character boundary (for ERROR messages, which must fit a str).
     *
     * @param s the text
     * @param max the byte limit
     * @return at most {@code max} bytes of valid UTF-8
     */
    public static byte[] encodeTruncated(final String s, final int max) {
        final byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= max) {
            return all;
        }
        int end = max;
        // back up over continuation bytes (10xxxxxx) so no character is cut in half
        while (end > 0 && (all[end] & 0xC0) == 0x80) {
            end--;
        }
        final byte[] cut = new byte[end];
        System.arraycopy(all, 0, cut, 0, end);
        return cut;
    }
}
