package io.jvmbus.client;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.GpadlBody;
import io.jvmbus.protocol.message.ChannelMessage.GpadlHeader;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a one-range GPADL into GPADL_HEADER and GPADL_BODY messages the way Linux does ({@code create_gpadl_header}):
 * the header carries the range word ({@code byte_count} low, {@code byte_offset} high) and up to {@value
 * #PFNS_IN_HEADER} PFNs, {@code range_buflen = 8 + 8 n}, {@code rangecount = 1}; each body carries up to {@value
 * #PFNS_IN_BODY} PFNs with {@code msgnumber = 0}. OpenVMM's client splits identically (27 u64 words in the header,
 * range word included, and 28 per body).
 */
public final class GpadlMessages {

    /** PFNs in the header: (240 - 20 - 8) / 8. */
    public static final int PFNS_IN_HEADER = 26;

    /** PFNs in each body: (240 - 16) / 8. */
    public static final int PFNS_IN_BODY = 28;

    /** Largest page count one range buffer length (u16) can describe: (65535 - 8) / 8. */
    public static final int MAX_PAGES = 8190;

    private GpadlMessages() {}

    /**
     * The messages for one page-aligned range over {@code pfns}.
     *
     * @param channelId the owning channel
     * @param gpadlId the GPADL id
     * @param byteCount bytes the range covers ({@code <= pfns.length * 4096})
     * @param pfns the pages
     * @return the header followed by its bodies
     * @throws IllegalArgumentException for no pages, more than {@link #MAX_PAGES}, or a byte count that does not fit
     */
    public static List<ChannelMessage> split(
            final int channelId, final int gpadlId, final long byteCount, final long[] pfns) {
        final int n = pfns.length;
        if (n < 1 || n > MAX_PAGES) {
            throw new IllegalArgumentException("gpadl pages=" + n + " (expected: 1.." + MAX_PAGES + ")");
        }
        if (byteCount <= (long) (n - 1) * 4096 || byteCount > (long) n * 4096) {
            throw new IllegalArgumentException(
                    "gpadl byte_count=" + byteCount + " (expected: within the last of " + n + " pages)");
        }
        final List<ChannelMessage> out = new ArrayList<>();
        final int inHeader = Math.min(n, PFNS_IN_HEADER);
        final long[] words = new long[1 + inHeader];
        words[0] = byteCount & 0xFFFF_FFFFL; // byte_offset 0 in the high half
        System.arraycopy(pfns, 0, words, 1, inHeader);
        out.add(new GpadlHeader(channelId, gpadlId, 8 + 8 * n, 1, Blob.ofLongs(words)));
        for (int pos = inHeader; pos < n; pos += PFNS_IN_BODY) {
            final int chunk = Math.min(PFNS_IN_BODY, n - pos);
            final long[] body = new long[chunk];
            System.arraycopy(pfns, pos, body, 0, chunk);
            out.add(new GpadlBody(0, gpadlId, Blob.ofLongs(body)));
        }
        return out;
    }
}
