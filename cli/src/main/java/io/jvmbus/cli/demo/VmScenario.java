package io.jvmbus.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.client.GuestChannel;
import io.jvmbus.client.GuestClient;
import io.jvmbus.client.GuestException;
import io.jvmbus.client.GuestOptions;
import io.jvmbus.client.GuestRam;
import io.jvmbus.client.OpenOptions;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One VM's story, played by the VMM the demo is: its guest RAM file, its session on the host transport, the firmware
 * and OS guests (the client library), and the host debugger on the debug channel's socket. The demo calls the stages
 * in order; each prints its steps and records its checks, and throws {@link DemoException} (or the client's {@code
 * GuestException}) when the story cannot go on.
 */
final class VmScenario implements AutoCloseable {

    /** The debug channel's interface: the demo's kernel-debugger transport (a pipe device on the host). */
    static final Guid DEBUG_INTERFACE = Guid.parse("8f0f7a4e-3b1c-4d2e-9a55-6d0b1c2e3f40");
    /** The debug channel's instance. */
    static final Guid DEBUG_INSTANCE = Guid.parse("d0d0d0d0-0000-0000-0000-000000000001");
    /** The echo channel's interface (the one {@code docs/serve.md} uses). */
    static final Guid ECHO_INTERFACE = Guid.parse("a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01");
    /** The echo channel's instance. */
    static final Guid ECHO_INSTANCE = Guid.parse("11111111-0000-0000-0000-000000000001");
    /** The OS client's id in its Copper INITIATE_CONTACT. */
    static final Guid OS_CLIENT_ID = Guid.parse("0515c11e-0000-4000-8000-00000000cafe");

    /** The reserved channel's control messages go to this VP and SINT. */
    static final int DEBUG_VP = 0;

    static final int DEBUG_SINT = ConnectionIds.VMBUS_SINT;

    private static final int RAM_PAGES = 512;
    private static final int VP_COUNT = 2;
    private static final int ECHO_PACKETS = 64;
    private static final int HELD_BYTES = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counters the summary adds up. */
    static final class Tally {
        final AtomicLong messagesToHost = new AtomicLong();
        final AtomicLong messagesToGuest = new AtomicLong();
        final AtomicLong echoPackets = new AtomicLong();
        final AtomicLong echoBytes = new AtomicLong();
        final AtomicLong debugBytes = new AtomicLong();
        volatile long savedStateBytes = -1;
        volatile long blackoutNanos = -1;
    }

    private final String vm;
    private final Path dir;
    private final Timeline timeline;
    private final Checks checks;
    private final Duration timeout;
    private final Tally tally = new Tally();
    private final Path endpoint;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    private GuestRam ram;
    private SocketGuestTransport socket;
    private TracingTransport tracing;
    private GuestClient firmware;
    private GuestChannel firmwareDebug;
    private Debugger debugger;
    private byte[] held;
    private long saveSentNanos;
    private long savedNanos;
    private long releasedNanos;
    private byte[] saved;

    VmScenario(final String vm, final Path dir, final Timeline timeline, final Checks checks, final Duration timeout) {
        this.vm = vm;
        this.dir = dir;
        this.timeline = timeline;
        this.checks = checks;
        this.timeout = timeout;
        this.endpoint = dir.resolve(vm + "-debug.sock");
    }

    String vm() {
        return vm;
    }

    Tally tally() {
        return tally;
    }

    // ---- the VMM ------------------------------------------------------------------------------------------------

    /** Creates the guest RAM file, attaches to the first server and offers the VM's devices. */
    void attach(final Path serverSocket, final String serverName) {
        ram = GuestRam.create(dir.resolve(vm + ".ram"), RAM_PAGES, true);
        toClose.add(ram);
        step(
                "vmm",
                "guest RAM: " + ram.file().getFileName() + ", " + (ram.size() >> 20) + " MiB, mapped shared ("
                        + ram.file().getParent() + ")");
        connect(serverSocket, serverName, "firmware");
        offerDevices("devices offered");
    }

    private void connect(final Path serverSocket, final String serverName, final String actor) {
        socket = SocketGuestTransport.connect(serverSocket, ram, VP_COUNT, vm, timeout);
        toClose.add(socket);
        tracing = new TracingTransport(socket, timeline, vm, actor, tally.messagesToHost, tally.messagesToGuest);
        step(
                "vmm",
                "attached to " + serverName + ": HELLO with the RAM file, " + VP_COUNT + " VPs -> HELLO_OK (up to "
                        + ProtocolVersion.of(socket.hello().maxVersion())
                                .map(ProtocolVersion::text)
                                .orElse("?") + ", features 0x"
                        + Integer.toHexString(socket.hello().featureFlags())
                        + ")");
    }

    private void offerDevices(final String checkName) {
        final String debug = control("{\"op\":\"offer\",\"name\":\"debug\",\"device\":\"pipe\",\"interface\":\""
                + DEBUG_INTERFACE + "\",\"instance\":\"" + DEBUG_INSTANCE + "\",\"endpoint\":\"unix:" + endpoint
                + "\"}");
        final String echo = control("{\"op\":\"offer\",\"name\":\"echo0\",\"device\":\"echo\",\"interface\":\""
                + ECHO_INTERFACE + "\",\"instance\":\"" + ECHO_INSTANCE + "\"}");
        final boolean ok = debug.contains("\"ok\":true") && echo.contains("\"ok\":true");
        step("vmm", "offered 'debug' (pipe, host end unix:" + endpoint.getFileName() + ") and 'echo0' (echo)");
        check(checkName, ok, "debug: " + debug + ", echo0: " + echo);
    }

    // ---- firmware ---------------------------------------------------------------------------------------------

    /** Firmware: Win10, the reserved debug channel, a byte exchange with the debugger, UNLOAD. */
    void firmwareStage() {
        firmware = new GuestClient(tracing, ram, GuestOptions.uefi());
        tracing.client(firmware);
        final GuestClient.Connection c = firmware.connect(timeout);
        step(
                "firmware",
                "connected: VMBus " + c.version().text() + " (Win10) on connection id " + c.messageConnectionId());
        check("firmware negotiates Win10", c.version() == ProtocolVersion.WIN10, "version " + c.version());

        final List<OfferChannel> offers = firmware.requestOffers(timeout);
        step("firmware", "offers: " + describe(offers));
        final OfferChannel debugOffer = find(offers, DEBUG_INTERFACE);
        check("firmware is offered the debug channel", debugOffer != null, "offers " + describe(offers));
        if (debugOffer == null) {
            throw new DemoException("no debug channel offered to the firmware");
        }
        firmwareDebug = firmware.openReserved(debugOffer, OpenOptions.rings(2, 2), DEBUG_VP, DEBUG_SINT, timeout);
        step(
                "firmware",
                "opened reserved channel 'debug' (relid " + firmwareDebug.channelId() + ", ring gpadl 0x"
                        + Integer.toHexString(firmwareDebug.ringGpadl().gpadlId()) + ", 2+2 pages, target vp "
                        + DEBUG_VP + " sint " + DEBUG_SINT + ")");

        debugger = Debugger.connect(endpoint);
        step("debugger", "connected to the debug channel's host end unix:" + endpoint.getFileName());
        final byte[] hello = "KDNET firmware stub ready: build 26100, 2 VPs".getBytes(StandardCharsets.US_ASCII);
        PipeStream.send(firmwareDebug, hello, timeout);
        final byte[] atDebugger = debugger.read(hello.length, timeout);
        tally.debugBytes.addAndGet(hello.length);
        step("firmware", "sent " + hello.length + " bytes on 'debug': \"" + ascii(hello) + "\"");
        check("debugger receives the firmware's bytes", Arrays.equals(hello, atDebugger), "got " + ascii(atDebugger));
        final byte[] breakIn = "break-in: list boot modules".getBytes(StandardCharsets.US_ASCII);
        debugger.write(breakIn);
        final byte[] atFirmware = PipeStream.receive(firmwareDebug, breakIn.length, timeout);
        tally.debugBytes.addAndGet(breakIn.length);
        step("debugger", "sent " + breakIn.length + " bytes: \"" + ascii(breakIn) + "\"; the firmware read them");
        check("firmware receives the debugger's bytes", Arrays.equals(breakIn, atFirmware), "got " + ascii(atFirmware));

        firmware.unload(timeout);
        final JsonNode state = inspect();
        final JsonNode debug = channel(state, "debug");
        step(
                "firmware",
                "unloaded (UNLOAD -> UNLOAD_COMPLETE); connection "
                        + state.path("connection").path("state").asText() + ", 'debug' stays "
                        + debug.path("state").asText());
        check(
                "reserved channel survives the firmware's UNLOAD",
                "disconnected".equals(state.path("connection").path("state").asText())
                        && debug.path("state").asText().contains("reserved"),
                "inspect after UNLOAD: " + state);
    }

    /** In the disconnected window: the debugger sends bytes that wait in the debug channel's ring. */
    void beforeServicing() {
        held = new byte[HELD_BYTES];
        new Random(vm.hashCode()).nextBytes(held);
        final JsonNode before = channel(inspect(), "debug").path("pipe");
        final long toGuestBefore = before.path("bytes_to_guest").asLong();
        debugger.write(held);
        // The pipe device copies them into the host->guest ring; wait until all are there, none left in the process.
        final long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode pipe;
        while (true) {
            pipe = channel(inspect(), "debug").path("pipe");
            if (pipe.path("bytes_to_guest").asLong() - toGuestBefore >= held.length
                    && pipe.path("queued_to_guest").asLong() == 0) {
                break;
            }
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        final long inRing = pipe.path("bytes_to_guest").asLong() - toGuestBefore;
        tally.debugBytes.addAndGet(held.length);
        step(
                "debugger",
                "sent " + held.length + " bytes while no guest is connected; the host put " + inRing
                        + " of them in the debug channel's ring, for the OS to read");
        check(
                "debugger's bytes wait in the ring, not in the process",
                inRing == held.length && pipe.path("queued_to_guest").asLong() == 0,
                "pipe counters " + pipe);
    }

    // ---- servicing ----------------------------------------------------------------------------------------------

    /** The VMM pauses the VM and sends SAVE; it then leaves the old process (closes the session). */
    void save() {
        step("vmm", "VM paused; SAVE");
        saveSentNanos = System.nanoTime();
        saved = socket.save();
        savedNanos = System.nanoTime();
        tally.savedStateBytes = saved.length;
        step("vmm", "SAVED: " + saved.length + " bytes of saved state; the old session is closed");
        socket.close();
        firmware.close();
    }

    /**
     * The old process let go of the debug channel's host end (at SAVE, or when the session closed): the debugger's
     * connection ends, and the path is free for the new process to bind.
     */
    void debuggerSeesOldSessionGo() {
        debugger.awaitClosedByHost(timeout);
        debugger.close();
        releasedNanos = System.nanoTime();
        step("debugger", "connection closed: the old process let go of the debug channel's host end");
    }

    /** Attaches to the new server with the same RAM file, offers the same devices, RESTORE, resume. */
    void restore(final Path serverSocket, final String serverName) {
        connect(serverSocket, serverName, "os");
        offerDevices("devices offered to the new process");
        final long restoreSent = System.nanoTime();
        socket.restore(saved);
        final long restored = System.nanoTime();
        tally.blackoutNanos = restored - saveSentNanos;
        step(
                "vmm",
                String.format(
                        Locale.ROOT,
                        "RESTORED; VM resumed. Blackout %.1f ms (SAVE %.1f, old endpoint released %.1f, HELLO and offers"
                                + " %.1f, RESTORE %.1f)",
                        ms(tally.blackoutNanos),
                        ms(savedNanos - saveSentNanos),
                        ms(releasedNanos - savedNanos),
                        ms(restoreSent - releasedNanos),
                        ms(restored - restoreSent)));
        final JsonNode state = inspect();
        final JsonNode debug = channel(state, "debug");
        check(
                "reserved channel restored open",
                debug.path("state").asText().contains("reserved"),
                "inspect after RESTORE: " + state);
        debugger = Debugger.connect(endpoint);
        step("debugger", "reconnected to unix:" + endpoint.getFileName() + " (bound again by " + serverName + ")");
    }

    private static double ms(final long nanos) {
        return nanos / 1e6;
    }

    // ---- the OS -------------------------------------------------------------------------------------------------

    /**
     * The OS: connects (Copper, then Linux's fallback order), is not offered the reserved channel, optionally moves
     * data through an echo channel, takes over the debug channel, reads what the debugger sent before servicing,
     * answers, and closes the reserved channel.
     *
     * @param echo whether this client moves the echo data (without it, another guest does)
     */
    void osStage(final boolean echo) {
        final List<ProtocolVersion> order = new ArrayList<>();
        order.add(ProtocolVersion.COPPER);
        order.addAll(List.of(ProtocolVersion.linuxFallbackOrder()));
        final GuestClient os = new GuestClient(
                tracing, ram, GuestOptions.copper(OS_CLIENT_ID).withVersions(order.toArray(ProtocolVersion[]::new)));
        toClose.add(os);
        tracing.client(os);
        tracing.actor("os");
        final GuestClient.Connection c = os.connect(timeout);
        step(
                "os",
                "connected: VMBus " + c.version().text() + " (Copper), features 0x"
                        + Integer.toHexString(c.featureFlags()) + ", message connection id " + c.messageConnectionId()
                        + ", " + c.attempts().size() + " attempt(s)");
        check("OS negotiates Copper", c.version() == ProtocolVersion.COPPER, "version " + c.version());
        final List<OfferChannel> offers = os.requestOffers(timeout);
        final boolean debugHidden = find(offers, DEBUG_INTERFACE) == null;
        step(
                "os",
                "offers: " + describe(offers)
                        + (debugHidden ? " ('debug' is not offered: the firmware's reservation holds it)" : ""));
        check("OS is not offered the reserved channel", debugHidden, "offers " + describe(offers));

        if (echo) {
            echo(os, find(offers, ECHO_INTERFACE));
        }

        final GuestChannel debug = os.adoptReserved(firmwareDebug);
        step(
                "os",
                "took over reserved channel 'debug' (relid " + debug.channelId()
                        + ") from the firmware's rings in guest RAM");
        final byte[] got = PipeStream.receive(debug, held.length, timeout);
        step("os", "read " + got.length + " bytes the debugger sent before servicing");
        check(
                "debug bytes intact across servicing",
                Arrays.equals(held, got),
                "first difference at byte " + Arrays.mismatch(held, got));
        final byte[] reply = "KDNET kernel transport up: OS owns the debug channel".getBytes(StandardCharsets.US_ASCII);
        PipeStream.send(debug, reply, timeout);
        final byte[] atDebugger = debugger.read(reply.length, timeout);
        tally.debugBytes.addAndGet(reply.length);
        step("os", "sent " + reply.length + " bytes on 'debug'; the debugger received them through the new process");
        check("debug channel works after servicing", Arrays.equals(reply, atDebugger), "got " + ascii(atDebugger));

        os.closeReserved(debug, DEBUG_VP, DEBUG_SINT, timeout);
        step("os", "closed reserved channel 'debug' (CLOSE_RESERVED_CHANNEL -> CLOSE_RESERVED_CHANNEL_RESPONSE)");
        OfferChannel again;
        try {
            again = os.awaitOffer(DEBUG_INTERFACE, DEBUG_INSTANCE, timeout);
            step("os", "the host offered 'debug' to the OS as a normal channel (relid " + again.channelId() + ")");
        } catch (final GuestException e) {
            again = null;
        }
        check("released debug channel offered to the OS", again != null, "no offer: " + describe(os.offers()));

        os.unload(timeout);
        step("os", "unloaded (UNLOAD -> UNLOAD_COMPLETE)");
        check(
                "no protocol errors seen by the guests",
                os.protocolErrors().isEmpty() && firmware.protocolErrors().isEmpty(),
                "os " + os.protocolErrors() + ", firmware " + firmware.protocolErrors());
        check("no transport errors", socket.errors().isEmpty(), String.valueOf(socket.errors()));
    }

    private void echo(final GuestClient os, final OfferChannel offer) {
        check("OS is offered the echo channel", offer != null, "no echo0 offer");
        if (offer == null) {
            throw new DemoException("no echo channel offered to the OS");
        }
        final GuestChannel ch = os.open(offer, OpenOptions.rings(4, 4), timeout);
        step(
                "os",
                "opened 'echo0' (relid " + ch.channelId() + ", ring gpadl "
                        + ch.ringGpadl().gpadlId() + ", 4+4 pages, target vp 0)");
        final Random r = new Random(42 + vm.hashCode());
        long bytes = 0;
        int intact = 0;
        for (int i = 1; i <= ECHO_PACKETS; i++) {
            final byte[] payload = new byte[1 + r.nextInt(4000)];
            r.nextBytes(payload);
            ch.send(i, false, payload, timeout);
            final GuestChannel.Packet p = ch.receive(timeout);
            if (p.transactionId() == i && echoes(payload, p.payload())) {
                intact++;
            }
            bytes += payload.length;
        }
        tally.echoPackets.addAndGet(ECHO_PACKETS);
        tally.echoBytes.addAndGet(2 * bytes);
        step("os", "echoed " + ECHO_PACKETS + " packets (" + bytes + " bytes each way), " + intact + " intact");
        check("echo data intact", intact == ECHO_PACKETS, intact + " of " + ECHO_PACKETS + " echoes intact");
        os.close(ch, timeout);
        step("os", "closed 'echo0' (CLOSECHANNEL, GPADL_TEARDOWN -> GPADL_TORNDOWN)");
    }

    /** An echo carries the payload padded with zeros to a multiple of 8 bytes (the descriptor counts 8-byte units). */
    private static boolean echoes(final byte[] sent, final byte[] got) {
        if (got.length != ((sent.length + 7) & ~7)) {
            return false;
        }
        for (int i = 0; i < got.length; i++) {
            if (got[i] != (i < sent.length ? sent[i] : 0)) {
                return false;
            }
        }
        return true;
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private String control(final String json) {
        return socket.control(json);
    }

    private JsonNode inspect() {
        try {
            return JSON.readTree(control("{\"op\":\"inspect\"}")).path("state");
        } catch (final IOException e) {
            throw new DemoException("inspect answer is not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode channel(final JsonNode state, final String name) {
        for (final JsonNode c : state.path("channels")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        return JSON.createObjectNode();
    }

    private static OfferChannel find(final List<OfferChannel> offers, final Guid iface) {
        return offers.stream()
                .filter(o -> o.interfaceId().equals(iface))
                .findFirst()
                .orElse(null);
    }

    private static String describe(final List<OfferChannel> offers) {
        final List<String> parts = new ArrayList<>();
        for (final OfferChannel o : offers) {
            final String name = o.interfaceId().equals(DEBUG_INTERFACE)
                    ? "'debug'"
                    : o.interfaceId().equals(ECHO_INTERFACE)
                            ? "'echo0'"
                            : o.interfaceId().toString();
            parts.add(name + " relid " + o.channelId());
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private static String ascii(final byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private void step(final String actor, final String what) {
        timeline.step(vm, actor, what);
    }

    private void check(final String name, final boolean ok, final String detail) {
        checks.check(vm, name, ok, detail);
    }

    @Override
    public void close() {
        if (debugger != null) {
            debugger.close();
        }
        if (firmware != null) {
            firmware.close();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (final Exception e) {
                // cleanup goes on
            }
        }
    }
}
