package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryError;
import io.jvmbus.memory.MemoryResult;
import io.jvmbus.protocol.GpaRange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RingPairTest {

    private final Arena arena = Arena.ofConfined();
    private final GuestMemory memory = RawRing.memory(arena, 16);

    @AfterEach
    void close() {
        arena.close();
    }

    private static MemoryError error(final MemoryResult<RingPair> r) {
        assertThat(r).isInstanceOf(MemoryResult.Failed.class);
        return ((MemoryResult.Failed<RingPair>) r).error();
    }

    @Test
    void shouldSplitGuestToHostFirstAndHostToGuestAtTheOffset() {
        final long[] pages = RawRing.pages(4, 7); // guest->host: pages 4..6, host->guest: 7..10
        final GpadlView gpadl = RawRing.gpadl(memory, pages);
        final RingPair host = RingPair.forHost(gpadl, 3, 4096).orElseThrow();
        assertThat(host.incoming().dataSize()).isEqualTo(2 * 4096);
        assertThat(host.outgoing().dataSize()).isEqualTo(3 * 4096);

        final RawRing guestToHost = RawRing.of(memory, pages, 0, 3);
        guestToHost.sendInBand(6, 0, 11, new byte[5]);
        final PacketView view = new PacketView();
        assertThat(host.incoming().poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.transactionId()).isEqualTo(11);

        host.outgoing().tryWrite(6, 0, 22, MemorySegment.ofArray(new byte[5]), 0, 5);
        host.outgoing().commitWrite();
        final RawRing hostToGuest = RawRing.of(memory, pages, 3, 4);
        assertThat(hostToGuest.writeIndex()).isEqualTo(32);
        assertThat(hostToGuest.longAt(8)).isEqualTo(22);
    }

    @Test
    void shouldGiveTheGuestTheMirrorImage() {
        final long[] pages = RawRing.pages(0, 4);
        final GpadlView gpadl = RawRing.gpadl(memory, pages);
        final RingPair host = RingPair.forHost(gpadl, 2, 4096).orElseThrow();
        final RingPair guest = RingPair.forGuest(gpadl, 2, 4096).orElseThrow();
        final PacketView view = new PacketView();

        guest.outgoing().tryWrite(6, 1, 5, MemorySegment.ofArray(new byte[3]), 0, 3);
        assertThat(guest.outgoing().commitWrite()).isTrue();
        assertThat(host.incoming().poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.transactionId()).isEqualTo(5);

        host.outgoing().tryWrite(11, 0, 5, MemorySegment.ofArray(new byte[0]), 0, 0);
        assertThat(host.outgoing().commitWrite()).isTrue();
        assertThat(guest.incoming().poll(view)).isEqualTo(ReadStatus.PACKET);
        assertThat(view.type()).isEqualTo(11);
    }

    @Test
    void shouldWorkOverScatteredPagesExactlyAsOverContiguousOnes() {
        final long[] pages = {9, 2, 14, 5, 11, 0, 7, 3};
        final GpadlView gpadl = RawRing.gpadl(memory, pages);
        final RingPair host = RingPair.forHost(gpadl, 4, 8192).orElseThrow();
        final RingPair guest = RingPair.forGuest(gpadl, 4, 8192).orElseThrow();
        final PacketView view = new PacketView();
        final byte[] out = new byte[12288];
        for (int i = 0; i < 200; i++) {
            final byte[] payload = Bytes.pattern(1 + (i * 997) % 8000, i);
            assertThat(host.outgoing().tryWrite(6, 0, i, MemorySegment.ofArray(payload), 0, payload.length))
                    .isEqualTo(WriteStatus.WRITTEN);
            host.outgoing().commitWrite();
            assertThat(guest.incoming().poll(view)).isEqualTo(ReadStatus.PACKET);
            assertThat(view.transactionId()).isEqualTo(i);
            view.copyTo(16, MemorySegment.ofArray(out), 0, payload.length);
            assertThat(java.util.Arrays.copyOf(out, payload.length)).isEqualTo(payload);
            guest.incoming().commitRead();
        }
        assertThat(RawRing.of(memory, pages, 4, 4).featureBits()).isEqualTo(1);
    }

    @Test
    void shouldRefuseMoreThanOneRange() {
        final GpadlView gpadl = GpadlView.of(
                        memory,
                        List.of(new GpaRange(0, 8192, new long[] {0, 1}), new GpaRange(0, 8192, new long[] {2, 3})))
                .orElseThrow();
        assertThat(error(RingPair.forHost(gpadl, 2, 4096)).kind()).isEqualTo(MemoryError.Kind.RANGE_COUNT);
    }

    @Test
    void shouldRefuseAnOffsetIntoTheFirstPage() {
        final GpadlView gpadl = GpadlView.of(memory, List.of(new GpaRange(8, 4 * 4096 - 8, new long[] {0, 1, 2, 3})))
                .orElseThrow();
        final MemoryError e = error(RingPair.forHost(gpadl, 2, 4096));
        assertThat(e.kind()).isEqualTo(MemoryError.Kind.UNALIGNED);
        assertThat(e.message()).isEqualTo("ring gpadl byte_offset=8 (expected: 0)");
    }

    @Test
    void shouldRefuseALengthThatIsNotWholePages() {
        final GpadlView gpadl = GpadlView.of(memory, List.of(new GpaRange(0, 4 * 4096 - 8, new long[] {0, 1, 2, 3})))
                .orElseThrow();
        assertThat(error(RingPair.forHost(gpadl, 2, 4096)).kind()).isEqualTo(MemoryError.Kind.ODD_SIZE);
    }

    @ParameterizedTest(name = "offset {0}")
    @ValueSource(ints = {0, 6, 7, -1, Integer.MIN_VALUE})
    void shouldRefuseASplitOutsideTheGpadl(final int split) {
        final GpadlView gpadl = RawRing.gpadl(memory, RawRing.pages(0, 6));
        final MemoryError e = error(RingPair.forHost(gpadl, split, 4096));
        assertThat(e.kind()).isEqualTo(MemoryError.Kind.BAD_SPLIT);
        assertThat(e.message()).contains("expected: 0 < offset < 6");
    }

    @ParameterizedTest(name = "offset {0}")
    @ValueSource(ints = {1, 5})
    void shouldRefuseARingWithoutADataPage(final int split) {
        final GpadlView gpadl = RawRing.gpadl(memory, RawRing.pages(0, 6));
        assertThat(error(RingPair.forHost(gpadl, split, 4096)).kind()).isEqualTo(MemoryError.Kind.RING_TOO_SMALL);
    }

    @Test
    void shouldRefuseOverlappingRings() {
        // page 3 is the last guest->host data page and the host->guest control page
        final GpadlView gpadl = RawRing.gpadl(memory, 1, 2, 3, 3, 4, 5);
        final MemoryError e = error(RingPair.forHost(gpadl, 3, 4096));
        assertThat(e.kind()).isEqualTo(MemoryError.Kind.OVERLAP);
        assertThat(e.message()).contains("page 3");
    }

    @Test
    void shouldRefuseARingThatOverlapsItself() {
        final GpadlView gpadl = RawRing.gpadl(memory, 1, 2, 1, 4, 5);
        assertThat(error(RingPair.forHost(gpadl, 3, 4096)).kind()).isEqualTo(MemoryError.Kind.OVERLAP);
    }
}
