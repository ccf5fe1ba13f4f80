package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The producing end, checked byte by byte by a test-side "guest" reader. */
class OutgoingRingTest {

    /** Guest->host ring: 2 pages; host->guest ring: pages 2..3, 4096 data bytes. */
    private static final int SPLIT = 2;

    private static final MemorySegment NONE = MemorySegment.ofArray(new byte[0]);

    private final Arena arena = Arena.ofConfined();
    private final GuestMemory memory = RawRing.memory(arena, 4);
    private final long[] pages = RawRing.pages(0, 4);
    private final RawRing guest = RawRing.of(memory, pages, SPLIT, 2);

    @AfterEach
    void close() {
        arena.close();
    }

    private OutgoingRing ring(final int maxPacket) {
        return RingPair.forHost(RawRing.gpadl(memory, pages), SPLIT, maxPacket)
                .orElseThrow()
                .outgoing();
    }

    private static WriteStatus write(final OutgoingRing ring, final int type, final long id, final byte[] payload) {
        return ring.tryWrite(type, 0, id, MemorySegment.ofArray(payload), 0, payload.length);
    }

    @Test
    void shouldWriteDescriptorPayloadZeroPaddingAndTrailer() {
        final OutgoingRing ring = ring(4096);
        // dirty the area first so that zero padding is really written
        for (int i = 0; i < 64; i++) {
            guest.byteAt(i, (byte) 0xEE);
        }
        final byte[] payload = Bytes.pattern(13, 3);
        assertThat(ring.tryWrite(6, 1, 0xABCDEF01_23456789L, MemorySegment.ofArray(payload), 0, 13))
                .isEqualTo(WriteStatus.WRITTEN);

        assertThat(guest.bytes(0, 8)).containsExactly(6, 0, 2, 0, 4, 0, 1, 0); // type 6, offset8 2, len8 4, flags 1
        assertThat(guest.longAt(8)).isEqualTo(0xABCDEF01_23456789L);
        assertThat(guest.bytes(16, 13)).isEqualTo(payload);
        assertThat(guest.bytes(29, 3)).containsExactly(0, 0, 0);
        assertThat(guest.longAt(32)).as("trailer of a packet at 0").isZero();
        assertThat(ring.writePosition()).isEqualTo(40);
    }

    @Test
    void shouldPublishOnlyOnCommitAndDecideOncePerBatch() {
        final OutgoingRing ring = ring(4096);
        for (int i = 0; i < 3; i++) {
            assertThat(write(ring, 6, i, new byte[10])).isEqualTo(WriteStatus.WRITTEN);
        }
        assertThat(guest.writeIndex()).as("nothing published yet").isZero();
        assertThat(ring.commitWrite())
                .as("mask 0 and the reader had read everything")
                .isTrue();
        assertThat(guest.writeIndex()).isEqualTo(3 * 40);
        assertThat(ring.commitWrite()).as("an empty batch publishes nothing").isFalse();
        assertThat(ring.signalsRaised()).isEqualTo(1);
    }

    @Test
    void shouldNotSignalWhenTheReaderHasMaskedInterrupts() {
        final OutgoingRing ring = ring(4096);
        guest.interruptMask(1);
        write(ring, 6, 1, new byte[8]);
        assertThat(ring.commitWrite()).isFalse();
    }

    @Test
    void shouldNotSignalWhenTheRingWasNotEmptyBeforeTheBatch() {
        final OutgoingRing ring = ring(4096);
        write(ring, 6, 1, new byte[8]);
        assertThat(ring.commitWrite()).isTrue();
        write(ring, 6, 2, new byte[8]);
        assertThat(ring.commitWrite()).as("the reader has not read packet 1").isFalse();
        guest.readIndex(guest.writeIndex()); // the reader catches up
        write(ring, 6, 3, new byte[8]);
        assertThat(ring.commitWrite()).isTrue();
    }

    @Test
    void shouldKeepTheRingFromBecomingCompletelyFull() {
        final OutgoingRing ring = ring(4096);
        // 4096 data bytes: a packet whose footprint (with trailer) is 4096 never fits, 4088 does
        assertThat(write(ring, 6, 1, new byte[4096 - 24])).isEqualTo(WriteStatus.TOO_LARGE);
        assertThat(ring.maxPacketLength()).isEqualTo(4080);
        assertThat(write(ring, 6, 2, new byte[4080 - 16])).isEqualTo(WriteStatus.WRITTEN);
        assertThat(write(ring, 6, 3, new byte[0])).isEqualTo(WriteStatus.FULL);
        ring.commitWrite();
        assertThat(guest.writeIndex()).isEqualTo(4088);
    }

    @Test
    void shouldTreatOnlyRoomForThePacketAsFull() {
        final OutgoingRing ring = ring(4096);
        guest.readIndex(0);
        assertThat(write(ring, 6, 1, new byte[2048 - 24])).isEqualTo(WriteStatus.WRITTEN); // footprint 2048
        assertThat(write(ring, 6, 2, new byte[2048 - 24]))
                .as("free 2048 == footprint 2048")
                .isEqualTo(WriteStatus.FULL);
        assertThat(write(ring, 6, 3, new byte[2040 - 24])).isEqualTo(WriteStatus.WRITTEN);
    }

    @Test
    void shouldWriteTheAdvertisedMaximumPacket() {
        // B16: the reference advertised size - 8 and refused it
        final OutgoingRing ring = ring(1 << 20);
        assertThat(ring.maxPacketLength()).isEqualTo(4096 - 16);
        assertThat(ring.maxPayloadLength()).isEqualTo(4096 - 32);
        assertThat(write(ring, 6, 1, new byte[ring.maxPayloadLength()])).isEqualTo(WriteStatus.WRITTEN);
        assertThat(write(ring, 6, 1, new byte[ring.maxPayloadLength() + 1])).isEqualTo(WriteStatus.TOO_LARGE);
    }

    @ParameterizedTest(name = "max {0}: payload {1} -> {2}")
    @CsvSource({
        "128, 112, WRITTEN",
        "128, 105, WRITTEN",
        "128, 113, TOO_LARGE",
        "130, 113, TOO_LARGE", // the limit is rounded down to 8
        "16, 0, WRITTEN",
        "16, 1, TOO_LARGE"
    })
    void shouldRespectTheReadersMaximumPacketSize(final int max, final int payload, final WriteStatus status) {
        final OutgoingRing ring = ring(max);
        assertThat(write(ring, 6, 1, new byte[payload])).isEqualTo(status);
        if (status == WriteStatus.TOO_LARGE) {
            assertThat(ring.writePosition()).as("nothing written").isZero();
        }
    }

    @Test
    void shouldWrapDescriptorPayloadAndTrailerAcrossTheEnd() {
        guest.writeIndex(4088);
        guest.readIndex(4088);
        final OutgoingRing ring = ring(4096);
        final byte[] payload = Bytes.pattern(4000, 5);
        assertThat(write(ring, 11, 42, payload)).isEqualTo(WriteStatus.WRITTEN);
        ring.commitWrite();
        assertThat(guest.longAt(4088) & 0xFFFF).isEqualTo(11);
        assertThat(guest.longAt(4088 + 8)).isEqualTo(42);
        assertThat(guest.bytes(4088 + 16, 4000)).isEqualTo(payload);
        final int trailerAt = (4088 + 16 + 4000) % 4096;
        assertThat(guest.longAt(trailerAt)).isEqualTo(4088L << 32);
        assertThat(guest.writeIndex()).isEqualTo((trailerAt + 8) % 4096);
    }

    @Test
    void shouldWriteATypeSpecificHeaderBeforeThePayload() {
        final OutgoingRing ring = ring(4096);
        final byte[] header = {1, 0, 0, 0, 1, 0, 0, 0, 100, 0, 0, 0, 0, 16, 0, 0}; // xfer set 1, 1 range {100, 4096}
        assertThat(ring.tryWrite(7, 1, 9, MemorySegment.ofArray(header), 0, 16, NONE, 0, 0))
                .isEqualTo(WriteStatus.WRITTEN);
        assertThat(guest.bytes(0, 8)).containsExactly(7, 0, 4, 0, 4, 0, 1, 0); // offset8 4 = 32 / 8
        assertThat(guest.bytes(16, 16)).isEqualTo(header);
        assertThatThrownBy(() -> ring.tryWrite(7, 1, 9, MemorySegment.ofArray(header), 0, 12, NONE, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("headerLength=12");
    }

    @Test
    void shouldAskForSpaceWithPendingSendSizeAndClearItAfterTheWrite() {
        final OutgoingRing ring = ring(4096);
        for (int i = 0; i < 3; i++) {
            assertThat(write(ring, 6, i, new byte[1000])).isEqualTo(WriteStatus.WRITTEN); // footprint 1024
        }
        assertThat(write(ring, 6, 3, new byte[1000])).isEqualTo(WriteStatus.FULL);
        ring.commitWrite();
        final int packet = (int) OutgoingRing.packetLength(0, 1000);
        assertThat(ring.requestSpace(packet)).isFalse();
        assertThat(guest.pendingSendSize()).isEqualTo(1024);

        guest.readIndex(1024); // the reader frees one packet
        assertThat(write(ring, 6, 3, new byte[1000])).isEqualTo(WriteStatus.WRITTEN);
        assertThat(guest.pendingSendSize())
                .as("cleared once the waiting packet is in")
                .isZero();
    }

    @Test
    void shouldSeeSpaceFreedBeforeThePendingRequest() {
        final OutgoingRing ring = ring(4096);
        for (int i = 0; i < 3; i++) {
            write(ring, 6, i, new byte[1000]);
        }
        ring.commitWrite();
        guest.readIndex(2048);
        assertThat(ring.requestSpace((int) OutgoingRing.packetLength(0, 1000))).isTrue();
    }

    @ParameterizedTest(name = "read_index={0}")
    @CsvSource({"3", "4096", "-8"})
    void shouldReportCorruptReadIndexWhenItNeedsTheSpace(final int readIndex) {
        final OutgoingRing ring = ring(4096);
        for (int i = 0; i < 3; i++) {
            write(ring, 6, i, new byte[1000]);
        }
        guest.readIndex(readIndex);
        assertThat(write(ring, 6, 4, new byte[1000])).isEqualTo(WriteStatus.CORRUPT);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.READ_INDEX);
        assertThat(ring.corruption().message()).contains("read_index=" + Integer.toUnsignedString(readIndex));
        guest.readIndex(0);
        assertThat(write(ring, 6, 5, new byte[8])).as("sticky").isEqualTo(WriteStatus.CORRUPT);
        assertThat(ring.commitWrite()).isFalse();
    }

    @Test
    void shouldReportCorruptReadIndexSeenAtCommit() {
        final OutgoingRing ring = ring(4096);
        write(ring, 6, 1, new byte[8]);
        guest.readIndex(9);
        assertThat(ring.commitWrite()).isFalse();
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.READ_INDEX);
    }

    @Test
    void shouldRefuseToAttachAtCorruptWriteIndex() {
        guest.writeIndex(4100);
        final OutgoingRing ring = ring(4096);
        assertThat(ring.corruption().kind()).isEqualTo(RingCorruption.Kind.WRITE_INDEX);
        assertThat(write(ring, 6, 1, new byte[8])).isEqualTo(WriteStatus.CORRUPT);
    }

    @Test
    void shouldAdvertisePendingSendSizeSupportWithoutTouchingAnythingElse() {
        guest.writeIndex(64);
        guest.readIndex(32);
        guest.interruptMask(1);
        ring(4096);
        assertThat(guest.featureBits()).isEqualTo(1);
        assertThat(new int[] {guest.writeIndex(), guest.readIndex(), guest.interruptMask(), guest.pendingSendSize()})
                .containsExactly(64, 32, 1, 0);
    }

    @Test
    void shouldTellWhenTheConsumerNeedsASignal() {
        final OutgoingRing ring = ring(4096);
        assertThat(ring.consumerNeedsSignal()).isFalse();
        guest.interruptMask(1);
        write(ring, 6, 1, new byte[8]);
        ring.commitWrite();
        assertThat(ring.consumerNeedsSignal()).as("masked").isFalse();
        guest.interruptMask(0);
        assertThat(ring.consumerNeedsSignal()).isTrue();
        guest.readIndex(guest.writeIndex());
        assertThat(ring.consumerNeedsSignal()).isFalse();
    }

    @Test
    void shouldRejectCallerBugsWithMessages() {
        final OutgoingRing ring = ring(4096);
        final MemorySegment src = MemorySegment.ofArray(new byte[4]);
        assertThatThrownBy(() -> ring.tryWrite(0x10000, 0, 1, src, 0, 4)).hasMessageContaining("type=65536");
        assertThatThrownBy(() -> ring.tryWrite(6, 0, 1, src, 0, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ring.requestSpace(8)).hasMessageContaining("packetLength=8");
        assertThat(Arrays.asList(WriteStatus.values())).hasSize(4);
    }
}
