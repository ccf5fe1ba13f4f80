package io.jvmbus.memory.ring;

import io.jvmbus.protocol.ring.GpaDirectHeaderLayout;
import io.jvmbus.protocol.ring.GpaRangeLayout;
import io.jvmbus.protocol.ring.PacketDescriptorLayout;
import io.jvmbus.protocol.ring.PacketTrailerLayout;
import io.jvmbus.protocol.ring.PacketType;
import io.jvmbus.protocol.ring.RingHeaderLayout;
import io.jvmbus.protocol.ring.TransferPageHeaderLayout;
import java.lang.invoke.VarHandle;

/**
 * The consuming end of one ring: for the host, the guest&rarr;host ring. It reads packets in place ({@link
 * #poll(PacketView)}), then releases them in one step ({@link #commitRead()}), which also decides whether the
 * producer must be signalled.
 *
 * <p><b>Hostile producer.</b> Every index and descriptor field is read from guest memory exactly once, then validated
 * before it is used: {@code write_index} must be a multiple of 8 below the data size; a packet needs
 * {@code 2 <= offset8 <= len8}, no unknown flag bits, an accepted type, a header that fits (transfer pages and GPA
 * direct), and it must fit <em>with its 8-byte trailer</em> in the published bytes (the reference's bug B15 checked
 * without the trailer). The first violation makes the ring {@link ReadStatus#CORRUPT} for good; nothing throws, nothing
 * reads outside the ring, and every call does a bounded amount of work.
 *
 * <p><b>Signalling.</b> {@link #commitRead()} applies Linux's pending_send_sz rule (low 3 bits cleared): signal the
 * producer iff the free space crossed from "at most pending" to "more than pending". Interrupt masking while draining
 * is {@link #beginRead()} / {@link #endRead()}; the producer signals only when the mask is 0 and the ring was empty.
 *
 * <p>Not thread-safe: one thread consumes a ring. The producing end may run concurrently in another thread or process.
 */
public final class IncomingRing {

    /** The smallest ring footprint of a packet: a descriptor and a trailer. */
    static final int MIN_PACKET_FOOTPRINT = PacketDescriptorLayout.SIZE + PacketTrailerLayout.SIZE;

    private static final int ALIGN_MASK = RingHeaderLayout.INDEX_ALIGNMENT - 1;
    private static final int TYPE_TRANSFER_PAGES = PacketType.DATA_USING_TRANSFER_PAGES.code();
    private static final int TYPE_GPA_DIRECT = PacketType.DATA_USING_GPA_DIRECT.code();

    private final RingRegion region;
    private final int size;

    /** Next packet to read (private; ahead of read_index until committed). */
    private int readPos;
    /** Last value stored to read_index. */
    private int publishedRead;
    /** Last validated write_index; bytes [readPos, cachedWrite) are published and unread. */
    private int cachedWrite;

    private RingCorruption corruption;
    private long packetsRead;
    private long signalsRaised;

    IncomingRing(final RingRegion region) {
        this.region = region;
        this.size = region.dataSize();
        // Attach where the consumer left off (a fresh ring: 0; after a restore: the saved value in guest memory).
        final int r = region.lvReadIndex();
        if (!validIndex(r)) {
            corrupt(RingCorruption.Kind.READ_INDEX, -1, r, "read_index=" + Integer.toUnsignedString(r) + expectation());
            return;
        }
        readPos = r;
        publishedRead = r;
        cachedWrite = r;
    }

    /**
     * Reads the next packet, in place.
     *
     * @param view filled with the packet on {@link ReadStatus#PACKET}; untouched otherwise
     * @return PACKET, EMPTY, or CORRUPT (sticky)
     */
    public ReadStatus poll(final PacketView view) {
        if (corruption != null) {
            return ReadStatus.CORRUPT;
        }
        final RingRegion ring = region;
        final int pos = readPos;
        int w = cachedWrite;
        if (w == pos) {
            // Acquire: pairs with the producer's release store of write_index after it wrote the packets.
            w = ring.lvWriteIndex();
            if (w == pos) {
                return ReadStatus.EMPTY;
            }
            if (!validIndex(w)) {
                return corrupt(
                        RingCorruption.Kind.WRITE_INDEX,
                        -1,
                        w,
                        "write_index=" + Integer.toUnsignedString(w) + expectation());
            }
            cachedWrite = w;
        }
        final int available = w > pos ? w - pos : size - pos + w;
        if (available < MIN_PACKET_FOOTPRINT) {
            return corrupt(
                    RingCorruption.Kind.DATA_AVAILABLE,
                    pos,
                    available,
                    "available=" + available + " (expected: >= " + MIN_PACKET_FOOTPRINT
                            + ", a descriptor and a trailer)");
        }
        // The descriptor, read once: type | offset8 << 16 | len8 << 32 | flags << 48, then trans_id.
        final long head = ring.getLong(pos);
        final long transactionId = ring.getLong(ring.advance(pos, 8));
        final int type = (int) head & 0xFFFF;
        final int offset8 = (int) (head >>> 16) & 0xFFFF;
        final int length8 = (int) (head >>> 32) & 0xFFFF;
        final int flags = (int) (head >>> 48) & 0xFFFF;
        if (offset8 < PacketDescriptorLayout.MIN_LENGTH8 || offset8 > length8) {
            return corrupt(
                    RingCorruption.Kind.DESCRIPTOR_LENGTHS,
                    pos,
                    head,
                    "offset8=" + offset8 + " len8=" + length8 + " (expected: 2 <= offset8 <= len8)");
        }
        final int footprint = length8 * PacketDescriptorLayout.UNIT + PacketTrailerLayout.SIZE;
        if (footprint > available) {
            return corrupt(
                    RingCorruption.Kind.PACKET_EXCEEDS_DATA,
                    pos,
                    head,
                    "len8=" + length8 + " needs " + footprint + " bytes with the trailer (expected: <= available="
                            + available + ")");
        }
        if ((flags & ~PacketDescriptorLayout.VALID_FLAGS) != 0) {
            return corrupt(
                    RingCorruption.Kind.DESCRIPTOR_FLAGS,
                    pos,
                    flags,
                    "flags=0x" + Integer.toHexString(flags) + " (expected: 0 or 1)");
        }
        if (!PacketType.isAccepted(type)) {
            return corrupt(
                    RingCorruption.Kind.DESCRIPTOR_TYPE, pos, type, "type=" + type + " (expected: 6, 7, 9 or 11)");
        }
        int rangeCount = 0;
        if (type == TYPE_TRANSFER_PAGES || type == TYPE_GPA_DIRECT) {
            if (offset8 < 3) {
                return corrupt(
                        RingCorruption.Kind.DESCRIPTOR_HEADER,
                        pos,
                        offset8,
                        "type=" + type + " offset8=" + offset8 + " (expected: >= 3, room for the range header)");
            }
            // Both headers keep range_cnt in the upper half of the u64 at packet offset 16.
            rangeCount = (int) (ring.getLong(ring.advance(pos, PacketDescriptorLayout.SIZE)) >>> 32);
            final long headerArea = (long) offset8 * PacketDescriptorLayout.UNIT;
            final long needed = type == TYPE_TRANSFER_PAGES
                    ? TransferPageHeaderLayout.SIZE
                            + (long) TransferPageHeaderLayout.RANGE_SIZE * Integer.toUnsignedLong(rangeCount)
                    : GpaDirectHeaderLayout.SIZE
                            + (long) (GpaRangeLayout.SIZE + GpaRangeLayout.PFN_SIZE)
                                    * Integer.toUnsignedLong(rangeCount);
            if ((type == TYPE_GPA_DIRECT && rangeCount == 0) || needed > headerArea) {
                return corrupt(
                        RingCorruption.Kind.DESCRIPTOR_HEADER,
                        pos,
                        Integer.toUnsignedLong(rangeCount),
                        "type=" + type + " range_cnt=" + Integer.toUnsignedString(rangeCount) + " offset8=" + offset8
                                + " (expected: " + (type == TYPE_GPA_DIRECT ? "range_cnt >= 1 and " : "")
                                + "ranges within offset8 * 8 bytes)");
            }
        }
        view.set(ring, pos, type, offset8, length8, flags, transactionId, rangeCount);
        readPos = ring.advance(pos, footprint);
        packetsRead++;
        return ReadStatus.PACKET;
    }

    /**
     * Publishes {@code read_index} for every packet polled since the last commit, then applies the pending_send_sz
     * rule. Packet views polled before the call must not be used afterwards.
     *
     * @return true iff the producer must be signalled now (it waits for space and the ring just crossed to enough)
     */
    public boolean commitRead() {
        if (corruption != null) {
            return false;
        }
        final RingRegion ring = region;
        final int pos = readPos;
        final int previous = publishedRead;
        if (pos == previous) {
            return false;
        }
        // Release: our reads of the released packets happen before the producer's acquire load of read_index
        // (and so before it overwrites them).
        ring.soReadIndex(pos);
        publishedRead = pos;
        // Store-load fence: read_index is visible before we look at pending_send_sz. Pairs with the producer's full
        // barrier between setting pending_send_sz and re-reading read_index: one of us sees the other's store.
        VarHandle.fullFence();
        final int pending = ring.lvPendingSendSize() & ~ALIGN_MASK;
        if (pending == 0) {
            return false;
        }
        final int w = ring.lvWriteIndex(); // acquire: the producer's current write position
        if (!validIndex(w)) {
            corrupt(
                    RingCorruption.Kind.WRITE_INDEX,
                    -1,
                    w,
                    "write_index=" + Integer.toUnsignedString(w) + expectation());
            return false;
        }
        final long consumed = pos >= previous ? pos - previous : size - previous + pos;
        final long freeNow = w >= pos ? size - (w - pos) : pos - w; // Linux's hv_get_bytes_to_write()
        final long want = Integer.toUnsignedLong(pending);
        // Linux's hv_pkt_iter_close(): signal iff it went from "not enough" (free <= pending) to "enough".
        final boolean signal = freeNow - consumed <= want && want < freeNow;
        if (signal) {
            signalsRaised++;
        }
        return signal;
    }

    /** Sets interrupt_mask = 1: "don't signal me, I am draining" (Linux's {@code hv_begin_read}). */
    public void beginRead() {
        if (corruption == null) {
            region.soInterruptMask(1); // release; a producer that misses it only sends one spurious signal
        }
    }

    /**
     * Sets interrupt_mask = 0 and looks for packets published meanwhile (Linux's {@code hv_end_read}). A producer
     * that wrote while the mask was set did not signal, so the caller must keep draining if this returns true.
     *
     * @return true if packets are waiting (or the ring is corrupt: the next poll reports it)
     */
    public boolean endRead() {
        if (corruption != null) {
            return true;
        }
        region.soInterruptMask(0);
        // Store-load fence: the mask store is visible before we re-read write_index. Pairs with the producer's full
        // barrier between publishing write_index and reading interrupt_mask: either it sees mask 0 and signals, or
        // we see its write_index here.
        VarHandle.fullFence();
        return hasPackets();
    }

    /**
     * Whether unread bytes are published (one acquire load of write_index).
     *
     * @return true if a poll would not return EMPTY
     */
    public boolean hasPackets() {
        if (corruption != null) {
            return true;
        }
        return readPos != cachedWrite || region.lvWriteIndex() != readPos;
    }

    /**
     * The reference's "unstick" test, for use after a restore or a lost signal: the producer waits for space
     * (pending_send_sz set) and already has it.
     *
     * @return true if the producer should be signalled
     */
    public boolean producerNeedsSignal() {
        if (corruption != null) {
            return false;
        }
        final int pending = region.lvPendingSendSize() & ~ALIGN_MASK;
        final int w = region.lvWriteIndex();
        if (pending == 0 || !validIndex(w)) {
            return false;
        }
        final int r = publishedRead;
        final long free = w >= r ? size - (w - r) : r - w;
        return Integer.toUnsignedLong(pending) < free;
    }

    /**
     * The corruption found, if any.
     *
     * @return why the ring is corrupt, or {@code null}
     */
    public RingCorruption corruption() {
        return corruption;
    }

    /**
     * Size of the data area.
     *
     * @return bytes
     */
    public int dataSize() {
        return size;
    }

    /**
     * The private read position (where the next packet is expected).
     *
     * @return a data-area offset
     */
    public int readPosition() {
        return readPos;
    }

    /**
     * Packets returned by {@link #poll} so far.
     *
     * @return the count
     */
    public long packetsRead() {
        return packetsRead;
    }

    /**
     * Commits that asked for a signal so far.
     *
     * @return the count
     */
    public long signalsRaised() {
        return signalsRaised;
    }

    private boolean validIndex(final int index) {
        return (index & ALIGN_MASK) == 0 && Integer.compareUnsigned(index, size) < 0;
    }

    private String expectation() {
        return " (expected: a multiple of 8 below the data size " + size + ")";
    }

    private ReadStatus corrupt(final RingCorruption.Kind kind, final int position, final long value, final String m) {
        corruption = new RingCorruption(kind, position, value, m);
        return ReadStatus.CORRUPT;
    }

    @Override
    public String toString() {
        return "IncomingRing[dataSize=" + size + ", readPosition=" + readPos + ", published=" + publishedRead
                + (corruption != null ? ", " + corruption : "") + "]";
    }
}
