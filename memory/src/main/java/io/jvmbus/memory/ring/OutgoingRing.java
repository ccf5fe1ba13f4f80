package io.jvmbus.memory.ring;

import io.jvmbus.protocol.ring.PacketDescriptorLayout;
import io.jvmbus.protocol.ring.PacketTrailerLayout;
import io.jvmbus.protocol.ring.RingHeaderLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The producing end of one ring: for the host, the host&rarr;guest ring. Packets are written in batches ({@link
 * #tryWrite}) and published together ({@link #commitWrite()}), which makes one signal decision per batch.
 *
 * <p><b>Rules</b> (Linux's {@code hv_ringbuffer_write}): a packet of {@code len8 * 8} bytes takes {@code len8 * 8 + 8}
 * ring bytes with its trailer {@code (u64) start << 32}; it is written only if the free space is strictly larger than
 * that, so the ring is never completely full (full and empty would look the same). Padding is zeroed. A packet longer
 * than {@link #maxPacketLength()} is refused with {@link WriteStatus#TOO_LARGE}: the configured limit is the reader's
 * buffer (Linux's {@code max_pkt_size}, 4096 by default), because Linux truncates a longer packet and loses framing.
 * The limit never exceeds what the ring can hold, and that maximum is writable (the reference's bug B16 advertised a
 * maximum it then refused).
 *
 * <p><b>Signalling.</b> {@link #commitWrite()} publishes {@code write_index} and returns true iff the consumer must be
 * signalled: its {@code interrupt_mask} is 0 and its {@code read_index} equals the {@code write_index} published before
 * the batch (the ring was empty). When the ring is full, {@link #requestSpace(int)} sets {@code pending_send_sz} so the
 * consumer signals once enough space is free.
 *
 * <p><b>Hostile consumer.</b> {@code read_index} is read once per check and validated; an invalid value makes the ring
 * {@link WriteStatus#CORRUPT} for good. Nothing throws for anything the consumer writes.
 *
 * <p>Not thread-safe: one thread produces into a ring. The consuming end may run concurrently elsewhere.
 */
public final class OutgoingRing {

    /** The largest packet length len8 can express. */
    public static final int MAX_ENCODABLE_PACKET_LENGTH =
            PacketDescriptorLayout.MAX_LENGTH8 * PacketDescriptorLayout.UNIT;

    private static final int ALIGN_MASK = RingHeaderLayout.INDEX_ALIGNMENT - 1;

    private final RingRegion region;
    private final int size;
    private final int maxPacketLength;

    /** Where the next packet goes (private; ahead of write_index until committed). */
    private int writePos;
    /** Last value stored to write_index. */
    private int publishedWrite;
    /** Last validated read_index. */
    private int cachedRead;

    private boolean pendingSet;

    private RingCorruption corruption;
    private long packetsWritten;
    private long signalsRaised;

    OutgoingRing(final RingRegion region, final int maxPacketLength) {
        this.region = region;
        this.size = region.dataSize();
        // The ring holds a packet iff len8 * 8 + 8 < dataSize, i.e. len8 * 8 <= dataSize - 16.
        this.maxPacketLength = Math.min(maxPacketLength, Math.min(size - 16, MAX_ENCODABLE_PACKET_LENGTH));
        final int w = region.lvWriteIndex();
        final int r = region.lvReadIndex();
        if (!validIndex(w)) {
            corrupt(RingCorruption.Kind.WRITE_INDEX, w, "write_index=" + Integer.toUnsignedString(w) + expectation());
            return;
        }
        if (!validIndex(r)) {
            corrupt(RingCorruption.Kind.READ_INDEX, r, "read_index=" + Integer.toUnsignedString(r) + expectation());
            return;
        }
        writePos = w;
        publishedWrite = w;
        cachedRead = r;
        // We honour pending_send_sz: say so, as Linux does on its rings (idempotent; nothing else is touched).
        final int features = region.lvFeatureBits();
        if ((features & RingHeaderLayout.FEATURE_PENDING_SEND_SIZE) == 0) {
            region.soFeatureBits(features | RingHeaderLayout.FEATURE_PENDING_SEND_SIZE);
        }
    }

    /**
     * The ring length of a packet without its trailer.
     *
     * @param headerLength bytes between the descriptor and the payload (a multiple of 8)
     * @param payloadLength payload bytes
     * @return {@code 16 + headerLength + align8(payloadLength)}
     */
    public static long packetLength(final int headerLength, final int payloadLength) {
        return PacketDescriptorLayout.SIZE + (long) headerLength + PacketDescriptorLayout.align8(payloadLength);
    }

    /**
     * Writes an in-band style packet (payload right after the descriptor, offset8 = 2).
     *
     * @param type packet type code (u16), e.g. 6 in-band or 11 completion
     * @param flags descriptor flags (u16)
     * @param transactionId trans_id
     * @param payload source of the payload
     * @param payloadOffset offset in {@code payload}
     * @param payloadLength payload bytes
     * @return WRITTEN, FULL, TOO_LARGE or CORRUPT
     * @throws IllegalArgumentException for a type or flags outside u16, or a negative length (caller bugs)
     * @throws IndexOutOfBoundsException if the payload range is outside {@code payload} (a caller bug)
     */
    public WriteStatus tryWrite(
            final int type,
            final int flags,
            final long transactionId,
            final MemorySegment payload,
            final long payloadOffset,
            final int payloadLength) {
        return tryWrite(type, flags, transactionId, payload, 0, 0, payload, payloadOffset, payloadLength);
    }

    /**
     * Writes a packet with a type-specific header between the descriptor and the payload (e.g. a transfer-page
     * header and its ranges); offset8 = (16 + headerLength) / 8.
     *
     * @param type packet type code (u16)
     * @param flags descriptor flags (u16)
     * @param transactionId trans_id
     * @param header source of the header bytes
     * @param headerOffset offset in {@code header}
     * @param headerLength header bytes, a multiple of 8
     * @param payload source of the payload
     * @param payloadOffset offset in {@code payload}
     * @param payloadLength payload bytes
     * @return WRITTEN, FULL, TOO_LARGE or CORRUPT
     * @throws IllegalArgumentException for a type or flags outside u16, a header length that is not a multiple of 8 or
     *     a negative length (caller bugs)
     * @throws IndexOutOfBoundsException if a source range is outside its segment (a caller bug)
     */
    public WriteStatus tryWrite(
            final int type,
            final int flags,
            final long transactionId,
            final MemorySegment header,
            final long headerOffset,
            final int headerLength,
            final MemorySegment payload,
            final long payloadOffset,
            final int payloadLength) {
        if (((type | flags) & ~0xFFFF) != 0
                || (headerLength & ALIGN_MASK) != 0
                || headerLength < 0
                || payloadLength < 0) {
            throw badArguments(type, flags, headerLength, payloadLength);
        }
        Objects.checkFromIndexSize(headerOffset, headerLength, header.byteSize());
        Objects.checkFromIndexSize(payloadOffset, payloadLength, payload.byteSize());
        if (corruption != null) {
            return WriteStatus.CORRUPT;
        }
        final long length = packetLength(headerLength, payloadLength);
        if (length > maxPacketLength) {
            return WriteStatus.TOO_LARGE;
        }
        final int packetLength = (int) length;
        final int footprint = packetLength + PacketTrailerLayout.SIZE;
        final RingRegion ring = region;
        final int pos = writePos;
        if (freeBytes(pos, cachedRead) <= footprint) {
            // Acquire: pairs with the consumer's release store of read_index after it finished reading.
            final int r = ring.lvReadIndex();
            if (!validIndex(r)) {
                corrupt(RingCorruption.Kind.READ_INDEX, r, "read_index=" + Integer.toUnsignedString(r) + expectation());
                return WriteStatus.CORRUPT;
            }
            cachedRead = r;
            if (freeBytes(pos, r) <= footprint) {
                return WriteStatus.FULL; // "only room for the packet" counts as full
            }
        }
        final int dataOffset8 = (PacketDescriptorLayout.SIZE + headerLength) / PacketDescriptorLayout.UNIT;
        final long head = (type & 0xFFFFL)
                | (long) dataOffset8 << 16
                | (long) (packetLength / PacketDescriptorLayout.UNIT) << 32
                | (flags & 0xFFFFL) << 48;
        ring.putLong(pos, head);
        int p = ring.advance(pos, 8);
        ring.putLong(p, transactionId);
        p = ring.advance(p, 8);
        if (headerLength > 0) {
            ring.copyIn(p, header, headerOffset, headerLength);
            p = ring.advance(p, headerLength);
        }
        if (payloadLength > 0) {
            ring.copyIn(p, payload, payloadOffset, payloadLength);
            p = ring.advance(p, payloadLength);
        }
        final int padding = (-payloadLength) & ALIGN_MASK;
        if (padding > 0) {
            ring.zeroPadding(p, padding);
            p = ring.advance(p, padding);
        }
        ring.putLong(p, PacketTrailerLayout.value(pos));
        writePos = ring.advance(p, PacketTrailerLayout.SIZE);
        packetsWritten++;
        if (pendingSet) {
            // The packet we waited for is in: stop asking for space (as Linux's writer does after a wait).
            ring.soPendingSendSize(0);
            pendingSet = false;
        }
        return WriteStatus.WRITTEN;
    }

    /**
     * Publishes {@code write_index} for every packet written since the last commit and decides, once for the batch,
     * whether to signal the consumer.
     *
     * @return true iff the consumer must be signalled (mask 0 and the ring was empty before the batch)
     */
    public boolean commitWrite() {
        if (corruption != null) {
            return false;
        }
        final RingRegion ring = region;
        final int pos = writePos;
        final int previous = publishedWrite;
        if (pos == previous) {
            return false;
        }
        // Release: the packet bytes are visible before write_index; pairs with the consumer's acquire load of it.
        ring.soWriteIndex(pos);
        publishedWrite = pos;
        // Store-load fence: write_index is visible before we read interrupt_mask and read_index. Pairs with the
        // consumer's full barrier between clearing interrupt_mask and re-reading write_index (Linux hv_end_read).
        VarHandle.fullFence();
        final int mask = ring.lvInterruptMask();
        final int r = ring.lvReadIndex(); // acquire, as in tryWrite
        if (!validIndex(r)) {
            corrupt(RingCorruption.Kind.READ_INDEX, r, "read_index=" + Integer.toUnsignedString(r) + expectation());
            return false;
        }
        cachedRead = r;
        final boolean signal = mask == 0 && r == previous;
        if (signal) {
            signalsRaised++;
        }
        return signal;
    }

    /**
     * After {@link WriteStatus#FULL}: asks the consumer to signal once a packet of {@code packetLength} bytes fits
     * (sets {@code pending_send_sz} to its footprint), then looks again. Publish the batch first ({@link
     * #commitWrite()}), or the consumer may have nothing to free. The next successful write clears the request.
     *
     * @param packetLength the waiting packet's length without trailer ({@link #packetLength}), at most {@link
     *     #maxPacketLength()}
     * @return true if the packet fits now (retry at once); false to wait for the consumer's signal
     * @throws IllegalArgumentException if the packet could never fit (a caller bug)
     */
    public boolean requestSpace(final int packetLength) {
        if (packetLength < PacketDescriptorLayout.SIZE || packetLength > maxPacketLength) {
            throw new IllegalArgumentException(
                    "packetLength=" + packetLength + " (expected: 16.." + maxPacketLength + ")");
        }
        if (corruption != null) {
            return true; // the retry reports CORRUPT
        }
        final int footprint = (int) PacketDescriptorLayout.align8(packetLength) + PacketTrailerLayout.SIZE;
        region.soPendingSendSize(footprint);
        pendingSet = true;
        // Store-load fence: pending_send_sz is visible before we re-read read_index. Pairs with the consumer's full
        // barrier between publishing read_index and reading pending_send_sz (Linux hv_pkt_iter_close).
        VarHandle.fullFence();
        final int r = region.lvReadIndex();
        if (!validIndex(r)) {
            corrupt(RingCorruption.Kind.READ_INDEX, r, "read_index=" + Integer.toUnsignedString(r) + expectation());
            return true;
        }
        cachedRead = r;
        return freeBytes(writePos, r) > footprint;
    }

    /**
     * The reference's "unstick" test, for use after a restore or a lost signal: the consumer has unmasked
     * interrupts and has published packets it has not read.
     *
     * @return true if the consumer should be signalled
     */
    public boolean consumerNeedsSignal() {
        return corruption == null && region.lvInterruptMask() == 0 && region.lvReadIndex() != publishedWrite;
    }

    /**
     * The largest packet (descriptor, header, payload and padding; no trailer) this ring accepts.
     *
     * @return bytes, a multiple of 8
     */
    public int maxPacketLength() {
        return maxPacketLength;
    }

    /**
     * The largest in-band payload this ring accepts.
     *
     * @return {@code maxPacketLength() - 16}
     */
    public int maxPayloadLength() {
        return maxPacketLength - PacketDescriptorLayout.SIZE;
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
     * The private write position (where the next packet goes).
     *
     * @return a data-area offset
     */
    public int writePosition() {
        return writePos;
    }

    /**
     * Packets written so far (published or not).
     *
     * @return the count
     */
    public long packetsWritten() {
        return packetsWritten;
    }

    /**
     * Commits that asked for a signal so far.
     *
     * @return the count
     */
    public long signalsRaised() {
        return signalsRaised;
    }

    /** Linux's {@code hv_get_bytes_to_write}: free bytes between our write position and the read index. */
    private int freeBytes(final int w, final int r) {
        return w >= r ? size - (w - r) : r - w;
    }

    private boolean validIndex(final int index) {
        return (index & ALIGN_MASK) == 0 && Integer.compareUnsigned(index, size) < 0;
    }

    private String expectation() {
        return " (expected: a multiple of 8 below the data size " + size + ")";
    }

    private void corrupt(final RingCorruption.Kind kind, final int value, final String message) {
        corruption = new RingCorruption(kind, -1, Integer.toUnsignedLong(value), message);
    }

    private static IllegalArgumentException badArguments(
            final int type, final int flags, final int headerLength, final int payloadLength) {
        return new IllegalArgumentException(
                "type=" + type + " flags=" + flags + " headerLength=" + headerLength
                        + " payloadLength=" + payloadLength
                        + " (expected: type and flags in 0..65535, headerLength a non-negative multiple of 8, payloadLength >= 0)");
    }

    @Override
    public String toString() {
        return "OutgoingRing[dataSize=" + size + ", writePosition=" + writePos + ", published=" + publishedWrite
                + (corruption != null ? ", " + corruption : "") + "]";
    }
}
