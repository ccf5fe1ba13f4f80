package io.jvmbus.client;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.transport.DecodeOutcome;
import io.jvmbus.protocol.transport.Frame;
import io.jvmbus.protocol.transport.FrameDecoder;
import io.jvmbus.protocol.transport.FrameEncoder;
import io.jvmbus.protocol.transport.FrameKind;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.protocol.transport.VmmFrame;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link GuestTransport} over the host transport socket of {@code jvmbus serve} ({@code host-transport.md}): the
 * client plays the VMM. HELLO names the guest's RAM file; POST_MESSAGE waits for its POST_RESULT; SIGNAL_EVENT is
 * fire-and-forget; each DELIVER_MESSAGE is handed to the listener on the reader thread and answered with
 * DELIVER_RESULT (or, when asked to, with "slot busy" followed by MESSAGE_SLOT_FREE, to exercise the server's flow
 * control); SIGNAL_GUEST goes to the listener; CONTROL carries JSON requests (offers, revokes, inspect).
 *
 * <p>Requests (POST_MESSAGE, CONTROL) are serialized: the server answers them in order, so each waits for the next
 * answer frame. Unsolicited frames are handled on the reader thread as they come, between answers.
 */
public final class SocketGuestTransport implements GuestTransport {

    /** The transport version this client speaks. */
    public static final int TRANSPORT_VERSION = 1;

    private final SocketChannel channel;
    private final Duration answerTimeout;
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Held across a delivery (hand the message to the guest, answer DELIVER_RESULT) and across writing SAVE, so SAVE
     * falls between two deliveries, never inside one: a message the guest saw is always answered before SAVE, so the
     * server does not keep it as undelivered and send it a second time after RESTORE.
     */
    private final ReentrantLock deliverLock = new ReentrantLock();

    private final ReentrantLock requestLock = new ReentrantLock();
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final Thread reader;
    private volatile Listener listener;
    private volatile boolean closing;
    private volatile boolean saving;
    private volatile int busyAnswersLeft;
    private final AtomicInteger busyAnswers = new AtomicInteger();
    /** Per mille of deliveries answered "slot busy" at random; 0 = none. Read on the reader thread only. */
    private volatile int busyPerMille;
    /** The seeded source of those choices; used on the reader thread only. */
    private volatile SplittableRandom busyRandom;

    private final AtomicLong postsAnswered = new AtomicLong();
    private final AtomicLong deliveriesAccepted = new AtomicLong();
    private volatile boolean crashOnNextDelivery;
    private ServerFrame.HelloOk hello;

    private SocketGuestTransport(final SocketChannel channel, final Duration answerTimeout) {
        this.channel = channel;
        this.answerTimeout = answerTimeout;
        this.reader = new Thread(this::readLoop, "jvmbus-guest-transport-reader");
        reader.setDaemon(true);
    }

    /**
     * Connects to a Unix socket and sends HELLO with the guest's RAM file.
     *
     * @param socket the server's socket path
     * @param ram the guest RAM (its file and size go into HELLO)
     * @param vpCount the VM's VP count
     * @param vmName the VM name
     * @param answerTimeout the longest wait for any answer frame
     * @return the transport, after HELLO_OK
     * @throws GuestException TRANSPORT if the connection or HELLO fails
     */
    public static SocketGuestTransport connect(
            final Path socket,
            final GuestRam ram,
            final int vpCount,
            final String vmName,
            final Duration answerTimeout) {
        return connect(UnixDomainSocketAddress.of(socket), ram, vpCount, vmName, answerTimeout);
    }

    /**
     * Connects to an address (Unix or loopback TCP) and sends HELLO.
     *
     * @param address the server's address
     * @param ram the guest RAM
     * @param vpCount the VP count
     * @param vmName the VM name
     * @param answerTimeout the longest wait for any answer frame
     * @return the transport, after HELLO_OK
     */
    public static SocketGuestTransport connect(
            final SocketAddress address,
            final GuestRam ram,
            final int vpCount,
            final String vmName,
            final Duration answerTimeout) {
        final SocketChannel ch;
        try {
            ch = SocketChannel.open(address);
        } catch (IOException e) {
            throw new GuestException(GuestException.Kind.TRANSPORT, "connect to " + address, e);
        }
        final SocketGuestTransport t = new SocketGuestTransport(ch, answerTimeout);
        t.reader.start();
        final Object answer = t.request(new VmmFrame.Hello(
                TRANSPORT_VERSION,
                vpCount,
                ram.size(),
                ram.file().toAbsolutePath().toString(),
                vmName));
        if (!(answer instanceof ServerFrame.HelloOk ok)) {
            t.close();
            throw new GuestException(GuestException.Kind.TRANSPORT, "HELLO answered with " + answer);
        }
        t.hello = ok;
        return t;
    }

    /**
     * The server's HELLO_OK.
     *
     * @return highest version and feature flags it supports
     */
    public ServerFrame.HelloOk hello() {
        return hello;
    }

    /**
     * Answers the next {@code count} DELIVER_MESSAGE frames with "slot busy", each followed by MESSAGE_SLOT_FREE, so
     * the server must resend them (its flow control).
     *
     * @param count how many deliveries to refuse once
     */
    public void refuseNextDeliveries(final int count) {
        busyAnswersLeft = count;
    }

    /**
     * Answers each DELIVER_MESSAGE "slot busy" (followed by MESSAGE_SLOT_FREE) with the given probability, drawn from
     * a generator seeded with {@code seed}, so a run can be repeated. A refused message comes again and is again
     * subject to the draw. Deliveries counted by {@link #refuseNextDeliveries} are refused first.
     *
     * @param perMille how many deliveries in a thousand to refuse, 0 to 1000 (0 turns it off)
     * @param seed the generator's seed
     * @throws IllegalArgumentException if {@code perMille} is outside 0..1000
     */
    public void refuseDeliveriesAtRandom(final int perMille, final long seed) {
        if (perMille < 0 || perMille > 1000) {
            throw new IllegalArgumentException("perMille=" + perMille + " (expected: 0..1000)");
        }
        busyRandom = new SplittableRandom(seed);
        busyPerMille = perMille;
    }

    /**
     * Fault injection: the next DELIVER_MESSAGE is neither handed to the listener nor answered; the connection is
     * closed instead, as by a VMM that dies between DELIVER_MESSAGE and DELIVER_RESULT. Pending requests then fail with
     * TRANSPORT.
     */
    public void crashOnNextDelivery() {
        crashOnNextDelivery = true;
    }

    /**
     * Fault injection: writes {@code bytes} as they are (for example a frame header without its body, or a whole
     * POST_MESSAGE frame) and closes the connection at once without reading an answer, as a VMM that dies in the middle
     * of writing or right after a request.
     *
     * @param bytes the last bytes the "VMM" writes
     */
    public void crashAfterWriting(final byte[] bytes) {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        writeLock.lock();
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new GuestException(GuestException.Kind.TRANSPORT, "write before the crash", e);
        } finally {
            writeLock.unlock();
        }
        close();
    }

    /**
     * POST_MESSAGE requests answered with POST_RESULT (any status) so far.
     *
     * @return the count
     */
    public long postsAnswered() {
        return postsAnswered.get();
    }

    /**
     * DELIVER_MESSAGE frames accepted (handed to the listener and answered "delivered") so far; refused ones are not
     * counted.
     *
     * @return the count
     */
    public long deliveriesAccepted() {
        return deliveriesAccepted.get();
    }

    /**
     * DELIVER_MESSAGE frames answered "slot busy" so far.
     *
     * @return the count
     */
    public int busyAnswers() {
        return busyAnswers.get();
    }

    /**
     * Sends a CONTROL request and returns the CONTROL_RESULT JSON.
     *
     * @param json the request object
     * @return the result object as text
     * @throws GuestException TRANSPORT if the server answered with ERROR or not at all
     */
    public String control(final String json) {
        final Object answer = request(new VmmFrame.Control(Blob.of(json.getBytes(StandardCharsets.UTF_8))));
        if (answer instanceof ServerFrame.ControlResult r) {
            return new String(r.json().toArray(), StandardCharsets.UTF_8);
        }
        throw new GuestException(GuestException.Kind.TRANSPORT, "CONTROL " + json + " answered with " + answer);
    }

    /**
     * SAVE: the VM is paused; the server's state comes back in SAVED. From the moment SAVE is written, a
     * DELIVER_MESSAGE is neither delivered nor answered (host-transport.md, "Saved state"): the saved state keeps it
     * queued and the restored server sends it again. Use the transport for nothing else afterwards but closing it.
     *
     * @return the saved-state bytes
     * @throws GuestException TRANSPORT if the server answered with ERROR or not at all
     */
    public byte[] save() {
        final Object answer = request(new VmmFrame.Save(), () -> saving = true);
        if (answer instanceof ServerFrame.Saved s) {
            return s.savedState().toArray();
        }
        throw new GuestException(GuestException.Kind.TRANSPORT, "SAVE answered with " + answer);
    }

    /**
     * RESTORE: hands a new server the bytes an old one saved; send it after HELLO and the CONTROL offers, before any
     * guest message.
     *
     * @param savedState the bytes from {@link #save()}
     * @throws GuestException TRANSPORT if the server answered with ERROR or not at all
     */
    public void restore(final byte[] savedState) {
        final Object answer = request(new VmmFrame.Restore(Blob.of(savedState)));
        if (!(answer instanceof ServerFrame.Restored)) {
            throw new GuestException(GuestException.Kind.TRANSPORT, "RESTORE answered with " + answer);
        }
    }

    /**
     * EVENT objects the server sent, as text.
     *
     * @return a snapshot
     */
    public List<String> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /**
     * Frames the transport could not use (undecodable, ERROR frames without a request), described.
     *
     * @return a snapshot
     */
    public List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    @Override
    public void attach(final Listener l) {
        this.listener = l;
    }

    @Override
    public int postMessage(final int connectionId, final int vp, final int messageType, final byte[] payload) {
        final Object answer = request(new VmmFrame.PostMessage(connectionId, vp, messageType, Blob.of(payload), false));
        if (answer instanceof ServerFrame.PostResult r) {
            postsAnswered.incrementAndGet();
            return r.hvStatus();
        }
        throw new GuestException(GuestException.Kind.TRANSPORT, "POST_MESSAGE answered with " + answer);
    }

    @Override
    public void signalEvent(final int connectionId, final int flag) {
        write(new VmmFrame.SignalEvent(connectionId, flag & 0xFFFF));
    }

    @Override
    public void close() {
        closing = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- requests and writes
    // -----------------------------------------------------------------------------------------

    private Object request(final VmmFrame frame) {
        return request(frame, null);
    }

    /** A request whose {@code beforeWrite} and write happen between two deliveries (see {@link #deliverLock}). */
    private Object request(final VmmFrame frame, final Runnable beforeWrite) {
        requestLock.lock();
        try {
            if (beforeWrite == null) {
                write(frame);
            } else {
                deliverLock.lock();
                try {
                    beforeWrite.run();
                    write(frame);
                } finally {
                    deliverLock.unlock();
                }
            }
            final Object answer = answers.poll(answerTimeout.toNanos(), TimeUnit.NANOSECONDS);
            if (answer == null) {
                throw new GuestException(
                        GuestException.Kind.TRANSPORT, "no answer to " + frame.kind() + " within " + answerTimeout);
            }
            if (answer instanceof GuestException e) {
                throw e;
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.TRANSPORT, "interrupted waiting for an answer", e);
        } finally {
            requestLock.unlock();
        }
    }

    private void write(final Frame frame) {
        final ByteBuffer b = ByteBuffer.wrap(FrameEncoder.encode(frame));
        writeLock.lock();
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new GuestException(GuestException.Kind.TRANSPORT, "write " + frame.kind(), e);
        } finally {
            writeLock.unlock();
        }
    }

    // ---- the reader ----------------------------------------------------------------------------------------------

    private void readLoop() {
        final FrameDecoder decoder = new FrameDecoder(FrameKind.Sender.SERVER, FrameDecoder.Limits.DEFAULT);
        final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try {
            while (true) {
                buf.clear();
                final int n = channel.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                decoder.feed(buf, this::onOutcome);
                if (decoder.failed()) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                synchronized (errors) {
                    errors.add("reader stopped: " + e);
                }
            }
        } finally {
            answers.add(new GuestException(GuestException.Kind.TRANSPORT, "connection closed"));
        }
    }

    private void onOutcome(final DecodeOutcome outcome) {
        if (!(outcome instanceof DecodeOutcome.Decoded d)) {
            synchronized (errors) {
                errors.add("undecodable server frame: " + outcome);
            }
            return;
        }
        switch (d.frame()) {
            case ServerFrame.DeliverMessage m -> onDeliver(m);
            case ServerFrame.SignalGuest s -> {
                final Listener l = listener;
                if (l != null) {
                    l.onSignal(s.vpIndex(), s.sint(), s.eventFlag());
                }
            }
            case ServerFrame.Event e -> {
                synchronized (events) {
                    events.add(new String(e.json().toArray(), StandardCharsets.UTF_8));
                }
            }
            default -> answers.add(d.frame());
        }
    }

    private void onDeliver(final ServerFrame.DeliverMessage m) {
        deliverLock.lock();
        try {
            deliverOrRefuse(m);
        } finally {
            deliverLock.unlock();
        }
    }

    private void deliverOrRefuse(final ServerFrame.DeliverMessage m) {
        if (saving) {
            return; // held over SAVE: the saved state keeps it, the restored server sends it again
        }
        if (crashOnNextDelivery) {
            closing = true;
            try {
                channel.close(); // the reader's next read fails and pending requests get "connection closed"
            } catch (IOException e) {
                // closed anyway
            }
            return;
        }
        if (busyAnswersLeft > 0 || refuseAtRandom()) {
            if (busyAnswersLeft > 0) {
                busyAnswersLeft--;
            }
            busyAnswers.incrementAndGet();
            // The slot is "occupied": refuse, then free it; the server must send the same message again.
            write(new VmmFrame.DeliverResult(m.sequence(), 1));
            write(new VmmFrame.MessageSlotFree(m.vpIndex(), m.sint()));
            return;
        }
        deliveriesAccepted.incrementAndGet(); // before the listener, so a guest that saw the message sees the count
        final Listener l = listener;
        if (l != null) {
            l.onMessage(m.vpIndex(), m.sint(), m.messageType(), m.payload().toArray());
        }
        write(new VmmFrame.DeliverResult(m.sequence(), 0));
    }

    private boolean refuseAtRandom() {
        final int perMille = busyPerMille;
        return perMille > 0 && busyRandom.nextInt(1000) < perMille;
    }
}
