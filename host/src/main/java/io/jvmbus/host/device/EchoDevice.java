package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.ring.PacketType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code echo} device: accepts every open, GPADL and modify; for each in-band packet the guest writes, writes one
 * in-band packet with the same payload (padding included, as the guest wrote it) and transaction id back. Other
 * packet types are consumed and dropped.
 *
 * <p>Ring rules (the memory module implements them; this class drives them): packets are read until the ring is
 * empty, then the read index is published and the guest signalled if it waits for space ({@code pending_send_sz});
 * echoes are published once per batch and the guest signalled if its ring was empty and unmasked. When the
 * host&rarr;guest ring is full the echo waits (one packet, copied out) with {@code pending_send_sz} set, and nothing more
 * is read until the guest's signal says it made room. Signals go to the channel's target VP on SINT 2, with the
 * channel's event flag.
 */
public final class EchoDevice extends RingDevice {

    private static final int IN_BAND = PacketType.DATA_INBAND.code();
    private final PacketView view = new PacketView();

    /** An echo waiting for room in the host-to-guest ring, or {@code null}. */
    private byte[] waiting;

    private long waitingTransactionId;
    private byte[] scratch = new byte[4096];

    private long echoed;
    private long dropped;
    private long fullWaits;

    /**
     * An echo device for one channel.
     *
     * @param port the channel
     */
    public EchoDevice(final ChannelPort port) {
        super(port);
    }

    @Override
    protected void onRingsDetached() {
        waiting = null;
    }

    /** Reads and echoes until the guest's ring is empty (an echo is as long as what the guest wrote) or ours is full. */
    @Override
    protected void service() {
        final RingPair r = rings();
        if (r == null) {
            return;
        }
        final IncomingRing in = r.incoming();
        final OutgoingRing out = r.outgoing();
        if (waiting != null && !flushWaiting(out)) {
            return;
        }
        while (rings() == r) {
            final ReadStatus status = in.poll(view);
            if (status == ReadStatus.CORRUPT) {
                port.warn("guest->host ring corrupt, channel stopped: " + in.corruption());
                detachRings();
                return;
            }
            if (status == ReadStatus.EMPTY) {
                if (in.commitRead()) {
                    signal(); // the guest waits for room (pending_send_sz) and now has it
                }
                if (!in.hasPackets()) {
                    break;
                }
                continue;
            }
            if (view.type() != IN_BAND) {
                dropped++;
                continue;
            }
            if (!echo(in, out)) {
                return;
            }
        }
        if (rings() == r && out.commitWrite()) {
            signal();
        }
    }

    /** Echoes the packet in {@link #view}; false if the ring is full (the echo then waits) or broken. */
    private boolean echo(final IncomingRing in, final OutgoingRing out) {
        final int length = view.payloadLength(); // padded to 8, as the guest wrote it
        MemorySegment payload = view.sliceOrNull(view.dataOffset(), length);
        if (payload == null) {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            payload = MemorySegment.ofArray(scratch);
            view.copyPayloadTo(payload, 0);
        }
        final long transactionId = view.transactionId();
        final WriteStatus status = out.tryWrite(IN_BAND, 0, transactionId, payload, 0, length);
        switch (status) {
            case WRITTEN -> {
                echoed++;
                return true;
            }
            case FULL -> {
                // keep a copy: the guest may reuse its ring space once we publish the read index
                waiting = new byte[length];
                MemorySegment.copy(payload, 0, MemorySegment.ofArray(waiting), 0, length);
                waitingTransactionId = transactionId;
                if (in.commitRead()) {
                    signal();
                }
                return flushWaiting(out);
            }
            case TOO_LARGE -> {
                port.warn("echo of " + length + " bytes does not fit the host->guest ring (max payload "
                        + out.maxPayloadLength() + "): dropped");
                dropped++;
                return true;
            }
            case CORRUPT -> {
                port.warn("host->guest ring corrupt, channel stopped: " + out.corruption());
                detachRings();
                return false;
            }
        }
        return false;
    }

    /** Writes the waiting echo; false if the ring is still full (the guest's signal will bring us back). */
    private boolean flushWaiting(final OutgoingRing out) {
        final MemorySegment payload = MemorySegment.ofArray(waiting);
        while (true) {
            switch (out.tryWrite(IN_BAND, 0, waitingTransactionId, payload, 0, waiting.length)) {
                case WRITTEN -> {
                    echoed++;
                    waiting = null;
                    return true;
                }
                case FULL -> {
                    if (out.commitWrite()) {
                        signal();
                    }
                    if (!out.requestSpace((int) OutgoingRing.packetLength(0, waiting.length))) {
                        fullWaits++;
                        return false;
                    }
                }
                case TOO_LARGE, CORRUPT -> {
                    port.warn("host->guest ring refused a waiting echo: "
                            + (out.corruption() == null ? "too large" : out.corruption()));
                    detachRings();
                    return false;
                }
            }
        }
    }

    /** The version of {@link #saveState()}'s format. */
    public static final int STATE_VERSION = 1;

    /** Length of the state's header: u32 version, u32 length, u64 transaction id. */
    private static final int STATE_HEADER = 16;

    /**
     * SAVE: the echo waiting for room, if any (the guest's packet is already consumed from its ring, so the echo
     * exists only here): {@code u32 version, u32 length, u64 transaction id, bytes} (little-endian); empty if none.
     */
    @Override
    public byte[] saveState() {
        if (waiting == null) {
            return new byte[0];
        }
        return ByteBuffer.allocate(STATE_HEADER + waiting.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(STATE_VERSION)
                .putInt(waiting.length)
                .putLong(waitingTransactionId)
                .put(waiting)
                .array();
    }

    @Override
    public Runnable prepareRestore(final byte[] state) {
        if (state.length == 0) {
            return () -> {};
        }
        if (state.length < STATE_HEADER) {
            throw new IllegalArgumentException(
                    "echo state of " + state.length + " bytes (expected: 0 or >= " + STATE_HEADER + ")");
        }
        final ByteBuffer in = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        final int version = in.getInt();
        if (version != STATE_VERSION) {
            throw new IllegalArgumentException(
                    "echo state version " + Integer.toUnsignedString(version) + " (expected: " + STATE_VERSION + ")");
        }
        final int length = in.getInt();
        final long transactionId = in.getLong();
        if (length <= 0 || length != in.remaining() || (length & 7) != 0) {
            throw new IllegalArgumentException("echo state length " + Integer.toUnsignedString(length)
                    + " (expected: a positive multiple of 8, exactly the " + in.remaining() + " bytes that follow)");
        }
        final byte[] echo = new byte[length];
        in.get(echo);
        return () -> {
            waiting = echo;
            waitingTransactionId = transactionId;
        };
    }

    @Override
    public void inspect(final ObjectNode into) {
        final ObjectNode echo = into.putObject("echo");
        final RingPair rings = rings();
        echo.put("open", rings != null);
        echo.put("echoed", echoed);
        echo.put("dropped", dropped);
        echo.put("full_waits", fullWaits);
        echo.put("signals", signals());
        echo.put("waiting", waiting != null);
        echo.put("mapped_gpadls", mappedGpadls());
        if (rings != null) {
            echo.put("target_vp", Integer.toUnsignedLong(targetVp()));
            echo.put("event_flag", eventFlag());
            echo.put("in_read_position", rings.incoming().readPosition());
            echo.put("out_write_position", rings.outgoing().writePosition());
        }
    }
}
