package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.OfferFlags;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.GpadlTorndown;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Linux 6.1 guest as the Linux reference (§0, §1) describes it, message for message: version fallback, contact on
 * connection id 4, GPADLs split 26/28, close then teardown, rescind then RELID_RELEASED, unload at shutdown.
 */
class LinuxGuestScenarioTest {

    private static final Guid HEARTBEAT = Guid.parse("57164f39-9115-4e78-ab55-382f3bd5422d");
    private static final Guid NIC = Guid.parse("f8615163-df3e-46c5-913f-f2d2f965ed0e");
    private static final long INTERRUPT_PAGE = 0x7000;
    private static final long MONITOR1 = 0x8000;
    private static final long MONITOR2 = 0x9000;

    /** What Linux's vmbus_negotiate_version loop does against this server; returns the versions it tried. */
    private static List<ProtocolVersion> linuxConnect(final ServerHarness h) {
        final List<ProtocolVersion> tried = new ArrayList<>();
        for (final ProtocolVersion v : ProtocolVersion.linuxFallbackOrder()) {
            tried.add(v);
            final int connectionId = v.atLeast(ProtocolVersion.WIN10_RS3_1)
                    ? ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID
                    : ConnectionIds.MESSAGE_CONNECTION_ID;
            final byte[] contact = GuestMessages.linuxInitiateContact(v.code(), 0, INTERRUPT_PAGE, MONITOR1, MONITOR2);
            h.pump(h.server.handleMessage(contact, connectionId, 0, false));
            if (!h.fx.relay.isEmpty()) {
                h.ack();
            }
            final List<ChannelMessage> m = h.messages();
            assertThat(m).hasSize(1);
            final VersionResponse vr = (VersionResponse) m.get(0);
            if (vr.versionSupported() != 0) {
                // Linux reads msg_conn_id from 5.0 on: every later message goes there.
                if (v.atLeast(ProtocolVersion.WIN10_RS3_1)) {
                    assertThat(vr.selectedVersionOrConnectionId()).isEqualTo(ConnectionIds.MESSAGE_CONNECTION_ID);
                }
                return tried;
            }
        }
        return tried;
    }

    @Test
    void shouldLetLinuxFallBackFrom53To24() {
        final ServerHarness h = new ServerHarness(
                ServerConfig.builder().maxVersion(ProtocolVersion.WIN8).build());
        assertThat(linuxConnect(h))
                .containsExactly(
                        ProtocolVersion.IRON,
                        ProtocolVersion.WIN10_RS5,
                        ProtocolVersion.WIN10_RS4,
                        ProtocolVersion.WIN10_RS3_1,
                        ProtocolVersion.WIN10_RS3_0,
                        ProtocolVersion.WIN10,
                        ProtocolVersion.WIN8_1,
                        ProtocolVersion.WIN8);
        assertThat(h.server.inspect().connection().version()).isEqualTo(new VersionInfo(ProtocolVersion.WIN8, 0));
        // Only the accepted version ever reached the host.
        assertThat(h.fx.relayLog).hasSize(1);
        // 2.4 carries an interrupt page, but from Win8 on it is ignored.
        assertThat(h.server.inspect().connection().interruptPage()).isZero();
    }

    @Test
    void shouldAcceptLinuxContactOnConnectionId4AndRunAChannel() {
        final ServerHarness h = new ServerHarness();
        final OfferId heartbeat =
                h.offer(OfferParams.builder(HEARTBEAT, Guid.ofData1(0x1111)).build());
        final OfferId nic =
                h.offer(OfferParams.builder(NIC, Guid.ofData1(0x2222)).build());
        assertThat(linuxConnect(h)).containsExactly(ProtocolVersion.IRON);
        assertThat(h.server.inspect().connection().monitorPages()).isEqualTo(MonitorPages.guest(MONITOR1, MONITOR2));
        // REQUESTOFFERS right away; Linux does not wait for ALLOFFERS_DELIVERED.
        final List<OfferChannel> offers = h.requestOffers();
        assertThat(offers).extracting(OfferChannel::interfaceId).containsExactly(HEARTBEAT, NIC);
        final int relid = offers.get(1).channelId();

        // The NIC ring: 2 x 128 pages, a 256-page GPADL split 26 + 9 bodies of up to 28.
        final long[] pfns = new long[256];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = 0x40000 + i;
        }
        final int gpadl = 0xE1E10;
        final List<byte[]> parts = GuestMessages.linuxGpadl(relid, gpadl, pfns);
        assertThat(parts).hasSize(10);
        for (final byte[] part : parts) {
            h.sendOk(part);
        }
        final DeviceRequest.CreateGpadl create =
                (DeviceRequest.CreateGpadl) h.device().get(0).request();
        assertThat(create.ranges().get(0).pageNumbers()).containsExactly(pfns);
        h.gc(nic, gpadl, 0);
        h.expectMessages(new GpadlCreated(relid, gpadl, 0));
        // OPENCHANNEL: openid = relid, downstream offset = the guest-to-host ring's page count.
        h.sendOk(GuestMessages.openChannel(relid, relid, gpadl, 1, 128));
        final OpenParams p = ((DeviceRequest.Open) h.device().get(0).request()).params();
        assertThat(p.downstreamRingBufferPageOffset()).isEqualTo(128);
        assertThat(p.connectionId()).isEqualTo(0x2000 + relid);
        h.oc(nic, 0);
        h.expectMessages(new OpenResult(relid, relid, 0));

        // vmbus_close: CLOSECHANNEL gets no reply, then GPADL_TEARDOWN waits for GPADL_TORNDOWN.
        h.sendOk(GuestMessages.closeChannel(relid));
        h.expectNoMessages();
        h.cc(nic);
        h.sendOk(GuestMessages.gpadlTeardown(relid, gpadl));
        h.expectDevice(dev(nic, DeviceRequest.CLOSE), dev(nic, new DeviceRequest.TeardownGpadl(gpadl, false)));
        h.gt(nic, gpadl);
        h.expectMessages(new GpadlTorndown(gpadl));
        assertThat(heartbeat).isNotNull();
    }

    @Test
    void shouldLetLinuxReleaseARescindedOpenChannelWithoutTeardown() {
        final ServerHarness h = new ServerHarness();
        final OfferId nic =
                h.offer(OfferParams.builder(NIC, Guid.ofData1(0x2222)).build());
        linuxConnect(h);
        final int relid = h.requestOffers().get(0).channelId();
        for (final byte[] part : GuestMessages.linuxGpadl(relid, 0xE1E11, new long[] {1, 2, 3, 4, 5, 6, 7, 8})) {
            h.sendOk(part);
        }
        h.gc(nic, 0xE1E11, 0);
        h.sendOk(GuestMessages.openChannel(relid, relid, 0xE1E11, 0, 4));
        h.oc(nic, 0);
        h.messages();
        h.device();
        h.revoke(nic);
        h.expectMessages(new RescindChannelOffer(relid));
        // Linux: CLOSECHANNEL (ignored: the device is gone), no GPADL_TEARDOWN, then RELID_RELEASED.
        assertThat(h.send(GuestMessages.closeChannel(relid)).errorKind()).isEqualTo(ErrorKind.CHANNEL_REVOKED);
        h.sendOk(GuestMessages.relIdReleased(relid));
        assertThat(h.server.inspect().channels()).isEmpty();
        assertThat(h.server.inspect().gpadls()).isEmpty();
        assertThat(h.device()).isEmpty();
        h.expectNoMessages();
        // The relid is free again.
        h.offer(OfferParams.builder(NIC, Guid.ofData1(0x3333)).build());
        assertThat(((OfferChannel) h.messages().get(0)).channelId()).isEqualTo(relid);
    }

    @Test
    void shouldUnloadAtShutdownAndTakeTheKexecKernelsContact() {
        final ServerHarness h = new ServerHarness();
        final OfferId heartbeat =
                h.offer(OfferParams.builder(HEARTBEAT, Guid.ofData1(0x1111)).build());
        linuxConnect(h);
        final int relid = h.requestOffers().get(0).channelId();
        h.sendOk(GuestMessages.simpleGpadl(relid, 0xE1E10));
        h.gc(heartbeat, 0xE1E10, 0);
        h.sendOk(GuestMessages.openChannel(relid, relid, 0xE1E10, 0, 4));
        h.oc(heartbeat, 0);
        h.messages();
        h.device();
        // Shutdown: UNLOAD, and Linux waits (no timeout) for UNLOAD_RESPONSE.
        h.sendOk(GuestMessages.unload());
        h.expectDevice(
                dev(heartbeat, new DeviceRequest.TeardownGpadl(0xE1E10, false)), dev(heartbeat, DeviceRequest.CLOSE));
        h.cc(heartbeat);
        h.gt(heartbeat, 0xE1E10);
        h.ack();
        h.expectMessages(new UnloadComplete());
        // vmbus_exit posts RELID_RELEASED after UNLOAD: refused with a typed error, nothing breaks.
        assertThat(h.send(GuestMessages.relIdReleased(relid)).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        // The kexec'd kernel connects afresh and gets the same ids.
        linuxConnect(h);
        assertThat(h.requestOffers()).extracting(OfferChannel::channelId).containsExactly(relid);
    }

    @Test
    void shouldOfferAHvsockChannelForALinuxConnect() {
        final ServerHarness h = new ServerHarness();
        linuxConnect(h);
        h.requestOffers();
        final Guid endpoint = Guid.parse("00000400-facb-11e6-bd58-64006a7986d3");
        final Guid service = Guid.parse("00000016-facb-11e6-bd58-64006a7986d3");
        h.sendOk(GuestMessages.tlConnectRequest(endpoint, service));
        assertThat(h.fx.hvsock)
                .singleElement()
                .extracting(HvsockConnectRequest::endpointId)
                .isEqualTo(endpoint);
        // The host answers by offering the channel: if_type = service, if_instance = the guest's endpoint.
        h.hvsockResult(new HvsockConnectResult(service, endpoint, true));
        h.offer(OfferParams.builder(service, endpoint)
                .flags(OfferFlags.HVSOCKET)
                .build());
        final OfferChannel offer = (OfferChannel) h.messages().get(0);
        assertThat(offer.instanceId()).isEqualTo(endpoint);
        assertThat(offer.flags() & OfferFlags.TLNPI_PROVIDER).isNotZero();
    }
}
