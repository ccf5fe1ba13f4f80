package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GPADL assembly, validation, limits, teardown: reference tests #52, #53, T3, B22, and the Linux 26/28 split. */
class GpadlTest {

    private static final int UNS = NtStatus.UNSUCCESSFUL;

    private ServerHarness connected(final int channels) {
        final ServerHarness h = new ServerHarness();
        for (int n = 1; n <= channels; n++) {
            h.offer(n);
        }
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        return h;
    }

    private static OfferId offerOf(final ServerHarness h, final int n) {
        return new OfferId(n);
    }

    @Test
    void shouldAnswerEveryFailedGpadlAndLetTheIdBeReused() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        assertThat(h.send(GuestMessages.gpadlHeader(100, 1, 16, 1, 1L, 0L)).errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.expectMessages(new GpadlCreated(100, 1, UNS));
        assertThat(h.send(GuestMessages.gpadlHeader(1, 1, 16, 1, 1L | (0x1000L << 32), 0L))
                        .errorKind())
                .isEqualTo(ErrorKind.INVALID_GPADL_RANGES);
        h.expectMessages(new GpadlCreated(1, 1, UNS));
        h.sendOk(GuestMessages.gpadlHeader(1, 1, 32, 2, 1L | (0x1000L << 32), 0L));
        h.expectNoMessages();
        assertThat(h.send(GuestMessages.gpadlBody(0, 1, 1L, 0L)).errorKind()).isEqualTo(ErrorKind.INVALID_GPADL_RANGES);
        h.expectMessages(new GpadlCreated(1, 1, UNS));
        assertThat(h.server.inspect().gpadls()).isEmpty();
        h.sendOk(GuestMessages.simpleGpadl(1, 1));
        assertThat(h.device())
                .containsExactly(dev(
                        o,
                        new DeviceRequest.CreateGpadl(
                                1, 1, Blob.ofLongs(1L, 0L), List.of(new GpaRange(0, 1, new long[] {0})))));
        h.gc(o, 1, 0);
        h.expectMessages(new GpadlCreated(1, 1, 0));
        assertThat(h.server.inspect().gpadls().get(0).state()).isEqualTo(GpadlState.ACCEPTED);
    }

    @Test
    void shouldDiscardAnInProgressGpadlOnResetAndTolerateTrailingWords() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.gpadlHeader(1, 1, 32, 2, 1L, 0L));
        h.expectNoMessages();
        assertThat(h.server.inspect().gpadls().get(0).state()).isEqualTo(GpadlState.IN_PROGRESS);
        h.reset();
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        assertThat(h.server.inspect().gpadls()).isEmpty();
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        h.sendOk(GuestMessages.gpadlHeader(1, 1, 32, 1, 1L, 0L));
        h.sendOk(GuestMessages.gpadlBody(0, 1, 1L, 0L));
        h.expectNoMessages();
        final DeviceRequest.CreateGpadl create =
                (DeviceRequest.CreateGpadl) h.device().get(0).request();
        assertThat(create.data()).isEqualTo(Blob.ofLongs(1L, 0L, 1L, 0L));
        assertThat(create.ranges()).hasSize(1);
        assertThat(o).isNotNull();
    }

    @Test
    void shouldAcceptAndTearDownGpadlsOfARevokedChannelWithoutTheDevice() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.revoke(o);
        h.expectMessages(new RescindChannelOffer(1));
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.expectMessages(new GpadlCreated(1, 10, 0));
        h.sendOk(GuestMessages.gpadlTeardown(1, 10));
        h.expectMessages(new GpadlTorndown(10));
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.device()).isEmpty();
        assertThat(h.server.inspect().channels()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 26, 27, 64, 256})
    void shouldAssembleALinuxGpadlSplit26And28(final int pages) {
        final ServerHarness h = connected(1);
        final long[] pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            pfns[i] = 0x10000L + 3 * i;
        }
        final List<byte[]> messages = GuestMessages.linuxGpadl(1, 0xE1E10, pfns);
        assertThat(messages).hasSize(1 + (Math.max(0, pages - 26) + 27) / 28);
        for (final byte[] m : messages) {
            h.sendOk(m);
            h.expectNoMessages();
        }
        final DeviceRequest.CreateGpadl create =
                (DeviceRequest.CreateGpadl) h.device().get(0).request();
        assertThat(create.gpadlId()).isEqualTo(0xE1E10);
        assertThat(create.ranges()).hasSize(1);
        assertThat(create.ranges().get(0).byteCount()).isEqualTo(pages * 4096);
        assertThat(create.ranges().get(0).pageNumbers()).containsExactly(pfns);
        h.gc(offerOf(h, 1), 0xE1E10, 0);
        h.expectMessages(new GpadlCreated(1, 0xE1E10, 0));
    }

    @Test
    void shouldKeepGpadlIdsPerChannelButInProgressIdsGlobal() {
        final ServerHarness h = connected(2);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.sendOk(GuestMessages.simpleGpadl(2, 10));
        assertThat(h.device())
                .extracting(RecordingEffects.Device::offer)
                .containsExactly(new OfferId(1), new OfferId(2));
        assertThat(h.send(GuestMessages.simpleGpadl(1, 10)).errorKind()).isEqualTo(ErrorKind.DUPLICATE_GPADL_ID);
        h.expectMessages(new GpadlCreated(1, 10, UNS));
        h.sendOk(GuestMessages.gpadlHeader(1, 20, 32, 1, 1L, 0L));
        assertThat(h.send(GuestMessages.gpadlHeader(2, 20, 32, 1, 1L, 0L)).errorKind())
                .isEqualTo(ErrorKind.DUPLICATE_GPADL_ID);
        h.expectMessages(new GpadlCreated(2, 20, UNS));
        // The first one continues.
        h.sendOk(GuestMessages.gpadlBody(0, 20, 0L, 0L));
        assertThat(h.device()).extracting(RecordingEffects.Device::offer).containsExactly(new OfferId(1));
        assertThat(h.send(GuestMessages.gpadlBody(0, 99, 0L)).errorKind()).isEqualTo(ErrorKind.UNKNOWN_GPADL_ID);
        h.expectNoMessages();
    }

    @Test
    void shouldHonourTheDeclaredLengthExactly() {
        // B22: len 20 is 2 whole words; a header may carry more data than len (UEFI) and a partial word.
        final ServerHarness h = connected(1);
        final byte[] data = new byte[8 * 3 + 4];
        data[0] = 1; // word 0: byte_count 1
        data[16] = 0x7F; // word 2: beyond len, ignored
        h.sendOk(GuestMessages.gpadlHeaderBytes(1, 5, 20, 1, data));
        final DeviceRequest.CreateGpadl create =
                (DeviceRequest.CreateGpadl) h.device().get(0).request();
        assertThat(create.data()).isEqualTo(Blob.ofLongs(1L, 0L));
        // len 0 and count 0: complete at once with no ranges.
        h.sendOk(GuestMessages.gpadlHeader(1, 6, 0, 0));
        final DeviceRequest.CreateGpadl empty =
                (DeviceRequest.CreateGpadl) h.device().get(0).request();
        assertThat(empty.ranges()).isEmpty();
        // A header that leaves words missing keeps an explicit expected length.
        h.sendOk(GuestMessages.gpadlHeader(1, 7, 40, 1, 3L));
        final ServerSnapshot.GpadlSnapshot g = h.server.inspect().gpadls().stream()
                .filter(x -> x.gpadlId() == 7)
                .findFirst()
                .orElseThrow();
        assertThat(g.expectedWords()).isEqualTo(5);
        assertThat(g.receivedWords()).isEqualTo(1);
        h.sendOk(GuestMessages.gpadlBody(0, 7, 0L, 0L));
        assertThat(h.server.inspect().gpadls().stream()
                        .filter(x -> x.gpadlId() == 7)
                        .findFirst()
                        .orElseThrow()
                        .receivedWords())
                .isEqualTo(3);
        h.sendOk(GuestMessages.gpadlBody(0, 7, 0L, 0L, 9L, 9L));
        assertThat(((DeviceRequest.CreateGpadl) h.device().get(0).request()).data())
                .isEqualTo(Blob.ofLongs(3L, 0L, 0L, 0L, 0L));
    }

    @Test
    void shouldRefuseGpadlsBeyondEachLimitWithAFailureReply() {
        final ServerHarness h = new ServerHarness(ServerConfig.builder()
                .maxGpadlsPerChannel(2)
                .maxGpadls(3)
                .maxGpadlPages(4)
                .maxGpadlBytesTotal(64)
                .build());
        h.offer(1);
        h.offer(2);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.simpleGpadl(1, 1));
        h.sendOk(GuestMessages.simpleGpadl(1, 2));
        assertThat(h.send(GuestMessages.simpleGpadl(1, 3)).errorKind()).isEqualTo(ErrorKind.GPADL_LIMIT);
        h.expectMessages(new GpadlCreated(1, 3, UNS));
        h.sendOk(GuestMessages.simpleGpadl(2, 1));
        assertThat(h.send(GuestMessages.simpleGpadl(2, 2)).errorKind()).isEqualTo(ErrorKind.GPADL_LIMIT);
        h.expectMessages(new GpadlCreated(2, 2, UNS));
        // Pages and bytes, on a fresh server.
        final ServerHarness p = new ServerHarness(
                ServerConfig.builder().maxGpadlPages(4).maxGpadlBytesTotal(64).build());
        p.offer(1);
        p.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        assertThat(p.send(GuestMessages.gpadlHeader(1, 1, 48, 1, 5L * 4096, 1, 2, 3, 4, 5))
                        .errorKind())
                .isEqualTo(ErrorKind.GPADL_LIMIT);
        p.expectMessages(new GpadlCreated(1, 1, UNS));
        p.sendOk(GuestMessages.gpadlHeader(1, 2, 40, 1, 4L * 4096, 1, 2, 3, 4));
        assertThat(p.send(GuestMessages.gpadlHeader(1, 3, 32, 1, 4096L, 1)).errorKind())
                .isEqualTo(ErrorKind.GPADL_LIMIT);
        p.expectMessages(new GpadlCreated(1, 3, UNS));
        assertThat(p.server.inspect().gpadls()).hasSize(1);
    }

    @Test
    void shouldTearDownOnlyAcceptedGpadls() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        assertThat(h.send(GuestMessages.gpadlTeardown(1, 10)).errorKind()).isEqualTo(ErrorKind.INVALID_GPADL_STATE);
        assertThat(h.send(GuestMessages.gpadlTeardown(1, 11)).errorKind()).isEqualTo(ErrorKind.UNKNOWN_GPADL_ID);
        assertThat(h.send(GuestMessages.gpadlTeardown(5, 10)).errorKind()).isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.device();
        h.gc(o, 10, 0);
        h.expectMessages(new GpadlCreated(1, 10, 0));
        h.sendOk(GuestMessages.gpadlTeardown(1, 10));
        h.expectDevice(dev(o, new DeviceRequest.TeardownGpadl(10, false)));
        assertThat(h.send(GuestMessages.gpadlTeardown(1, 10)).errorKind()).isEqualTo(ErrorKind.INVALID_GPADL_STATE);
        assertThat(h.gc(o, 10, 0).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        h.gt(o, 10);
        h.expectMessages(new GpadlTorndown(10));
        assertThat(h.gt(o, 10).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.server.inspect().gpadls()).isEmpty();
    }

    @Test
    void shouldForgetAFailedGpadlAndTearDownOneAcceptedAfterRelease() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(o, 10, UNS);
        h.expectMessages(new GpadlCreated(1, 10, UNS));
        assertThat(h.server.inspect().gpadls()).isEmpty();
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.device();
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.server.inspect().gpadls().get(0).state()).isEqualTo(GpadlState.OFFERED_TEARING_DOWN);
        h.gc(o, 10, 0);
        h.expectDevice(dev(o, new DeviceRequest.TeardownGpadl(10, false)));
        h.gt(o, 10);
        h.expectNoMessages();
        assertThat(h.server.inspect().gpadls()).isEmpty();
    }

    @Test
    void shouldAnswerGpadlsInFlightWhenTheDeviceIsRevoked() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.simpleGpadl(1, 1));
        h.sendOk(GuestMessages.simpleGpadl(1, 2));
        h.gc(o, 2, 0);
        h.sendOk(GuestMessages.simpleGpadl(1, 3));
        h.gc(o, 3, 0);
        h.sendOk(GuestMessages.gpadlTeardown(1, 3));
        h.sendOk(GuestMessages.gpadlHeader(1, 4, 32, 1, 1L));
        h.messages();
        h.revoke(o);
        h.expectMessages(new GpadlCreated(1, 1, UNS), new GpadlTorndown(3), new RescindChannelOffer(1));
        assertThat(h.server.inspect().gpadls())
                .extracting(ServerSnapshot.GpadlSnapshot::gpadlId)
                .containsExactly(2, 4);
        // The guest skips GPADL_TEARDOWN after a rescind (Linux); REL_ID_RELEASED drops what is left.
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.server.inspect().gpadls()).isEmpty();
        assertThat(h.server.inspect().channels()).isEmpty();
    }

    @Test
    void shouldRefuseGpadlsOnReservedChannels() {
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(o, 10, 0);
        h.sendOk(GuestMessages.openReservedChannel(1, 0, 2, 10, 1));
        h.oc(o, 0);
        h.messages();
        assertThat(h.send(GuestMessages.simpleGpadl(1, 11)).errorKind()).isEqualTo(ErrorKind.CHANNEL_RESERVED);
        h.expectMessages(new GpadlCreated(1, 11, UNS));
        assertThat(h.send(GuestMessages.gpadlTeardown(1, 10)).errorKind()).isEqualTo(ErrorKind.CHANNEL_RESERVED);
        h.expectNoMessages();
    }

    @Test
    void shouldDropGpadlsInProgressWhenTheConnectionGoesAway() {
        // Found by the random test: an in-progress GPADL of a channel that became reserved outlived its client, and
        // the next client's GPADL_BODY with the same id completed it.
        final ServerHarness h = connected(1);
        final OfferId o = offerOf(h, 1);
        h.sendOk(GuestMessages.gpadlHeader(1, 5, 32, 1, 4096L));
        h.sendOk(GuestMessages.openReservedChannel(1, 0, 2, 0, 0));
        h.oc(o, 0);
        h.drain();
        assertThat(h.server.inspect().gpadls()).hasSize(1);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        assertThat(h.server.inspect().gpadls()).isEmpty();
        h.connect(ProtocolVersion.COPPER, 0);
        assertThat(h.send(GuestMessages.gpadlBody(0, 5, 1L, 2L, 3L)).errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_GPADL_ID);
        h.expectNoMessages();
    }
}
