package io.jvmbus.host.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.transport.DecodeOutcome;
import io.jvmbus.protocol.transport.FrameKind;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.protocol.transport.TransportError;
import io.jvmbus.protocol.transport.VmmFrame;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.testkit.transport.GuestMessages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random action sequences against one session engine with the real core, real devices and real guest RAM:
 * plausible and hostile guest messages, VMM frames in and out of order, CONTROL requests and resets. After every
 * step: nothing escaped, every request got exactly one answer of its kind (or ERROR), and never were two
 * DELIVER_MESSAGEs outstanding. The failing seed and step are printed.
 */
@Timeout(120)
class SessionEngineRandomTest {

    private static final int RAM_PAGES = 256;
    private static final String[] KINDS = {"echo", "manual"};
    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int[] VERSIONS = {
        0x00050003, 0x00050000, 0x00040001, 0x00040000, 0x00030000, 0x00020004, 0x00060000, 0x00070000
    };

    @TempDir
    Path dir;

    @Test
    void shouldAnswerEveryRequestOnceAndKeepOneDeliveryOutstandingUnderRandomInput() throws IOException {
        final Path ram = dir.resolve("ram");
        try (RandomAccessFile f = new RandomAccessFile(ram.toFile(), "rw")) {
            f.setLength((long) RAM_PAGES * 4096);
        }
        final SessionEnvironment env =
                new SessionEnvironment(ConfigFile.EMPTY, MappedFileRam::map, ServerConfig.defaults());
        for (long seed = 1; seed <= 40; seed++) {
            run(seed, env, ram);
        }
    }

    private void run(final long seed, final SessionEnvironment env, final Path ram) {
        final SplittableRandom r = new SplittableRandom(seed);
        final List<ServerFrame> out = new ArrayList<>();
        final List<String> trail = new ArrayList<>();
        try (SessionEngine engine = new SessionEngine(seed, env, out::add, ForeignInspector.NONE)) {
            engine.handle(new DecodeOutcome.Decoded(
                    new VmmFrame.Hello(1, 4, (long) RAM_PAGES * 4096, ram.toString(), "random-" + seed)));
            expectAnswers(seed, trail, out, FrameKind.HELLO_OK, 0);
            int outstanding = 0; // sequence of the unanswered DELIVER_MESSAGE, or 0
            int outstandingVp = 0;
            int outstandingSint = 0;
            boolean busy = false; // the last DELIVER_MESSAGE was answered busy and no matching slot free came yet
            int busyVp = -1;
            int busySint = -1;
            for (int step = 0; step < 300; step++) {
                final int before = out.size();
                final Action a = next(r);
                trail.add(a.name);
                if (trail.size() > 25) {
                    trail.remove(0); // the failure message shows the last 25 actions
                }
                final boolean slotFreeForBusy = busy
                        && a.frame instanceof VmmFrame.MessageSlotFree m
                        && m.vpIndex() == busyVp
                        && m.sint() == busySint;
                VmmFrame frame = a.frame;
                if (a.name.equals("deliver-result")) {
                    if (outstanding == 0) {
                        continue;
                    }
                    final int status = r.nextInt(10) < 8 ? 0 : 1;
                    frame = new VmmFrame.DeliverResult(outstanding, status);
                    busy = status == 1;
                    busyVp = outstandingVp;
                    busySint = outstandingSint;
                    outstanding = 0;
                }
                final boolean more;
                try {
                    more = engine.handle(new DecodeOutcome.Decoded(frame));
                } catch (final RuntimeException e) {
                    throw new AssertionError("seed " + seed + " step " + step + " " + trail + ": " + e, e);
                }
                assertThat(more)
                        .as("seed %d step %d: session ended", seed, step)
                        .isTrue();
                if (frame instanceof VmmFrame.Reset) {
                    outstanding = 0;
                    busy = false;
                }
                if (slotFreeForBusy) {
                    busy = false;
                }
                int answers = 0;
                for (final ServerFrame f : out.subList(before, out.size())) {
                    if (f instanceof ServerFrame.DeliverMessage d) {
                        if (outstanding != 0 || busy) {
                            fail(
                                    "seed %d step %d %s: DELIVER_MESSAGE %d while %s",
                                    seed,
                                    step,
                                    trail,
                                    d.sequence(),
                                    busy ? "waiting for a slot" : "sequence " + outstanding + " is outstanding");
                        }
                        outstanding = d.sequence();
                        outstandingVp = d.vpIndex();
                        outstandingSint = d.sint();
                    } else if ((f.kind().code() & 0x8000) != 0) {
                        answers++;
                        if (!(f instanceof ServerFrame.Error) && f.kind() != a.answer) {
                            fail("seed %d step %d %s: answered %s (expected: %s)", seed, step, trail, f, a.answer);
                        }
                        if (f instanceof ServerFrame.Error e && e.code() == TransportError.INTERNAL.code()) {
                            fail("seed %d step %d %s: %s", seed, step, trail, e);
                        }
                    }
                }
                assertThat(answers)
                        .as("seed %d step %d %s: answers", seed, step, trail)
                        .isEqualTo(a.answer == null ? 0 : 1);
                out.clear();
            }
        }
    }

    private static void expectAnswers(
            final long seed,
            final List<String> trail,
            final List<ServerFrame> out,
            final FrameKind kind,
            final int ignored) {
        assertThat(out).as("seed %d %s", seed, trail).anyMatch(f -> f.kind() == kind);
        out.clear();
    }

    private record Action(String name, VmmFrame frame, FrameKind answer) {}

    private static Action post(final String name, final int connectionId, final byte[] payload, final boolean trusted) {
        return new Action(
                name, new VmmFrame.PostMessage(connectionId, 0, 1, Blob.of(payload), trusted), FrameKind.POST_RESULT);
    }

    private static Action control(final String json) {
        return new Action(
                "control " + json,
                new VmmFrame.Control(Blob.of(json.getBytes(StandardCharsets.UTF_8))),
                FrameKind.CONTROL_RESULT);
    }

    private static Action next(final SplittableRandom r) {
        final int relid = 1 + r.nextInt(4);
        final int gpadl = 1 + r.nextInt(5);
        final int conn = r.nextInt(10) == 0 ? r.nextInt(8) : 1;
        return switch (r.nextInt(16)) {
            case 0 ->
                post(
                        "contact",
                        r.nextBoolean() ? 4 : 1,
                        GuestMessages.initiateContact(VERSIONS[r.nextInt(VERSIONS.length)], r.nextInt(4)),
                        r.nextInt(8) == 0);
            case 1 -> post("request-offers", conn, GuestMessages.requestOffers(), false);
            case 2 -> {
                final int pages = 2 + r.nextInt(8);
                yield post(
                        "gpadl " + gpadl,
                        conn,
                        GuestMessages.gpadlHeader(relid, gpadl, r.nextInt(RAM_PAGES + 4), pages),
                        false);
            }
            case 3 ->
                post(
                        "open " + relid,
                        conn,
                        GuestMessages.openChannel(relid, r.nextInt(), gpadl, r.nextInt(5), 1 + r.nextInt(6)),
                        false);
            case 4 ->
                post("close " + relid, conn, GuestMessages.relidMessage(GuestMessages.CLOSE_CHANNEL, relid), false);
            case 5 -> post("teardown " + gpadl, conn, GuestMessages.gpadlTeardown(relid, gpadl), false);
            case 6 ->
                post("release " + relid, conn, GuestMessages.relidMessage(GuestMessages.RELID_RELEASED, relid), false);
            case 7 -> post("modify " + relid, conn, GuestMessages.modifyChannel(relid, r.nextInt(5)), false);
            case 8 -> {
                final byte[] junk = new byte[r.nextInt(241)];
                r.nextBytes(junk);
                yield post("junk", conn, junk, r.nextBoolean());
            }
            case 9 -> new Action("deliver-result", null, null);
            case 10 ->
                new Action("slot-free", new VmmFrame.MessageSlotFree(r.nextInt(10) < 8 ? 0 : r.nextInt(3), 2), null);
            case 11 ->
                new Action("signal", new VmmFrame.SignalEvent(r.nextBoolean() ? 0x2000 + relid : r.nextInt(), 0), null);
            case 12 ->
                control("{\"op\":\"offer\",\"name\":\"d" + relid + "\",\"device\":\"" + KINDS[r.nextInt(2)]
                        + "\",\"interface\":\"" + IFACE + "\",\"instance\":\"11111111-0000-0000-0000-00000000000"
                        + r.nextInt(6) + "\"" + (r.nextInt(4) == 0 ? ",\"subchannels\":2" : "") + "}");
            case 13 -> control("{\"op\":\"revoke\",\"name\":\"d" + relid + "\"}");
            case 14 ->
                r.nextBoolean()
                        ? control("{\"op\":\"complete\",\"name\":\"d" + relid + "\",\"request\":\""
                                + new String[] {"open", "close", "gpadl", "teardown", "modify"}[r.nextInt(5)]
                                + "\",\"status\":" + (r.nextBoolean() ? 0 : 3221225473L) + ",\"gpadl\":" + gpadl + "}")
                        : control("{\"op\":\"inspect\"}");
            default ->
                r.nextInt(6) == 0
                        ? new Action("reset", new VmmFrame.Reset(), FrameKind.RESET_DONE)
                        : new Action("stray-result", new VmmFrame.DeliverResult(r.nextInt(), 0), FrameKind.ERROR);
        };
    }
}
