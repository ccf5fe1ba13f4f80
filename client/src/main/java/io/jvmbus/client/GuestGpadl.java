package io.jvmbus.client;

/**
 * A GPADL the host accepted.
 *
 * @param channelId the owning channel
 * @param gpadlId its id
 * @param pages the guest pages it describes, in order
 * @param byteCount the bytes of its one range
 */
public record GuestGpadl(int channelId, int gpadlId, long[] pages, long byteCount) {

    /**
     * Copies the page list.
     *
     * @param channelId the owning channel
     * @param gpadlId its id
     * @param pages the pages
     * @param byteCount the bytes
     */
    public GuestGpadl {
        pages = pages.clone();
    }

    /**
     * The pages (a copy).
     *
     * @return the page numbers
     */
    @Override
    public long[] pages() {
        return pages.clone();
    }
}
