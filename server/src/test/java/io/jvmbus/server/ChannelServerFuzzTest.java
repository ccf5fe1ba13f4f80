package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.ArrayList;
import java.util.List;

/**
 * The core under fuzzer-chosen sequences of inputs: guest messages with fuzzer-controlled bytes, device completions
 * in any order with any status, host answers of any kind, offers, revokes, resets and deliveries. The server starts
 * connected (Copper, every feature) with three channels offered, so the channel handlers are reachable at once. No
 * input may throw, the queue stays within its bound, and the snapshot stays consistent.
 *
 * <p>Input: a sequence of operations, one byte each plus arguments (see {@link #step}); missing bytes read as 0. At
 * most {@value #MAX_STEPS} operations run. Regression inputs live in {@code
 * src/test/resources/io/jvmbus/server/ChannelServerFuzzTestInputs/}; plain {@code ./mvnw verify} replays them. Fuzz
 * with {@code JAZZER_FUZZ=1 ./mvnw -B -ntp -pl server -am test -Dtest=ChannelServerFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ChannelServerFuzzTest {

    private static final int MAX_STEPS = 512;

    /** Guest message numbers the fuzzer picks from (the decoder takes care of anything else). */
    private static final int[] TYPES = {3, 5, 7, 8, 9, 11, 13, 14, 16, 18, 19, 21, 22, 25, 27, 29, 15, 1, 0, 30};

    private final List<RecordingEffects.Device> pending = new ArrayList<>();
    private final List<OfferId> offers = new ArrayList<>();
    private int cursor;
    private byte[] input;

    private int u8() {
        return cursor < input.length ? input[cursor++] & 0xFF : 0;
    }

    private int i32() {
        return u8() | u8() << 8 | u8() << 16 | u8() << 24;
    }

    @FuzzTest(maxDuration = "60s")
    void survivesAnyInputSequence(final byte[] data) {
        input = data;
        cursor = 0;
        pending.clear();
        offers.clear();
        final ServerHarness h = new ServerHarness(ServerConfig.builder()
                .maxChannels(8)
                .maxGpadls(16)
                .maxGpadlsPerChannel(8)
                .maxQueuedMessages(40)
                .build());
        for (int n = 1; n <= 3; n++) {
            offers.add(h.offer(n));
        }
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0xFF);
        h.device();
        for (int i = 0; i < MAX_STEPS && cursor < input.length; i++) {
            step(h);
            pending.addAll(h.device());
            assertThat(h.server.queuedMessages())
                    .isLessThanOrEqualTo(h.server.config().maxQueuedMessages());
            for (final ServerSnapshot.ChannelSnapshot c : h.server.inspect().channels()) {
                assertThat(c.state().isReleased()).isEqualTo(c.channelId() == 0);
            }
        }
    }

    private void step(final ServerHarness h) {
        switch (u8() % 9) {
            case 0 -> {
                // A guest message: type from the table, a fuzzer-chosen length and payload.
                final int type = TYPES[u8() % TYPES.length];
                final byte[] payload = new byte[u8() % 233];
                for (int i = 0; i < payload.length; i++) {
                    payload[i] = (byte) u8();
                }
                final byte[] m = GuestMessages.raw(type, payload);
                // Channel ids are small so handlers find channels.
                if (payload.length >= 4 && type != 14) {
                    m[8] = (byte) (m[8] & 7);
                    m[9] = 0;
                    m[10] = 0;
                    m[11] = 0;
                }
                final int connection = (u8() & 1) == 0 ? ConnectionIds.MESSAGE_CONNECTION_ID : 4;
                h.pump(h.server.handleMessage(m, connection, 0, (u8() & 3) == 0));
            }
            case 1 -> {
                if (!pending.isEmpty()) {
                    final RecordingEffects.Device d = pending.remove(u8() % pending.size());
                    final int status = (u8() & 1) == 0 ? 0 : i32();
                    h.pump(
                            switch (d.request()) {
                                case DeviceRequest.Open o -> h.server.completeOpen(d.offer(), status);
                                case DeviceRequest.Close c -> h.server.completeClose(d.offer());
                                case DeviceRequest.CreateGpadl g ->
                                    h.server.completeGpadlCreate(d.offer(), g.gpadlId(), status);
                                case DeviceRequest.TeardownGpadl t ->
                                    h.server.completeGpadlTeardown(d.offer(), t.gpadlId());
                                case DeviceRequest.Modify mod -> h.server.completeModifyChannel(d.offer(), status);
                            });
                }
            }
            case 2 -> {
                if (!h.fx.relay.isEmpty()) {
                    h.fx.relay.pollFirst();
                    final ModifyConnectionResult r = switch (u8() % 4) {
                        case 0 -> new ModifyConnectionResult.Supported(u8() % 3, i32(), null);
                        case 1 ->
                            new ModifyConnectionResult.Supported(
                                    ConnectionState.SUCCESSFUL, i32(), MonitorPages.server(0x1000, 0x2000));
                        case 2 -> new ModifyConnectionResult.Unsupported();
                        default -> new ModifyConnectionResult.Modified(u8() % 3);
                    };
                    h.pump(h.server.completeModifyConnection(r));
                }
            }
            case 3 -> h.drain();
            case 4 -> {
                final OfferResult r =
                        h.server.offerChannel(OfferParams.builder(Guid.ofData1(u8() % 4), Guid.ofData1(u8() % 8))
                                .subchannelIndex(u8() % 3)
                                .mnf((u8() & 1) == 0 ? MnfUsage.DISABLED : new MnfUsage.Enabled(1))
                                .build());
                if (r instanceof OfferResult.Offered o) {
                    offers.add(o.offerId());
                }
                h.pump(r);
            }
            case 5 -> {
                if (!offers.isEmpty()) {
                    h.pump(h.server.revokeChannel(offers.get(u8() % offers.size())));
                }
            }
            case 6 -> h.pump(h.server.reset());
            case 7 -> {
                final List<HvsockConnectRequest> hv = h.server.inspect().hvsockRequests();
                if (!hv.isEmpty()) {
                    final HvsockConnectRequest r = hv.get(u8() % hv.size());
                    h.pump(h.server.completeHvsockConnect(
                            new HvsockConnectResult(r.serviceId(), r.endpointId(), (u8() & 1) == 0)));
                }
            }
            default -> h.pump(h.server.completeOpen(new OfferId(1 + u8() % 8), i32()));
        }
    }
}
