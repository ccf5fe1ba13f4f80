package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.host.session.SessionStateCodec;
import io.jvmbus.testkit.process.ServeProcess;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code serve --save-to DIR} under SIGKILL: a serve process writing large saved states (many channels) is killed
 * right after the VMM saw N SAVED answers, with a random number of further SAVEs in flight. The file must then always
 * be a complete state with a valid checksum, byte for byte what it held before this process or this process's state,
 * never a mix or a part. No sleeps: the kill follows the observed answers.
 */
@Timeout(300)
class SaveToCrashTest {

    private static final String IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int ROUNDS = 4;

    @TempDir
    Path dir;

    @Test
    void shouldAlwaysLeaveThePreviousOrTheNewCompleteStateWhenKilledWhileWriting() throws Exception {
        final long seed = new Random().nextLong();
        final Random random = new Random(seed);
        final Path saves = dir.resolve("saved");
        final Path file = saves.resolve("crashy" + ".jvmbus-saved");
        final List<byte[]> answered = new ArrayList<>();
        byte[] previousOnDisk = null; // what the file held after the last round
        for (int round = 0; round < ROUNDS; round++) {
            final int channels = 600 + 150 * round; // each round's state differs from the last
            final int observe = 1 + random.nextInt(4);
            final int extra = random.nextInt(4);
            final ServeProcess serve =
                    ServeProcess.start(dir.resolve("s" + round + ".sock"), dir, "--save-to", saves.toString());
            try (TestVmm vmm = TestVmm.connect(serve.socket(), Duration.ofSeconds(10))) {
                vmm.hello("crashy");
                offerPipelined(vmm, channels, round);
                for (int i = 0; i < observe + extra; i++) {
                    vmm.send(TestVmm.SAVE, new byte[0]);
                }
                for (int i = 0; i < observe; i++) {
                    final TestVmm.Frame saved = vmm.read(Duration.ofSeconds(60));
                    assertThat(saved.kind())
                            .as("seed %d: answer %s", seed, saved)
                            .isEqualTo(TestVmm.SAVED);
                    if (i == 0) {
                        answered.add(saved.body());
                    } else {
                        assertThat(saved.body())
                                .as("seed %d: SAVEs of one unchanged session are equal", seed)
                                .isEqualTo(answered.getLast());
                    }
                }
                serve.kill(); // while the extra SAVEs (and the writes of the observed ones) may be under way
            } finally {
                serve.close();
            }
            if (!Files.exists(file)) {
                assertThat(previousOnDisk)
                        .as("seed %d round %d: a file once written never disappears", seed, round)
                        .isNull();
                continue;
            }
            final byte[] onDisk = Files.readAllBytes(file);
            assertThat(SessionStateCodec.decode(onDisk))
                    .as("seed %d round %d: %d bytes on disk", seed, round, onDisk.length)
                    .isInstanceOf(SessionStateCodec.Decoded.Ok.class);
            assertThat(answered)
                    .as("seed %d round %d: the file is one of the states the server answered", seed, round)
                    .anyMatch(b -> Arrays.equals(b, onDisk));
            // the SAVED frame goes out before the file is written, so a kill may come before this round's write
            // finished: then the file is exactly what it was after the last round
            final byte[] before = previousOnDisk;
            assertThat(Arrays.equals(onDisk, answered.getLast()) || before != null && Arrays.equals(onDisk, before))
                    .as("seed %d round %d: the previous file or the new state", seed, round)
                    .isTrue();
            previousOnDisk = onDisk;
        }
        // the reader side checks the checksum too: show accepts the file and refuses a corrupted copy
        if (Files.exists(file)) {
            assertThat(show(file)).isZero();
            final byte[] corrupt = Files.readAllBytes(file);
            corrupt[corrupt.length / 2] ^= 0x10;
            final Path bad = Files.write(dir.resolve("bad.jvmbus-saved"), corrupt);
            assertThat(show(bad)).isEqualTo(SavedStateCommand.INVALID);
        }
    }

    private static int show(final Path file) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        return cli.execute("savedstate", "show", file.toString());
    }

    /** Offers many echo channels with full user-defined bytes, all requests first, then all answers. */
    private static void offerPipelined(final TestVmm vmm, final int channels, final int round) throws IOException {
        final String user = HexFormat.of().formatHex(new byte[120]).replace('0', '7');
        for (int i = 0; i < channels; i++) {
            final String json = "{\"op\":\"offer\",\"name\":\"c" + i + "\",\"device\":\"echo\",\"interface\":\"" + IFACE
                    + "\",\"instance\":\"" + String.format("%08x-0000-0000-0000-%012x", round, i)
                    + "\",\"user_defined\":\"" + user + "\"}";
            vmm.send(TestVmm.CONTROL, json.getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < channels; i++) {
            final TestVmm.Frame f = vmm.read(Duration.ofSeconds(60));
            assertThat(f.kind()).isEqualTo(TestVmm.CONTROL_RESULT);
            assertThat(f.text()).as("offer %d", i).contains("\"ok\":true");
        }
    }
}
