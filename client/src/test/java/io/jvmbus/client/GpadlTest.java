package io.jvmbus.client;

import static io.jvmbus.client.GuestFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GpadlTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 26, 27, 54, 55, 64, 256})
    void shouldSplitGpadlIntoHeaderAndBodiesLikeLinux(final int pages) {
        try (GuestFixture f = GuestFixture.linux()) {
            final int relid = f.connectWithDevices(1).getFirst().channelId();
            final int before = f.host.posted().size();
            final long[] pfns = f.ram.allocate(pages);

            final GuestGpadl g = f.client.createGpadl(relid, pfns, TIMEOUT);

            assertThat(g.gpadlId()).isEqualTo(0xE1E10);
            final List<byte[]> expected = GuestMessages.linuxGpadl(relid, 0xE1E10, pfns);
            final List<InProcessHost.Posted> sent =
                    f.host.posted().subList(before, f.host.posted().size());
            assertThat(sent).hasSize(expected.size());
            assertThat(sent).hasSize(1 + (Math.max(0, pages - 26) + 27) / 28);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(sent.get(i).bytes()).as("message %d", i).isEqualTo(expected.get(i));
            }
            assertThat(f.host.hasGpadl(0xE1E10)).isTrue();
            assertThat(f.host.errors()).isEmpty();
        }
    }

    @Test
    void shouldNumberGpadlsFromLinuxsFirstHandleUpwards() {
        try (GuestFixture f = GuestFixture.linux()) {
            final int relid = f.connectWithDevices(1).getFirst().channelId();

            final GuestGpadl a = f.client.createGpadl(relid, f.ram.allocate(2), TIMEOUT);
            final GuestGpadl b = f.client.createGpadl(relid, f.ram.allocate(3), TIMEOUT);

            assertThat(a.gpadlId()).isEqualTo(0xE1E10);
            assertThat(b.gpadlId()).isEqualTo(0xE1E11);
            assertThat(b.byteCount()).isEqualTo(3 * 4096L);
        }
    }

    @Test
    void shouldTearDownGpadlAndWaitForTorndown() {
        try (GuestFixture f = GuestFixture.linux()) {
            final int relid = f.connectWithDevices(1).getFirst().channelId();
            final GuestGpadl g = f.client.createGpadl(relid, f.ram.allocate(64), TIMEOUT);

            f.client.teardownGpadl(g, TIMEOUT);

            assertThat(f.host.hasGpadl(g.gpadlId())).isFalse();
            assertThat(f.host.posted().getLast().bytes()).isEqualTo(GuestMessages.gpadlTeardown(relid, g.gpadlId()));
        }
    }

    @Test
    void shouldKeepEveryMessageWithin240Bytes() {
        final long[] pfns = new long[GpadlMessages.MAX_PAGES];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = 1000 + i;
        }
        final List<ChannelMessage> split = GpadlMessages.split(3, 9, pfns.length * 4096L, pfns);

        assertThat(split).allMatch(m -> MessageCodec.encodedSize(m) <= 240);
        assertThat(MessageCodec.encodedSize(split.getFirst())).isEqualTo(20 + 8 + 26 * 8);
        assertThat(MessageCodec.encodedSize(split.get(1))).isEqualTo(16 + 28 * 8);
        assertThat(((ChannelMessage.GpadlHeader) split.getFirst()).rangeBufferLength())
                .isEqualTo(8 + 8 * GpadlMessages.MAX_PAGES);
    }
}
