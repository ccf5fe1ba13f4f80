package io.jvmbus.client;

import static io.jvmbus.client.GuestFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.testkit.wire.GuestMessages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileHostTest {

    private static byte[] message(final int type, final int size) {
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        return b.array();
    }

    @Test
    void shouldRecordUndecodableAndUnexpectedHostMessagesWithoutThrowing() {
        try (GuestFixture f = GuestFixture.linux()) {
            f.connectWithDevices(1);
            f.client.handleMessage(0, 2, 1, new byte[3]); // shorter than a header
            f.client.handleMessage(0, 2, 1, message(99, 8)); // unknown type
            f.client.handleMessage(0, 2, 1, message(1, 40)); // OFFERCHANNEL too short
            f.client.handleMessage(0, 2, 1, GuestMessages.requestOffers()); // a guest->host message
            f.client.handleMessage(0, 2, 7, message(15, 16)); // not a VMBus SynIC message type
            final ByteBuffer rescind = ByteBuffer.wrap(message(2, 12)).order(ByteOrder.LITTLE_ENDIAN);
            rescind.putInt(8, 1999); // rescind of a channel never offered
            f.client.handleMessage(0, 2, 1, rescind.array());
            f.client.handleMessage(0, 2, 1, message(15, 16)); // VERSION_RESPONSE while connected

            assertThat(f.client.protocolErrors()).hasSize(7);
            assertThat(f.client.phase()).isEqualTo(GuestClient.Phase.CONNECTED);
            // the connection still works
            final int relid = f.client.offers().getFirst().channelId();
            assertThat(f.client.createGpadl(relid, f.ram.allocate(2), TIMEOUT).gpadlId())
                    .isEqualTo(0xE1E10);
        }
    }

    @Test
    void shouldSurviveRandomHostMessages() {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        try (GuestFixture f = GuestFixture.linux()) {
            f.connectWithDevices(1);
            for (int i = 0; i < 5000; i++) {
                final byte[] m = new byte[random.nextInt(241)];
                random.nextBytes(m);
                if (m.length >= 4 && random.nextBoolean()) {
                    m[0] = (byte) random.nextInt(26);
                    m[1] = m[2] = m[3] = 0;
                }
                f.client.handleMessage(0, 2, 1, m);
            }
            assertThat(f.client.protocolErrors()).as("seed %d", seed).isNotEmpty();
        }
    }
}
