package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random action sequences against a small reference model of one ring: a producer ({@link OutgoingRing}) and
 * a consumer ({@link IncomingRing}) share the ring and take turns; after every action the statuses, signal decisions,
 * packet contents and published indices must match the model. On failure the seed and the last actions are printed.
 */
class RingModelTest {

    private static final int SEEDS = 300;
    private static final int ACTIONS = 1500;

    private record Packet(int type, int flags, long id, byte[] payload) {}

    /** The model: what must be true of the ring, computed from the rules alone. */
    private static final class Model {
        final int size;
        final int maxPacket;
        int write;
        int published;
        int read;
        int publishedRead;
        int mask;
        int pending;
        boolean pendingSet;
        final ArrayDeque<Packet> unread = new ArrayDeque<>();
        final ArrayDeque<Packet> unpublished = new ArrayDeque<>();

        Model(final int size, final int maxPacket, final int start) {
            this.size = size;
            this.maxPacket = maxPacket;
            write = published = read = publishedRead = start;
        }

        int free(final int w, final int r) {
            return w >= r ? size - (w - r) : r - w;
        }

        int used(final int from, final int to) {
            return to >= from ? to - from : size - from + to;
        }
    }

    @Test
    void shouldMatchTheModelForRandomActionSequences() {
        final long base = Long.getLong("jvmbus.ringModel.seed", 0x5EEDL);
        for (int s = 0; s < SEEDS; s++) {
            final long seed = base + s;
            final List<String> log = new ArrayList<>();
            try {
                run(seed, log);
            } catch (AssertionError | RuntimeException e) {
                final List<String> tail = log.subList(Math.max(0, log.size() - 25), log.size());
                throw new AssertionError(
                        "seed=" + seed + " (rerun with -Djvmbus.ringModel.seed=" + seed + ") after " + log.size()
                                + " actions; last ones:\n  " + String.join("\n  ", tail),
                        e);
            }
        }
    }

    private static void run(final long seed, final List<String> log) {
        final SplittableRandom random = new SplittableRandom(seed);
        final int ringPages = 2 + random.nextInt(3);
        final int total = 2 + ringPages; // a 2-page guest->host ring we do not use, then the ring under test
        try (Arena arena = Arena.ofConfined()) {
            final GuestMemory memory = RawRing.memory(arena, total + 4);
            final long[] pages = new long[total];
            final boolean scattered = random.nextBoolean();
            final List<Long> free = new ArrayList<>();
            for (long p = 0; p < total + 4; p++) {
                free.add(p);
            }
            for (int i = 0; i < total; i++) {
                pages[i] = scattered ? free.remove(random.nextInt(free.size())) : i;
            }
            final RawRing raw = RawRing.of(memory, pages, 2, ringPages);
            final int size = raw.size;
            final int start = 8 * random.nextInt(size / 8);
            raw.writeIndex(start);
            raw.readIndex(start);
            final int maxPacket = random.nextBoolean() ? 1 << 20 : 8 * (2 + random.nextInt(size / 8));
            final GpadlView gpadl = RawRing.gpadl(memory, pages);
            final OutgoingRing producer =
                    RingPair.forHost(gpadl, 2, maxPacket).orElseThrow().outgoing();
            final IncomingRing consumer =
                    RingPair.forGuest(gpadl, 2, 4096).orElseThrow().incoming();
            final Model m = new Model(size, Math.min(maxPacket & ~7, size - 16), start);
            log.add("ring pages=" + ringPages + " size=" + size + " scattered=" + scattered + " start=" + start
                    + " maxPacket=" + m.maxPacket);
            final PacketView view = new PacketView();
            final byte[] copy = new byte[size];
            WriteStatus lastWrite = WriteStatus.WRITTEN;
            int lastLength = 0;

            for (int a = 0; a < ACTIONS; a++) {
                final int action = random.nextInt(100);
                if (action < 35) {
                    final int len = switch (random.nextInt(10)) {
                        case 0 -> 0;
                        case 1 -> m.maxPacket - 16 - random.nextInt(8);
                        case 2 -> m.maxPacket - 16 + 1 + random.nextInt(16);
                        default -> random.nextInt(Math.max(1, Math.min(600, m.maxPacket)));
                    };
                    final int payloadLength = Math.max(0, len);
                    final Packet p = new Packet(
                            random.nextBoolean() ? 6 : 11,
                            random.nextInt(2),
                            random.nextLong(),
                            Bytes.random(random, payloadLength));
                    final int packetLength = 16 + ((payloadLength + 7) & ~7);
                    final WriteStatus expected;
                    if (packetLength > m.maxPacket) {
                        expected = WriteStatus.TOO_LARGE;
                    } else if (m.free(m.write, m.publishedRead) <= packetLength + 8) {
                        expected = WriteStatus.FULL;
                    } else {
                        expected = WriteStatus.WRITTEN;
                    }
                    log.add("write len=" + payloadLength + " -> expect " + expected);
                    final WriteStatus got = producer.tryWrite(
                            p.type, p.flags, p.id, MemorySegment.ofArray(p.payload), 0, payloadLength);
                    assertThat(got).isEqualTo(expected);
                    if (got == WriteStatus.WRITTEN) {
                        m.unpublished.add(p);
                        m.write = (m.write + packetLength + 8) % size;
                        if (m.pendingSet) {
                            m.pending = 0;
                            m.pendingSet = false;
                        }
                    }
                    lastWrite = got;
                    lastLength = packetLength;
                } else if (action < 45) {
                    final boolean expected = m.write != m.published && m.mask == 0 && m.publishedRead == m.published;
                    log.add("commitWrite -> expect signal=" + expected);
                    assertThat(producer.commitWrite()).isEqualTo(expected);
                    m.published = m.write;
                    m.unread.addAll(m.unpublished);
                    m.unpublished.clear();
                } else if (action < 50 && lastWrite == WriteStatus.FULL) {
                    final int footprint = lastLength + 8;
                    final boolean expected = m.free(m.write, m.publishedRead) > footprint;
                    log.add("requestSpace " + lastLength + " -> expect " + expected);
                    assertThat(producer.requestSpace(lastLength)).isEqualTo(expected);
                    m.pending = footprint;
                    m.pendingSet = true;
                } else if (action < 80) {
                    final Packet head = m.read == m.published ? null : m.unread.peek();
                    log.add("poll -> expect " + (head == null ? "EMPTY" : "id " + head.id));
                    final ReadStatus got = consumer.poll(view);
                    if (head == null) {
                        assertThat(got).isEqualTo(ReadStatus.EMPTY);
                        continue;
                    }
                    assertThat(got).isEqualTo(ReadStatus.PACKET);
                    m.unread.remove();
                    assertThat(view.type()).isEqualTo(head.type);
                    assertThat(view.flags()).isEqualTo(head.flags);
                    assertThat(view.transactionId()).isEqualTo(head.id);
                    assertThat(view.startOffset()).isEqualTo(m.read);
                    assertThat(view.dataOffset()).isEqualTo(16);
                    assertThat(view.payloadLength()).isEqualTo((head.payload.length + 7) & ~7);
                    view.copyPayloadTo(MemorySegment.ofArray(copy), 0);
                    assertThat(Arrays.copyOf(copy, head.payload.length)).isEqualTo(head.payload);
                    for (int i = head.payload.length; i < view.payloadLength(); i++) {
                        assertThat(copy[i]).as("padding").isZero();
                    }
                    assertThat(view.trailer()).isEqualTo((long) m.read << 32);
                    m.read = (m.read + view.length() + 8) % size;
                } else if (action < 92) {
                    final long consumed = m.used(m.publishedRead, m.read);
                    final long freeNow = m.free(m.published, m.read);
                    final long want = m.pending & ~7;
                    final boolean expected = consumed > 0 && want != 0 && freeNow - consumed <= want && want < freeNow;
                    log.add("commitRead consumed=" + consumed + " pending=" + m.pending + " -> expect signal="
                            + expected);
                    assertThat(consumer.commitRead()).isEqualTo(expected);
                    m.publishedRead = m.read;
                    assertThat(raw.readIndex()).isEqualTo(m.publishedRead);
                } else if (action < 96) {
                    log.add("beginRead");
                    consumer.beginRead();
                    m.mask = 1;
                } else {
                    final boolean expected = m.read != m.published;
                    log.add("endRead -> expect more=" + expected);
                    assertThat(consumer.endRead()).isEqualTo(expected);
                    m.mask = 0;
                }
                assertThat(raw.writeIndex()).as("published write_index").isEqualTo(m.published);
                assertThat(raw.interruptMask()).isEqualTo(m.mask);
                assertThat(raw.pendingSendSize()).isEqualTo(m.pending);
                assertThat(producer.corruption()).isNull();
                assertThat(consumer.corruption()).isNull();
            }
        }
    }
}
