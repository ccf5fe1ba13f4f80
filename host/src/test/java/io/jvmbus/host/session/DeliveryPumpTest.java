package io.jvmbus.host.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.transport.ServerFrame;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeliveryPumpTest {

    /** A queue with the core's discipline: peek the head, remove it only once delivered. */
    static final class Queue implements DeliveryPump.Source {
        final ArrayDeque<OutgoingMessage> messages = new ArrayDeque<>();

        @Override
        public OutgoingMessage peek() {
            return messages.peek();
        }

        @Override
        public void delivered(final OutgoingMessage message) {
            assertThat(messages.poll()).as("delivered message is the head").isSameAs(message);
        }
    }

    private final Queue queue = new Queue();
    private final ArrayDeque<OutgoingMessage> source = queue.messages;
    private final List<ServerFrame.DeliverMessage> sent = new ArrayList<>();
    private final DeliveryPump pump = new DeliveryPump(queue, sent::add);

    private static OutgoingMessage msg(final int vp, final int n) {
        return new OutgoingMessage(n, vp, 2, 0, 1, Blob.of(new byte[] {(byte) n, 0, 0, 0, 0, 0, 0, 0}));
    }

    private static int number(final ServerFrame.DeliverMessage m) {
        return m.payload().get(0);
    }

    private ServerFrame.DeliverMessage last() {
        return sent.get(sent.size() - 1);
    }

    @Test
    void shouldKeepAtMostOneMessageOutstanding() {
        source.add(msg(0, 1));
        source.add(msg(0, 2));
        source.add(msg(0, 3));
        pump.pump();
        pump.pump();
        assertThat(sent).hasSize(1);
        assertThat(pump.state()).isEqualTo(DeliveryPump.State.OUTSTANDING);
        assertThat(pump.onDeliverResult(last().sequence(), 0)).isEqualTo(DeliveryPump.ResultOutcome.ACCEPTED);
        assertThat(sent).hasSize(2);
        assertThat(number(last())).isEqualTo(2);
        assertThat(source).hasSize(2); // the one in flight and the rest stay in the core's queue
    }

    @Test
    void shouldResendBusyMessageOnlyAfterSlotFreeForItsVpAndSint() {
        source.add(msg(1, 1));
        source.add(msg(1, 2));
        pump.pump();
        final int seq = last().sequence();
        assertThat(pump.onDeliverResult(seq, 1)).isEqualTo(DeliveryPump.ResultOutcome.ACCEPTED);
        assertThat(pump.state()).isEqualTo(DeliveryPump.State.SLOT_BUSY);
        pump.pump();
        assertThat(sent).hasSize(1);
        assertThat(pump.onSlotFree(0, 2)).isFalse(); // another vp
        assertThat(pump.onSlotFree(1, 3)).isFalse(); // another sint
        assertThat(sent).hasSize(1);
        assertThat(pump.onSlotFree(1, 2)).isTrue();
        assertThat(sent).hasSize(2);
        assertThat(number(last())).isEqualTo(1);
        assertThat(last().sequence()).isNotEqualTo(seq);
        assertThat(pump.onSlotFree(1, 2)).isFalse(); // nothing waits now: a stray free is ignored
        assertThat(sent).hasSize(2);
    }

    @Test
    void shouldRefuseResultsForOtherSequencesOrUnknownStatusWithoutChange() {
        source.add(msg(0, 1));
        pump.pump();
        final int seq = last().sequence();
        assertThat(pump.onDeliverResult(seq + 1, 0)).isEqualTo(DeliveryPump.ResultOutcome.UNEXPECTED_SEQUENCE);
        assertThat(pump.onDeliverResult(seq, 2)).isEqualTo(DeliveryPump.ResultOutcome.UNKNOWN_STATUS);
        assertThat(pump.state()).isEqualTo(DeliveryPump.State.OUTSTANDING);
        assertThat(pump.onDeliverResult(seq, 0)).isEqualTo(DeliveryPump.ResultOutcome.ACCEPTED);
        assertThat(pump.onDeliverResult(seq, 0)).isEqualTo(DeliveryPump.ResultOutcome.UNEXPECTED_SEQUENCE);
    }

    @Test
    void shouldDropEverythingAtResetAndIgnoreTheLateResult() {
        source.add(msg(0, 1));
        pump.pump();
        final int seq = last().sequence();
        pump.reset();
        assertThat(pump.state()).isEqualTo(DeliveryPump.State.IDLE);
        assertThat(pump.onDeliverResult(seq, 0)).isEqualTo(DeliveryPump.ResultOutcome.IGNORED_AFTER_RESET);
        assertThat(pump.onDeliverResult(seq, 0)).isEqualTo(DeliveryPump.ResultOutcome.UNEXPECTED_SEQUENCE);
    }

    /**
     * A random VMM (delivers, answers busy, frees slots, sends stray frees) and a random producer: every message
     * arrives exactly once, in order, and never two are outstanding.
     */
    @Test
    void shouldDeliverEveryMessageOnceInOrderUnderRandomVmmBehaviour() {
        for (long seed = 1; seed <= 200; seed++) {
            final SplittableRandom r = new SplittableRandom(seed);
            final Queue qq = new Queue();
            final ArrayDeque<OutgoingMessage> q = qq.messages;
            final List<ServerFrame.DeliverMessage> wire = new ArrayList<>();
            final DeliveryPump p = new DeliveryPump(qq, wire::add);
            final List<Integer> delivered = new ArrayList<>();
            int produced = 0;
            int answered = 0;
            boolean slotBusy = false; // the guest's slot holds an unconsumed message
            for (int step = 0; step < 400; step++) {
                final int action = r.nextInt(4);
                if (action == 0 && produced < 120) {
                    q.add(msg(0, produced++));
                    p.pump();
                } else if (action == 1 && answered < wire.size()) {
                    final ServerFrame.DeliverMessage m = wire.get(answered++);
                    if (slotBusy) {
                        p.onDeliverResult(m.sequence(), 1);
                    } else {
                        delivered.add(number(m));
                        slotBusy = true;
                        p.onDeliverResult(m.sequence(), 0);
                    }
                } else if (action == 2 && slotBusy) {
                    slotBusy = false; // the guest consumed: EOM
                    p.onSlotFree(0, 2);
                } else if (action == 3) {
                    p.onSlotFree(r.nextInt(2), 2); // strays
                }
                assertThat(wire.size() - answered)
                        .as("seed %d: outstanding", seed)
                        .isLessThanOrEqualTo(1);
            }
            for (int i = 0; i < delivered.size(); i++) {
                assertThat(delivered.get(i)).as("seed %d: message %d", seed, i).isEqualTo(i);
            }
        }
    }
}
