package io.jvmbus.host.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.GuestMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The echo device's own saved state: the one echo that waits for room, byte for byte, and typed refusals. */
class EchoDeviceStateTest {

    /** A port that refuses to be used: restoring and saving state must not touch the channel. */
    private static final class UnusedPort implements ChannelPort {
        @Override
        public String name() {
            return "e";
        }

        @Override
        public GuestMemory memory() {
            throw new AssertionError("memory");
        }

        @Override
        public void completeOpen(final int status) {
            throw new AssertionError("open");
        }

        @Override
        public void completeClose() {
            throw new AssertionError("close");
        }

        @Override
        public void completeGpadl(final int gpadlId, final int status) {
            throw new AssertionError("gpadl");
        }

        @Override
        public void completeTeardown(final int gpadlId) {
            throw new AssertionError("teardown");
        }

        @Override
        public void completeModify(final int status) {
            throw new AssertionError("modify");
        }

        @Override
        public void signalGuest(final int vp, final int eventFlag) {
            throw new AssertionError("signal");
        }

        @Override
        public void routeSignals(final int connectionId) {}

        @Override
        public void event(final ObjectNode event) {
            throw new AssertionError("event");
        }

        @Override
        public void warn(final String message) {}
    }

    private static byte[] state(final int version, final int length, final long transactionId, final int bytes) {
        final ByteBuffer b = ByteBuffer.allocate(16 + bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(version).putInt(length).putLong(transactionId);
        for (int i = 0; i < bytes; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    @Test
    void shouldSaveNothingWithoutAWaitingEchoAndCarryAWaitingEchoAcrossANewDevice() {
        assertThat(new EchoDevice(new UnusedPort()).saveState()).isEmpty();
        final byte[] saved = state(1, 24, 0x1122334455667788L, 24);

        final EchoDevice restored = new EchoDevice(new UnusedPort());
        restored.prepareRestore(saved).run();

        assertThat(restored.saveState()).isEqualTo(saved);
    }

    @Test
    void shouldRefuseTruncatedNewerOrInconsistentStatesAndStayEmpty() {
        final EchoDevice d = new EchoDevice(new UnusedPort());
        final byte[] good = state(1, 16, 5, 16);
        for (int n = 1; n < good.length; n++) {
            final byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> d.prepareRestore(cut))
                    .as("truncated to %d bytes", n)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> d.prepareRestore(state(2, 16, 5, 16)))
                .hasMessage("echo state version 2 (expected: 1)");
        assertThatThrownBy(() -> d.prepareRestore(state(1, 12, 5, 12))).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> d.prepareRestore(state(1, 0x7FFFFFF8, 5, 16))).hasMessageContaining("exactly");
        assertThat(d.saveState()).isEmpty();
    }
}
