package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.TlConnectResult;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** TL_CONNECT_REQUEST and its result: reference tests #14..#16. */
class HvsockTest {

    @ParameterizedTest
    @CsvSource({"WIN10, false", "WIN10_RS3_0, false", "WIN10_RS5, true", "WIN10_RS5, false", "COPPER, true"})
    void shouldPassConnectRequestsOnAndReportFailuresFrom41(final ProtocolVersion version, final boolean longForm) {
        final Random r = new Random(7);
        final Guid service = new Guid(r.nextInt(), r.nextInt(0x10000), r.nextInt(0x10000), r.nextLong());
        final Guid endpoint = new Guid(r.nextInt(), r.nextInt(0x10000), r.nextInt(0x10000), r.nextLong());
        final ServerHarness h = new ServerHarness();
        h.sendOk(GuestMessages.initiateContact(version.code(), 0, 0, 0, 0));
        h.ack();
        h.messages();
        h.sendOk(
                longForm
                        ? GuestMessages.tlConnectRequest2(endpoint, service, Guid.ZERO)
                        : GuestMessages.tlConnectRequest(endpoint, service));
        assertThat(h.fx.hvsock)
                .containsExactly(new HvsockConnectRequest(
                        service, endpoint, Guid.ZERO, !version.atLeast(ProtocolVersion.WIN10_RS5)));
        assertThat(h.hvsockResult(new HvsockConnectResult(service, endpoint, false)))
                .isEqualTo(Outcome.OK);
        if (version.atLeast(ProtocolVersion.WIN10_RS3_0)) {
            h.expectMessages(new TlConnectResult(endpoint, service, NtStatus.CONNECTION_REFUSED));
        } else {
            h.expectNoMessages();
        }
        assertThat(h.server.inspect().hvsockRequests()).isEmpty();
    }

    @Test
    void shouldCarryTheSiloOfTheLongFormAndSayNothingOnSuccess() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.WIN10_RS5, 0);
        final Guid silo = Guid.ofData1(0x5150);
        h.sendOk(GuestMessages.tlConnectRequest2(Guid.ofData1(1), Guid.ofData1(2), silo));
        assertThat(h.fx.hvsock.get(0).siloId()).isEqualTo(silo);
        h.hvsockResult(new HvsockConnectResult(Guid.ofData1(2), Guid.ofData1(1), true));
        h.expectNoMessages();
        assertThat(h.hvsockResult(new HvsockConnectResult(Guid.ofData1(2), Guid.ofData1(1), true))
                        .errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_HVSOCK_REQUEST);
    }

    @Test
    void shouldForgetRequestsOfAConnectionThatWentAway() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.WIN10_RS5, 0);
        h.sendOk(GuestMessages.tlConnectRequest(Guid.ofData1(1), Guid.ofData1(2)));
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.messages();
        assertThat(h.server.inspect().hvsockRequests()).isEmpty();
        // A late failure is not reported to whoever connects next.
        assertThat(h.hvsockResult(new HvsockConnectResult(Guid.ofData1(2), Guid.ofData1(1), false))
                        .errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_HVSOCK_REQUEST);
        h.expectNoMessages();
    }
}
