package io.jvmbus.memory.ring;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.protocol.GpaRange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Test-side, independent access to one ring in guest memory: header fields by their byte offsets (0, 4, 8, 12, 64)
 * and data bytes by ring offset, byte by byte through the page list. It plays the other end of a ring in unit tests
 * and builds packets by hand; it shares no code with the production ring.
 */
final class RawRing {

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    final MemorySegment ram;
    final long controlPage;
    final long[] dataPages;
    final int size;

    RawRing(final GuestMemory memory, final long controlPage, final long[] dataPages) {
        this.ram = memory.segment();
        this.controlPage = controlPage;
        this.dataPages = dataPages.clone();
        this.size = dataPages.length * 4096;
    }

    /** Guest memory of {@code pages} zeroed pages in a confined or shared arena. */
    static GuestMemory memory(final Arena arena, final int pages) {
        return GuestMemory.wrap(arena.allocate((long) pages * 4096, 4096));
    }

    /** A one-range GPADL over {@code pages}. */
    static GpadlView gpadl(final GuestMemory memory, final long... pages) {
        return GpadlView.of(memory, List.of(new GpaRange(0, pages.length * 4096, pages)))
                .orElseThrow();
    }

    /** The raw view of ring pages {@code [first, first + count)} of a page list. */
    static RawRing of(final GuestMemory memory, final long[] gpadlPages, final int first, final int count) {
        final long[] data = new long[count - 1];
        System.arraycopy(gpadlPages, first + 1, data, 0, count - 1);
        return new RawRing(memory, gpadlPages[first], data);
    }

    /** Pages 0..n-1 in order. */
    static long[] pages(final int first, final int n) {
        final long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = first + i;
        }
        return p;
    }

    int header(final int offset) {
        return ram.get(I32, controlPage * 4096 + offset);
    }

    void header(final int offset, final int value) {
        ram.set(I32, controlPage * 4096 + offset, value);
    }

    int writeIndex() {
        return header(0);
    }

    void writeIndex(final int v) {
        header(0, v);
    }

    int readIndex() {
        return header(4);
    }

    void readIndex(final int v) {
        header(4, v);
    }

    int interruptMask() {
        return header(8);
    }

    void interruptMask(final int v) {
        header(8, v);
    }

    int pendingSendSize() {
        return header(12);
    }

    void pendingSendSize(final int v) {
        header(12, v);
    }

    int featureBits() {
        return header(64);
    }

    private long address(final int ringOffset) {
        final int o = Math.floorMod(ringOffset, size);
        return dataPages[o / 4096] * 4096 + (o % 4096);
    }

    byte byteAt(final int ringOffset) {
        return ram.get(ValueLayout.JAVA_BYTE, address(ringOffset));
    }

    void byteAt(final int ringOffset, final byte b) {
        ram.set(ValueLayout.JAVA_BYTE, address(ringOffset), b);
    }

    long longAt(final int ringOffset) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (byteAt(ringOffset + i) & 0xFF);
        }
        return v;
    }

    void longAt(final int ringOffset, final long v) {
        for (int i = 0; i < 8; i++) {
            byteAt(ringOffset + i, (byte) (v >>> (8 * i)));
        }
    }

    byte[] bytes(final int ringOffset, final int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = byteAt(ringOffset + i);
        }
        return b;
    }

    void bytes(final int ringOffset, final byte[] b) {
        for (int i = 0; i < b.length; i++) {
            byteAt(ringOffset + i, b[i]);
        }
    }

    /**
     * Writes a packet as a guest would, at {@code pos}: descriptor, body (header + payload), zero padding, trailer
     * {@code pos << 32}. Does not publish.
     *
     * @return the position after the trailer
     */
    int putPacket(
            final int pos, final int type, final int flags, final long transId, final int offset8, final byte[] body) {
        final int len = 16 + body.length;
        final int len8 = (len + 7) / 8;
        return putRaw(pos, type, offset8, len8, flags, transId, body);
    }

    /** Writes any descriptor values verbatim, the body, zero padding to len8 * 8 and the trailer. */
    int putRaw(
            final int pos,
            final int type,
            final int offset8,
            final int len8,
            final int flags,
            final long transId,
            final byte[] body) {
        longAt(pos, (type & 0xFFFFL) | (offset8 & 0xFFFFL) << 16 | (len8 & 0xFFFFL) << 32 | (flags & 0xFFFFL) << 48);
        longAt(pos + 8, transId);
        bytes(pos + 16, body);
        for (int i = 16 + body.length; i < len8 * 8; i++) {
            byteAt(pos + i, (byte) 0);
        }
        longAt(pos + len8 * 8, (long) pos << 32);
        return Math.floorMod(pos + len8 * 8 + 8, size);
    }

    /** An in-band packet (offset8 = 2) written and published: write_index moves past it. */
    int sendInBand(final int type, final int flags, final long transId, final byte[] payload) {
        final int next = putPacket(writeIndex(), type, flags, transId, 2, payload);
        writeIndex(next);
        return next;
    }
}
