package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The consuming end against packets a test-side "guest" writes byte by byte. */
class IncomingRingTest {

    /** Guest->host ring: 2 pages (4096 data bytes); host->guest ring: 2 pages. */
    private static final int SPLIT = 2;

    private final Arena arena = Arena.ofConfined();
    private final GuestMemory memory = RawRing.memory(arena, 4);
    private final long[] pages = RawRing.pages(0, 4);
    private final RawRing guest = RawRing.of(memory, pages, 0, SPLIT);
    private final PacketView view = new PacketView();

    @AfterEach
    void close() {
        arena.close();
    }

    private IncomingRing ring() {
        return RingPair.forHost(RawRing.gpadl(memory, pages), SPLIT, 4096)
                .orElseThrow()
                .incoming();
    }

    private static byte[] copy(final PacketView v) {
        final byte[] b = new byte[v.payloadLength()];
        v.copyPayloadTo(MemorySegment.ofArray(b), 0);
        return b;
    }

    @Test
    void shouldReportEmptyRing() {
        final IncomingRing ring = ring();
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.EMPTY);
        assertThat(ring.hasPackets()).isFalse();
        assertThat(ring.commitRead()).isFalse();
        assertThat(guest.readIndex()).isZero();
    }

    @Test
    void shouldReadEveryDescriptorFieldInPlace() {
        final IncomingRing ring = ring();
        final byte[] payload = Bytes.pattern(13, 1);
        guest.sendInBand(6, 1, 0x1122_3344_5566_7788L, payload);

        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.type()).isEqualTo(6);
        assertThat(view.flags()).isEqualTo(1);
        assertThat(view.completionRequested()).isTrue();
        assertThat(view.transactionId()).isEqualTo(0x1122_3344_5566_7788L);
        assertThat(view.dataOffset()).isEqualTo(16);
        assertThat(view.length()).isEqualTo(32);
        assertThat(view.payloadLength()).isEqualTo(16);
        assertThat(view.startOffset()).isZero();
        assertThat(view.trailer()).isZero();
        final byte[] got = copy(view);
        for (int i = 0; i < 13; i++) {
            assertThat(got[i]).isEqualTo(payload[i]);
        }
        assertThat(got[13]).isZero();
        assertThat(view.getByte(16)).isEqualTo(payload[0]);
        assertThat(view.getLong(0) & 0xFFFF).isEqualTo(6);
        assertThat(view.sliceOrNull(16, 13).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                .isEqualTo(java.util.Arrays.copyOf(payload, 13));
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.EMPTY);
    }

    @Test
    void shouldPublishReadIndexOnlyOnCommit() {
        final IncomingRing ring = ring();
        guest.sendInBand(6, 0, 1, new byte[8]);
        guest.sendInBand(6, 0, 2, new byte[8]);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(guest.readIndex()).as("not yet committed").isZero();
        ring.commitRead();
        assertThat(guest.readIndex()).isEqualTo(2 * (16 + 8 + 8));
        assertThat(ring.packetsRead()).isEqualTo(2);
    }

    @Test
    void shouldReadPacketsThatWrapAcrossTheEndOfTheDataArea() {
        // start 8 bytes before the end: the descriptor itself is split
        guest.readIndex(4088);
        guest.writeIndex(4088);
        final IncomingRing ring = ring();
        final byte[] payload = Bytes.pattern(100, 2);
        guest.sendInBand(11, 0, 77, payload);

        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.type()).isEqualTo(11);
        assertThat(view.transactionId()).isEqualTo(77);
        assertThat(view.startOffset()).isEqualTo(4088);
        assertThat(java.util.Arrays.copyOf(copy(view), 100)).isEqualTo(payload);
        assertThat(view.trailer()).isEqualTo(4088L << 32);
        assertThat(view.sliceOrNull(0, 16))
                .as("the descriptor wraps: not one slice")
                .isNull();
        assertThat(view.sliceOrNull(16, 100))
                .as("the payload starts after the wrap")
                .isNotNull();
        ring.commitRead();
        assertThat(guest.readIndex()).isEqualTo((4088 + 16 + 104 + 8) % 4096);
    }

    @Test
    void shouldAcceptPacketThatEndsWithItsTrailerExactlyAtTheWriteIndex() {
        final IncomingRing ring = ring();
        // largest packet a 4096-byte ring holds: 4096 - 8 (never completely full) - 8 (trailer)
        guest.sendInBand(6, 0, 5, new byte[4096 - 16 - 16]);
        assertThat(guest.writeIndex()).isEqualTo(4088);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.length()).isEqualTo(4080);
        assertThat(ring.readPosition()).isEqualTo(4088);
    }

    @Test
    void shouldReportCorruptionWhenPacketEndsAtWriteIndexWithoutItsTrailer() {
        // B15: the reference compared the length without the trailer and ran 8 bytes past the write index
        final IncomingRing ring = ring();
        guest.putRaw(0, 6, 2, 4, 0, 1, new byte[16]);
        guest.writeIndex(32); // the packet's 32 bytes are published, its trailer is not
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.PACKET_EXCEEDS_DATA);
        assertThat(ring.corruption().message()).contains("len8=4").contains("available=32");
    }

    @ParameterizedTest(name = "write_index={0}")
    @CsvSource({"4", "4096", "8192", "-8", "2147483640"})
    void shouldReportCorruptWriteIndex(final int writeIndex) {
        final IncomingRing ring = ring();
        guest.writeIndex(writeIndex);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.WRITE_INDEX);
        assertThat(ring.corruption().message()).contains("write_index=" + Integer.toUnsignedString(writeIndex));
        assertThat(ring.hasPackets())
                .as("corrupt rings tell the caller to poll (and see CORRUPT)")
                .isTrue();
    }

    @Test
    void shouldRefuseToAttachAtCorruptReadIndex() {
        guest.readIndex(12);
        final IncomingRing ring = ring();
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.READ_INDEX);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.commitRead()).isFalse();
    }

    @ParameterizedTest(name = "published={0}")
    @CsvSource({"8", "16"})
    void shouldReportCorruptionWhenLessThanADescriptorAndTrailerIsPublished(final int published) {
        final IncomingRing ring = ring();
        guest.writeIndex(published);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.DATA_AVAILABLE);
    }

    @ParameterizedTest(name = "type={0} offset8={1} len8={2} flags={3} -> {4}")
    @CsvSource({
        "6, 2, 1, 0, DESCRIPTOR_LENGTHS",
        "6, 1, 4, 0, DESCRIPTOR_LENGTHS",
        "6, 0, 0, 0, DESCRIPTOR_LENGTHS",
        "6, 5, 4, 0, DESCRIPTOR_LENGTHS",
        "6, 2, 65535, 0, PACKET_EXCEEDS_DATA",
        "6, 2, 4, 2, DESCRIPTOR_FLAGS",
        "6, 2, 4, 32768, DESCRIPTOR_FLAGS",
        "0, 2, 4, 0, DESCRIPTOR_TYPE",
        "8, 2, 4, 0, DESCRIPTOR_TYPE",
        "12, 2, 4, 0, DESCRIPTOR_TYPE",
        "65535, 2, 4, 0, DESCRIPTOR_TYPE",
        "7, 2, 4, 0, DESCRIPTOR_HEADER",
        "9, 2, 4, 1, DESCRIPTOR_HEADER"
    })
    void shouldReportCorruptDescriptors(
            final int type, final int offset8, final int len8, final int flags, final RingCorruption.Kind kind) {
        final IncomingRing ring = ring();
        guest.putRaw(0, type, offset8, Math.min(len8, 8), flags, 9, new byte[16]);
        guest.longAt(0, (type & 0xFFFFL) | (long) offset8 << 16 | (long) len8 << 32 | (long) flags << 48);
        guest.writeIndex(8 * 8 + 8);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(kind);
        assertThat(ring.corruption().position()).isZero();
        // sticky: a later valid-looking state does not clear it
        guest.writeIndex(0);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
    }

    @Test
    void shouldValidateTransferPageRangesAgainstTheHeaderArea() {
        final IncomingRing ring = ring();
        // offset8 = 4: 32 header bytes hold the 24-byte head and one 8-byte range
        final byte[] body = new byte[16 + 8];
        body[4] = 1; // range_cnt = 1 (packet offset 20)
        int next = guest.putPacket(0, 7, 0, 1, 4, body);
        guest.writeIndex(next);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.rangeCount()).isEqualTo(1);
        assertThat(view.dataOffset()).isEqualTo(32);

        body[4] = 2; // two ranges do not fit in 32 bytes
        next = guest.putPacket(next, 7, 0, 2, 4, body);
        guest.writeIndex(next);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.DESCRIPTOR_HEADER);
        assertThat(ring.corruption().message()).contains("range_cnt=2");
    }

    @Test
    void shouldRequireAtLeastOneGpaDirectRange() {
        final IncomingRing ring = ring();
        final byte[] body = new byte[8 + 16 + 8];
        body[4] = 1; // one range: header {byte_count 8, byte_offset 0} + 1 page
        body[8] = 8;
        body[16] = 3;
        int next = guest.putPacket(0, 9, 1, 1, 5, body);
        guest.writeIndex(next);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.rangeCount()).isEqualTo(1);
        assertThat(view.getLong(24)).isEqualTo(8);
        assertThat(view.getLong(32)).isEqualTo(3);

        body[4] = 0;
        next = guest.putPacket(next, 9, 1, 2, 5, body);
        guest.writeIndex(next);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.CORRUPT);
        assertThat(ring.corruption().message()).contains("range_cnt=0");
    }

    @ParameterizedTest(name = "pending_send_sz={0} -> signal={1}")
    @CsvSource({
        // 3 packets of 1024 bytes (with trailer) are unread: free 1024 before the read, 2048 after reading one
        "0, false",
        "7, false", // low 3 bits cleared: 0, nobody waits
        "1016, false", // already enough before (1024 > 1016)
        "1024, true", // 1024 <= 1024 < 2048: crossed
        "1031, true", // cleared to 1024
        "2040, true",
        "2047, true", // cleared to 2040
        "2048, false", // exactly filling still counts as not enough: 2048 < 2048 is false
        "2055, false", // cleared to 2048
        "-8, false" // 0xFFFFFFF8: never satisfiable
    })
    void shouldSignalTheProducerOnlyWhenFreeSpaceCrossesPendingSendSize(final int pending, final boolean signal) {
        final IncomingRing ring = ring();
        for (int i = 0; i < 3; i++) {
            guest.sendInBand(6, 0, i, new byte[1024 - 24]);
        }
        assertThat(guest.writeIndex()).isEqualTo(3072);
        guest.pendingSendSize(pending);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(ring.commitRead()).isEqualTo(signal);
        assertThat(ring.signalsRaised()).isEqualTo(signal ? 1 : 0);
    }

    @Test
    void shouldDecideOncePerBatchOfReads() {
        final IncomingRing ring = ring();
        for (int i = 0; i < 3; i++) {
            guest.sendInBand(6, 0, i, new byte[1024 - 24]);
        }
        guest.pendingSendSize(2048); // needs more than 2048 free: reading two packets (free 3072) crosses it
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(ring.commitRead()).isTrue();
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(ring.commitRead()).as("already enough before this batch").isFalse();
    }

    @Test
    void shouldMaskWhileDrainingAndRecheckOnUnmask() {
        final IncomingRing ring = ring();
        ring.beginRead();
        assertThat(guest.interruptMask()).isEqualTo(1);
        assertThat(ring.endRead()).isFalse();
        assertThat(guest.interruptMask()).isZero();

        ring.beginRead();
        guest.sendInBand(6, 0, 1, new byte[3]); // written while masked: the guest would not signal
        assertThat(ring.endRead()).as("the re-check finds it").isTrue();
        assertThat(ring.poll(view)).isEqualTo(ReadStatus.PACKET);
    }

    @Test
    void shouldTellWhenAWaitingProducerNeedsASignal() {
        final IncomingRing ring = ring();
        guest.sendInBand(6, 0, 1, new byte[1000]);
        guest.pendingSendSize(3000);
        assertThat(ring.producerNeedsSignal()).as("free 4096-1024=3072 > 3000").isTrue();
        guest.pendingSendSize(3072);
        assertThat(ring.producerNeedsSignal()).isFalse();
        guest.pendingSendSize(0);
        assertThat(ring.producerNeedsSignal()).isFalse();
    }
}
