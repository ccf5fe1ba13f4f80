package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.ChannelServer;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.HvsockConnectRequest;
import io.jvmbus.server.InitiateContactRequest;
import io.jvmbus.server.ModifyConnectionRequest;
import io.jvmbus.server.ModifyConnectionResult;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.OfferParams;
import io.jvmbus.server.OutgoingMessage;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import io.jvmbus.testkit.wire.GuestMessages;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(30)
class SavedStateCommandTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final String... args) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        return cli.execute(args);
    }

    /** The seed scenario, saved while disconnected: channel 1 open reserved with GPADL 10. */
    private static byte[] reservedWhileDisconnected() {
        final ServerEffects effects = new ServerEffects() {
            @Override
            public void deviceRequest(final OfferId offer, final DeviceRequest request) {}

            @Override
            public void modifyConnection(final ModifyConnectionRequest request) {}

            @Override
            public void hvsockConnect(final HvsockConnectRequest request) {}

            @Override
            public void forwardInitiateContact(final InitiateContactRequest request) {}

            @Override
            public void unloadComplete() {}

            @Override
            public void resetComplete() {}
        };
        final ChannelServer s = new ChannelServer(ServerConfig.defaults(), effects);
        final OfferId offer = s.offerChannel(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                        .interfaceName("kdnet-nic")
                        .build())
                .orThrow();
        guest(s, GuestMessages.initiateContact(ProtocolVersion.WIN10.code(), 0, 0, 0, 0));
        s.completeModifyConnection(new ModifyConnectionResult.Supported(ConnectionState.SUCCESSFUL, -1, null));
        guest(s, GuestMessages.requestOffers());
        guest(s, GuestMessages.simpleGpadl(1, 10));
        s.completeGpadlCreate(offer, 10, 0);
        guest(s, GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        s.completeOpen(offer, 0);
        guest(s, GuestMessages.unload());
        s.completeModifyConnection(new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL));
        return s.save();
    }

    private static void guest(final ChannelServer s, final byte[] message) {
        OutgoingMessage m;
        while ((m = s.peekOutgoing()) != null) {
            s.outgoingDelivered(m.sequence());
        }
        assertThat(s.handleMessage(message, ConnectionIds.MESSAGE_CONNECTION_ID, 0, false)
                        .isOk())
                .isTrue();
    }

    @Test
    void shouldPrintTheSavedStateAsATree() throws Exception {
        final Path file = Files.write(dir.resolve("state.bin"), reservedWhileDisconnected());
        assertThat(run("savedstate", "show", file.toString())).isZero();
        final String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text)
                .contains("format_version: 1")
                .contains("phase: DISCONNECTED")
                .contains("state: OPEN_RESERVED")
                .contains("name: kdnet-nic")
                .contains("reserved: WIN10(4.0) target vp 1 sint 2")
                .contains("state: ACCEPTED")
                .contains("UnloadComplete");
    }

    @Test
    void shouldPrintTheSavedStateAsJson() throws Exception {
        final Path file = Files.write(dir.resolve("state.bin"), reservedWhileDisconnected());
        assertThat(run("savedstate", "show", "--json", file.toString())).isZero();
        final JsonNode json = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(json.path("connection").path("phase").asText()).isEqualTo("DISCONNECTED");
        assertThat(json.path("channels").get(0).path("state").asText()).isEqualTo("OPEN_RESERVED");
        assertThat(json.path("channels").get(0).path("channel_id").asInt()).isEqualTo(1);
        assertThat(json.path("gpadls").get(0).path("gpadl_id").asText()).isEqualTo("10");
    }

    @Test
    void shouldReportATypedErrorForACorruptBlob() throws Exception {
        final byte[] blob = reservedWhileDisconnected();
        blob[blob.length - 1] ^= 1;
        final Path file = Files.write(dir.resolve("corrupt.bin"), blob);
        assertThat(run("savedstate", "show", file.toString())).isEqualTo(SavedStateCommand.INVALID);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("CHECKSUM_MISMATCH");
        assertThat(run("savedstate", "show", dir.resolve("missing.bin").toString()))
                .isEqualTo(SavedStateCommand.UNREADABLE);
    }
}
