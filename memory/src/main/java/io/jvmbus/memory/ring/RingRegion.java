package io.jvmbus.memory.ring;

import io.jvmbus.protocol.ring.RingHeaderLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * One ring's memory: its control page and its data area, which is either one contiguous segment or a list of page
 * segments (a GPADL whose data pages are not consecutive in guest RAM). Offsets into the data area ("positions") are
 * {@code 0 <= pos < dataSize}; every access wraps at the end of the data area and splits at chunk boundaries, so no
 * double mapping is needed.
 *
 * <p>Control-page accessors carry their memory ordering in the name: {@code lv} = load with acquire semantics,
 * {@code so} = store with release semantics (single aligned 32-bit accesses). Data-area accessors are plain; the
 * ordering comes from the index accesses around them.
 *
 * <p>Callers are trusted to pass positions below {@code dataSize}; every value read from guest memory is validated by
 * the ring classes before it becomes a position.
 */
final class RingRegion {

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32_HANDLE = U32.varHandle();
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32_PLAIN =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long WRITE_INDEX = RingHeaderLayout.WRITE_INDEX_OFFSET;
    private static final long READ_INDEX = RingHeaderLayout.READ_INDEX_OFFSET;
    private static final long INTERRUPT_MASK = RingHeaderLayout.INTERRUPT_MASK_OFFSET;
    private static final long PENDING_SEND_SIZE = RingHeaderLayout.PENDING_SEND_SIZE_OFFSET;
    private static final long FEATURE_BITS = RingHeaderLayout.FEATURE_BITS_OFFSET;

    private final MemorySegment control;
    private final MemorySegment[] chunks;
    private final int chunkShift;
    private final int chunkMask;
    private final int chunkSize;
    private final int dataSize;

    /**
     * A ring over a contiguous data area.
     *
     * @param control the 4096-byte control page
     * @param data the data area (a multiple of 4096 bytes, below 2^31)
     */
    static RingRegion contiguous(final MemorySegment control, final MemorySegment data) {
        return new RingRegion(control, new MemorySegment[] {data}, 31, (int) data.byteSize(), (int) data.byteSize());
    }

    /**
     * A ring whose data pages are separate segments.
     *
     * @param control the 4096-byte control page
     * @param pages the data pages in ring order, 4096 bytes each
     */
    static RingRegion paged(final MemorySegment control, final MemorySegment[] pages) {
        return new RingRegion(control, pages.clone(), 12, 4096, pages.length * 4096);
    }

    private RingRegion(
            final MemorySegment control,
            final MemorySegment[] chunks,
            final int chunkShift,
            final int chunkSize,
            final int dataSize) {
        this.control = control;
        this.chunks = chunks;
        this.chunkShift = chunkShift;
        this.chunkMask = chunkShift == 31 ? Integer.MAX_VALUE : (1 << chunkShift) - 1;
        this.chunkSize = chunkSize;
        this.dataSize = dataSize;
    }

    int dataSize() {
        return dataSize;
    }

    boolean isContiguous() {
        return chunks.length == 1;
    }

    // ---------------------------------------------------------------- control page

    int lvWriteIndex() {
        return (int) U32_HANDLE.getAcquire(control, WRITE_INDEX);
    }

    void soWriteIndex(final int value) {
        U32_HANDLE.setRelease(control, WRITE_INDEX, value);
    }

    int lvReadIndex() {
        return (int) U32_HANDLE.getAcquire(control, READ_INDEX);
    }

    void soReadIndex(final int value) {
        U32_HANDLE.setRelease(control, READ_INDEX, value);
    }

    int lvInterruptMask() {
        return (int) U32_HANDLE.getAcquire(control, INTERRUPT_MASK);
    }

    void soInterruptMask(final int value) {
        U32_HANDLE.setRelease(control, INTERRUPT_MASK, value);
    }

    int lvPendingSendSize() {
        return (int) U32_HANDLE.getAcquire(control, PENDING_SEND_SIZE);
    }

    void soPendingSendSize(final int value) {
        U32_HANDLE.setRelease(control, PENDING_SEND_SIZE, value);
    }

    int lvFeatureBits() {
        return (int) U32_HANDLE.getAcquire(control, FEATURE_BITS);
    }

    void soFeatureBits(final int value) {
        U32_HANDLE.setRelease(control, FEATURE_BITS, value);
    }

    // ---------------------------------------------------------------- data area (plain accesses)

    /** Position {@code pos + delta} wrapped into the data area ({@code 0 <= delta <= dataSize}). */
    int advance(final int pos, final int delta) {
        final int next = pos + delta; // both below 2^31 - 4096: no overflow
        return next >= dataSize ? next - dataSize : next;
    }

    /** A u64 at an 8-aligned position (never crosses a chunk: chunks are whole pages). */
    long getLong(final int pos) {
        return chunks[pos >>> chunkShift].get(U64, pos & chunkMask);
    }

    /** A u32 at a 4-aligned position. */
    int getInt(final int pos) {
        return chunks[pos >>> chunkShift].get(U32_PLAIN, pos & chunkMask);
    }

    byte getByte(final int pos) {
        return chunks[pos >>> chunkShift].get(ValueLayout.JAVA_BYTE, pos & chunkMask);
    }

    /** Stores a u64 at an 8-aligned position. */
    void putLong(final int pos, final long value) {
        chunks[pos >>> chunkShift].set(U64, pos & chunkMask, value);
    }

    /** Copies {@code length} ring bytes from {@code pos} (wrapping) to {@code dst}. */
    void copyOut(final int pos, final MemorySegment dst, final long dstOffset, final int length) {
        int p = pos;
        int done = 0;
        while (done < length) {
            final int off = p & chunkMask;
            final int n = Math.min(length - done, chunkSize - off);
            MemorySegment.copy(chunks[p >>> chunkShift], off, dst, dstOffset + done, n);
            done += n;
            p = advance(p, n);
        }
    }

    /** Copies {@code length} bytes from {@code src} into the ring at {@code pos} (wrapping). */
    void copyIn(final int pos, final MemorySegment src, final long srcOffset, final int length) {
        int p = pos;
        int done = 0;
        while (done < length) {
            final int off = p & chunkMask;
            final int n = Math.min(length - done, chunkSize - off);
            MemorySegment.copy(src, srcOffset + done, chunks[p >>> chunkShift], off, n);
            done += n;
            p = advance(p, n);
        }
    }

    /** Zeroes {@code length} (&lt; 8) ring bytes at {@code pos}. */
    void zeroPadding(final int pos, final int length) {
        int p = pos;
        for (int i = 0; i < length; i++) {
            chunks[p >>> chunkShift].set(ValueLayout.JAVA_BYTE, p & chunkMask, (byte) 0);
            p = advance(p, 1);
        }
    }

    /**
     * The data as one segment slice if {@code [pos, pos + length)} neither wraps nor crosses a chunk.
     *
     * @return the slice, or {@code null}
     */
    MemorySegment sliceOrNull(final int pos, final int length) {
        final int off = pos & chunkMask;
        if (length > chunkSize - off) {
            return null;
        }
        return chunks[pos >>> chunkShift].asSlice(off, length);
    }
}
