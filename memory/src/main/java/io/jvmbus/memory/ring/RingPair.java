package io.jvmbus.memory.ring;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryError;
import io.jvmbus.memory.MemoryResult;
import io.jvmbus.protocol.ring.PacketDescriptorLayout;
import io.jvmbus.protocol.ring.RingHeaderLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A channel's two rings over its ring GPADL. The GPADL is one page-aligned range; it is split at page
 * {@code downstream_ringbuffer_pageoffset}: pages {@code [0, split)} are the guest&rarr;host ring and pages
 * {@code [split, n)} the host&rarr;guest ring, each a control page followed by data pages.
 *
 * <pre>
 *   GPADL page:  0          1 .. split-1          split        split+1 .. n-1
 *               +----------+---------------------+------------+------------------+
 *               | control  | guest->host data    | control    | host->guest data |
 *               +----------+---------------------+------------+------------------+
 *                host: incoming ring              host: outgoing ring
 * </pre>
 *
 * <p>Refused with a typed {@link MemoryError}: more or fewer than one range, a byte offset other than 0, a length that
 * is not whole pages, a split outside {@code (0, n)}, a ring of fewer than 2 pages or with more than 1 GiB of data, and
 * a page that appears twice (overlapping rings). Pages outside guest RAM were already refused by {@link GpadlView}.
 * Building the pair does not write to guest memory except the outgoing ring's {@code feature_bits} bit 0 ("this
 * producer honours pending_send_sz").
 */
public final class RingPair {

    /** A ring needs its control page and at least one data page. */
    public static final int MIN_RING_PAGES = 2;
    /** The largest ring this implementation maps: 1 GiB of data keeps every position an int with room to add. */
    public static final int MAX_RING_PAGES = 262_144;
    /** Linux's default {@code max_pkt_size} ({@code VMBUS_DEFAULT_MAX_PKT_SIZE}) for the host&rarr;guest ring. */
    public static final int LINUX_DEFAULT_MAX_PACKET = 4096;

    private final IncomingRing incoming;
    private final OutgoingRing outgoing;

    private RingPair(final IncomingRing incoming, final OutgoingRing outgoing) {
        this.incoming = incoming;
        this.outgoing = outgoing;
    }

    /**
     * The host's view: it consumes the guest&rarr;host ring and produces into the host&rarr;guest ring.
     *
     * @param gpadl the ring GPADL
     * @param downstreamPageOffset the OPENCHANNEL field: the first page of the host&rarr;guest ring
     * @param maxOutgoingPacket the guest reader's buffer for one packet (Linux {@code max_pkt_size}, e.g. {@link
     *     #LINUX_DEFAULT_MAX_PACKET}); longer host&rarr;guest packets are refused
     * @return the rings, or why the GPADL cannot hold them
     * @throws IllegalArgumentException if {@code maxOutgoingPacket < 16} (a configuration bug)
     */
    public static MemoryResult<RingPair> forHost(
            final GpadlView gpadl, final int downstreamPageOffset, final int maxOutgoingPacket) {
        return create(gpadl, downstreamPageOffset, maxOutgoingPacket, true);
    }

    /**
     * The guest's view (a test or client guest): it produces into the guest&rarr;host ring and consumes the
     * host&rarr;guest ring.
     *
     * @param gpadl the ring GPADL
     * @param downstreamPageOffset the first page of the host&rarr;guest ring
     * @param maxOutgoingPacket the host reader's limit for one packet
     * @return the rings, or why the GPADL cannot hold them
     * @throws IllegalArgumentException if {@code maxOutgoingPacket < 16} (a configuration bug)
     */
    public static MemoryResult<RingPair> forGuest(
            final GpadlView gpadl, final int downstreamPageOffset, final int maxOutgoingPacket) {
        return create(gpadl, downstreamPageOffset, maxOutgoingPacket, false);
    }

    private static MemoryResult<RingPair> create(
            final GpadlView gpadl, final int split, final int maxOutgoingPacket, final boolean host) {
        if (maxOutgoingPacket < PacketDescriptorLayout.SIZE) {
            throw new IllegalArgumentException("maxOutgoingPacket=" + maxOutgoingPacket + " (expected: >= 16)");
        }
        if (gpadl.rangeCount() != 1) {
            return MemoryResult.failed(
                    MemoryError.Kind.RANGE_COUNT, "ring gpadl range count=" + gpadl.rangeCount() + " (expected: 1)");
        }
        if (gpadl.rangeByteOffset(0) != 0) {
            return MemoryResult.failed(
                    MemoryError.Kind.UNALIGNED,
                    "ring gpadl byte_offset=" + gpadl.rangeByteOffset(0) + " (expected: 0)");
        }
        final long length = gpadl.rangeLength(0);
        if ((length & (GuestMemory.PAGE_SIZE - 1)) != 0) {
            return MemoryResult.failed(
                    MemoryError.Kind.ODD_SIZE, "ring gpadl byte_count=" + length + " (expected: a multiple of 4096)");
        }
        final int pages = gpadl.pageCount();
        if (split <= 0 || split >= pages) {
            return MemoryResult.failed(
                    MemoryError.Kind.BAD_SPLIT,
                    "downstream_ringbuffer_pageoffset=" + Integer.toUnsignedString(split) + " (expected: 0 < offset < "
                            + pages + ", the gpadl's pages)");
        }
        final MemoryResult<RingPair> sizeError = checkRingSize("guest->host", split);
        if (sizeError != null) {
            return sizeError;
        }
        final MemoryResult<RingPair> sizeError2 = checkRingSize("host->guest", pages - split);
        if (sizeError2 != null) {
            return sizeError2;
        }
        final long[] sorted = new long[pages];
        for (int i = 0; i < pages; i++) {
            sorted[i] = gpadl.pageNumber(i);
        }
        Arrays.sort(sorted);
        for (int i = 1; i < pages; i++) {
            if (sorted[i] == sorted[i - 1]) {
                return MemoryResult.failed(
                        MemoryError.Kind.OVERLAP,
                        "ring gpadl lists guest page " + sorted[i] + " more than once (expected: distinct pages, rings"
                                + " must not overlap)");
            }
        }
        final RingRegion guestToHost = region(gpadl, 0, split);
        final RingRegion hostToGuest = region(gpadl, split, pages - split);
        final int maxPacket = maxOutgoingPacket & ~(RingHeaderLayout.INDEX_ALIGNMENT - 1);
        return host
                ? new MemoryResult.Ok<>(
                        new RingPair(new IncomingRing(guestToHost), new OutgoingRing(hostToGuest, maxPacket)))
                : new MemoryResult.Ok<>(
                        new RingPair(new IncomingRing(hostToGuest), new OutgoingRing(guestToHost, maxPacket)));
    }

    private static MemoryResult<RingPair> checkRingSize(final String ring, final int pages) {
        if (pages < MIN_RING_PAGES) {
            return MemoryResult.failed(
                    MemoryError.Kind.RING_TOO_SMALL,
                    ring + " ring pages=" + pages + " (expected: >= " + MIN_RING_PAGES + ")");
        }
        if (pages > MAX_RING_PAGES) {
            return MemoryResult.failed(
                    MemoryError.Kind.RING_TOO_LARGE,
                    ring + " ring pages=" + pages + " (expected: <= " + MAX_RING_PAGES + ")");
        }
        return null;
    }

    /** The ring of GPADL pages {@code [first, first + count)}: contiguous data if its pages are consecutive. */
    private static RingRegion region(final GpadlView gpadl, final int first, final int count) {
        final GuestMemory memory = gpadl.memory();
        final MemorySegment control = memory.page(gpadl.pageNumber(first));
        boolean consecutive = true;
        for (int i = first + 2; i < first + count && consecutive; i++) {
            consecutive = gpadl.pageNumber(i) == gpadl.pageNumber(i - 1) + 1;
        }
        final int dataPages = count - 1;
        if (consecutive) {
            final long start = gpadl.pageNumber(first + 1) << GuestMemory.PAGE_SHIFT;
            return RingRegion.contiguous(
                    control, memory.segment().asSlice(start, (long) dataPages << GuestMemory.PAGE_SHIFT));
        }
        final MemorySegment[] data = new MemorySegment[dataPages];
        for (int i = 0; i < dataPages; i++) {
            data[i] = memory.page(gpadl.pageNumber(first + 1 + i));
        }
        return RingRegion.paged(control, data);
    }

    /**
     * The ring this side consumes (host: guest&rarr;host).
     *
     * @return the incoming ring
     */
    public IncomingRing incoming() {
        return incoming;
    }

    /**
     * The ring this side produces into (host: host&rarr;guest).
     *
     * @return the outgoing ring
     */
    public OutgoingRing outgoing() {
        return outgoing;
    }
}
