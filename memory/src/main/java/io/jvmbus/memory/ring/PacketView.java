package io.jvmbus.memory.ring;

import io.jvmbus.protocol.ring.PacketDescriptorLayout;
import io.jvmbus.protocol.ring.PacketType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A reusable flyweight over one packet in place in an incoming ring: no copy, no allocation. {@link
 * IncomingRing#poll(PacketView)} fills it with the descriptor fields it read (once) and validated; the bytes behind
 * it stay in guest memory and are read on demand, wrapping at the end of the data area.
 *
 * <p>Offsets taken by the accessors are relative to the start of the packet (its descriptor), as in {@link
 * PacketDescriptorLayout}; they must lie inside {@code [0, length())}, which the ring has checked against the bytes the
 * producer published. The view is valid until the next {@link IncomingRing#commitRead()}, after which the producer may
 * reuse the space. The other side may still change the bytes while they are read: values read through the view are
 * guest data and must be validated by whoever interprets them.
 */
public final class PacketView {

    private RingRegion region;
    private int start;
    private int type;
    private int dataOffset8;
    private int length8;
    private int flags;
    private long transactionId;
    private int rangeCount;

    /** An empty view; {@link IncomingRing#poll(PacketView)} fills it. */
    public PacketView() {}

    void set(
            final RingRegion region,
            final int start,
            final int type,
            final int dataOffset8,
            final int length8,
            final int flags,
            final long transactionId,
            final int rangeCount) {
        this.region = region;
        this.start = start;
        this.type = type;
        this.dataOffset8 = dataOffset8;
        this.length8 = length8;
        this.flags = flags;
        this.transactionId = transactionId;
        this.rangeCount = rangeCount;
    }

    /**
     * The packet type code.
     *
     * @return one of the accepted {@link PacketType} codes
     */
    public int type() {
        return type;
    }

    /**
     * The descriptor flags.
     *
     * @return 0 or {@link PacketDescriptorLayout#FLAG_COMPLETION_REQUESTED}
     */
    public int flags() {
        return flags;
    }

    /**
     * Whether the sender asked for a completion.
     *
     * @return flags bit 0
     */
    public boolean completionRequested() {
        return (flags & PacketDescriptorLayout.FLAG_COMPLETION_REQUESTED) != 0;
    }

    /**
     * The transaction id as the descriptor carried it.
     *
     * @return trans_id
     */
    public long transactionId() {
        return transactionId;
    }

    /**
     * Where the payload starts, from the start of the packet.
     *
     * @return offset8 * 8
     */
    public int dataOffset() {
        return dataOffset8 * PacketDescriptorLayout.UNIT;
    }

    /**
     * The packet length without the trailer.
     *
     * @return len8 * 8
     */
    public int length() {
        return length8 * PacketDescriptorLayout.UNIT;
    }

    /**
     * The payload length, padding included.
     *
     * @return {@code length() - dataOffset()}
     */
    public int payloadLength() {
        return length() - dataOffset();
    }

    /**
     * The range count of a transfer-page or GPA-direct header (read once and validated by the ring).
     *
     * @return range_cnt, or 0 for other types
     */
    public int rangeCount() {
        return rangeCount;
    }

    /**
     * Where the packet starts in the ring's data area.
     *
     * @return the data-area offset of the descriptor
     */
    public int startOffset() {
        return start;
    }

    /**
     * One byte of the packet.
     *
     * @param offset from the start of the packet
     * @return the byte
     * @throws IndexOutOfBoundsException outside the packet (a caller bug)
     */
    public byte getByte(final int offset) {
        Objects.checkIndex(offset, length());
        return region.getByte(region.advance(start, offset));
    }

    /**
     * A little-endian u32 of the packet at a 4-aligned offset.
     *
     * @param offset from the start of the packet, a multiple of 4
     * @return the value
     * @throws IndexOutOfBoundsException outside the packet, or misaligned (a caller bug)
     */
    public int getInt(final int offset) {
        checkAligned(offset, 4);
        return region.getInt(region.advance(start, offset));
    }

    /**
     * A little-endian u64 of the packet at an 8-aligned offset.
     *
     * @param offset from the start of the packet, a multiple of 8
     * @return the value
     * @throws IndexOutOfBoundsException outside the packet, or misaligned (a caller bug)
     */
    public long getLong(final int offset) {
        checkAligned(offset, 8);
        return region.getLong(region.advance(start, offset));
    }

    /**
     * The 8-byte trailer after the packet (producers write {@code (u64) start << 32}; readers need not check it).
     *
     * @return the trailer as read now
     */
    public long trailer() {
        return region.getLong(region.advance(start, length()));
    }

    /**
     * Copies part of the packet out, wrapping as needed.
     *
     * @param offset from the start of the packet
     * @param dst destination
     * @param dstOffset offset in {@code dst}
     * @param count bytes
     * @throws IndexOutOfBoundsException outside the packet or outside {@code dst} (a caller bug)
     */
    public void copyTo(final int offset, final MemorySegment dst, final long dstOffset, final int count) {
        Objects.checkFromIndexSize(offset, count, length());
        Objects.checkFromIndexSize(dstOffset, count, dst.byteSize());
        region.copyOut(region.advance(start, offset), dst, dstOffset, count);
    }

    /**
     * Copies the payload (from {@link #dataOffset()} to {@link #length()}, padding included) out.
     *
     * @param dst destination
     * @param dstOffset offset in {@code dst}
     * @throws IndexOutOfBoundsException if it does not fit in {@code dst} (a caller bug)
     */
    public void copyPayloadTo(final MemorySegment dst, final long dstOffset) {
        copyTo(dataOffset(), dst, dstOffset, payloadLength());
    }

    /**
     * Part of the packet as a segment over guest memory, without copying, when it lies in one contiguous piece (it
     * neither wraps nor crosses into a non-adjacent page).
     *
     * @param offset from the start of the packet
     * @param count bytes
     * @return a slice of guest memory, or {@code null} if the bytes are split
     * @throws IndexOutOfBoundsException outside the packet (a caller bug)
     */
    public MemorySegment sliceOrNull(final int offset, final int count) {
        Objects.checkFromIndexSize(offset, count, length());
        return region.sliceOrNull(region.advance(start, offset), count);
    }

    private void checkAligned(final int offset, final int size) {
        Objects.checkFromIndexSize(offset, size, length());
        if ((offset & (size - 1)) != 0) {
            throw new IndexOutOfBoundsException("offset=" + offset + " (expected: a multiple of " + size + ")");
        }
    }

    @Override
    public String toString() {
        return "PacketView[type=" + type + ", offset8=" + dataOffset8 + ", len8=" + length8 + ", flags=" + flags
                + ", transactionId=" + transactionId + ", start=" + start + "]";
    }
}
