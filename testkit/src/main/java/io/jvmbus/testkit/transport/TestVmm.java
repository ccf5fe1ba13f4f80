package io.jvmbus.testkit.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A VMM end of the host transport for tests: builds frames byte by byte from the spec and reads the server's frames
 * with timeouts. Every read is bounded by the timeout given; nothing here waits forever.
 */
public final class TestVmm implements AutoCloseable {

    /** HELLO. */
    public static final int HELLO = 0x0001;
    /** POST_MESSAGE. */
    public static final int POST_MESSAGE = 0x0002;
    /** SIGNAL_EVENT. */
    public static final int SIGNAL_EVENT = 0x0003;
    /** MESSAGE_SLOT_FREE. */
    public static final int MESSAGE_SLOT_FREE = 0x0004;
    /** DELIVER_RESULT. */
    public static final int DELIVER_RESULT = 0x0005;
    /** SAVE. */
    public static final int SAVE = 0x0010;
    /** RESTORE. */
    public static final int RESTORE = 0x0011;
    /** RESET. */
    public static final int RESET = 0x0012;
    /** CONTROL. */
    public static final int CONTROL = 0x0020;
    /** HELLO_OK. */
    public static final int HELLO_OK = 0x8001;
    /** POST_RESULT. */
    public static final int POST_RESULT = 0x8002;
    /** SAVED. */
    public static final int SAVED = 0x8010;
    /** RESTORED. */
    public static final int RESTORED = 0x8011;
    /** RESET_DONE. */
    public static final int RESET_DONE = 0x8012;
    /** CONTROL_RESULT. */
    public static final int CONTROL_RESULT = 0x8020;
    /** ERROR. */
    public static final int ERROR = 0x80FF;
    /** DELIVER_MESSAGE. */
    public static final int DELIVER_MESSAGE = 0x4001;
    /** SIGNAL_GUEST. */
    public static final int SIGNAL_GUEST = 0x4002;
    /** EVENT. */
    public static final int EVENT = 0x4020;

    /** The default wait for one frame. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A frame as received.
     *
     * @param kind the header's kind
     * @param flags the header's flags
     * @param body the body bytes
     */
    public record Frame(int kind, int flags, byte[] body) {
        private ByteBuffer le() {
            return ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        }

        /**
         * A u8 of the body.
         *
         * @param offset byte offset
         * @return the value
         */
        public int u8(final int offset) {
            return Byte.toUnsignedInt(body[offset]);
        }

        /**
         * A u16 of the body.
         *
         * @param offset byte offset
         * @return the value
         */
        public int u16(final int offset) {
            return Short.toUnsignedInt(le().getShort(offset));
        }

        /**
         * A u32 of the body (as a signed int).
         *
         * @param offset byte offset
         * @return the value
         */
        public int u32(final int offset) {
            return le().getInt(offset);
        }

        /**
         * A str of the body.
         *
         * @param offset offset of its u16 length
         * @return the text
         */
        public String str(final int offset) {
            final int n = u16(offset);
            return new String(body, offset + 2, n, StandardCharsets.UTF_8);
        }

        /**
         * The body as UTF-8 text (for JSON bodies).
         *
         * @return the text
         */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /**
         * For an ERROR frame: its code.
         *
         * @return the u32 code
         */
        public int errorCode() {
            return u32(0);
        }

        /**
         * For an ERROR frame: its message.
         *
         * @return the text
         */
        public String errorMessage() {
            return str(4);
        }

        @Override
        public String toString() {
            final String what = switch (kind) {
                case ERROR -> "ERROR " + errorCode() + " '" + errorMessage() + "'";
                case CONTROL_RESULT, EVENT -> String.format("0x%04x %s", kind, text());
                default -> String.format("0x%04x (%d bytes)", kind, body.length);
            };
            return "Frame[" + what + "]";
        }
    }

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final ArrayDeque<Frame> pending = new ArrayDeque<>();
    private boolean eof;

    private TestVmm(final SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        in.flip();
    }

    /**
     * Connects to a Unix socket, retrying while it does not exist or refuses, up to {@code timeout}.
     *
     * @param socket the path
     * @param timeout how long to keep trying
     * @return the connected VMM
     * @throws IOException if it cannot connect in time
     */
    public static TestVmm connect(final Path socket, final Duration timeout) throws IOException {
        return connect(UnixDomainSocketAddress.of(socket), timeout);
    }

    /**
     * Connects to a Unix socket or a TCP address, retrying up to {@code timeout}.
     *
     * @param address the address
     * @param timeout how long to keep trying
     * @return the connected VMM
     * @throws IOException if it cannot connect in time
     */
    public static TestVmm connect(final SocketAddress address, final Duration timeout) throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return new TestVmm(SocketChannel.open(address));
            } catch (final SocketException | NoSuchFileException e) { // refused, or the socket file not there yet
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // retry back-off, not synchronisation
            }
        }
    }

    /**
     * Connects to a TCP address.
     *
     * @param address the address
     * @return the connected VMM
     * @throws IOException if it cannot connect
     */
    public static TestVmm connectTcp(final InetSocketAddress address) throws IOException {
        return connect(address, Duration.ofSeconds(5));
    }

    // ---- building frames ---------------------------------------------------------------------------------

    /**
     * A frame's bytes: header (length, kind, flags) and body.
     *
     * @param kind the kind
     * @param flags the flags
     * @param body the body
     * @return the bytes
     */
    public static byte[] frame(final int kind, final int flags, final byte[] body) {
        return ByteBuffer.allocate(8 + body.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(body.length)
                .putShort((short) kind)
                .putShort((short) flags)
                .put(body)
                .array();
    }

    /**
     * A header claiming any length, without a body.
     *
     * @param length the claimed body length (u32)
     * @param kind the kind
     * @param flags the flags
     * @return 8 bytes
     */
    public static byte[] header(final long length, final int kind, final int flags) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) length)
                .putShort((short) kind)
                .putShort((short) flags)
                .array();
    }

    /**
     * A HELLO body.
     *
     * @param version transport version
     * @param vpCount VP count
     * @param ramBytes RAM size
     * @param ramPath RAM file path or ""
     * @param vmName VM name
     * @return the body
     */
    public static byte[] helloBody(
            final int version, final int vpCount, final long ramBytes, final String ramPath, final String vmName) {
        final byte[] p = ramPath.getBytes(StandardCharsets.UTF_8);
        final byte[] n = vmName.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(16 + 2 + p.length + 2 + n.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) version)
                .putShort((short) 0)
                .putInt(vpCount)
                .putLong(ramBytes)
                .putShort((short) p.length)
                .put(p)
                .putShort((short) n.length)
                .put(n)
                .array();
    }

    /**
     * A POST_MESSAGE body.
     *
     * @param connectionId connection id
     * @param vp VP index
     * @param messageType SynIC message type
     * @param payload the payload
     * @return the body
     */
    public static byte[] postBody(final int connectionId, final int vp, final int messageType, final byte[] payload) {
        return ByteBuffer.allocate(16 + payload.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(connectionId)
                .putInt(vp)
                .putInt(messageType)
                .putInt(payload.length)
                .put(payload)
                .array();
    }

    /**
     * An 8-byte body of a u32 then two u16s (SIGNAL_EVENT, DELIVER_RESULT).
     *
     * @param a the u32
     * @param b the first u16
     * @return the body (second u16 zero)
     */
    public static byte[] u32u16(final int a, final int b) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(a)
                .putShort((short) b)
                .putShort((short) 0)
                .array();
    }

    /**
     * A MESSAGE_SLOT_FREE body.
     *
     * @param vp VP index
     * @param sint SINT
     * @return the body
     */
    public static byte[] slotFreeBody(final int vp, final int sint) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(vp)
                .put((byte) sint)
                .array();
    }

    // ---- sending ------------------------------------------------------------------------------------------

    /**
     * Writes bytes as they are (possibly a partial or malformed frame).
     *
     * @param bytes the bytes
     * @throws IOException if the write fails
     */
    public void sendRaw(final byte[] bytes) throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        final long deadline = System.nanoTime() + DEFAULT_TIMEOUT.toNanos();
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("write made no progress for " + DEFAULT_TIMEOUT);
                }
                // the server does not read: let our own reader drain, so that neither side blocks forever
                drainInto(Duration.ofMillis(5));
            }
        }
    }

    /**
     * Writes one frame.
     *
     * @param kind the kind
     * @param flags the flags
     * @param body the body
     * @throws IOException if the write fails
     */
    public void send(final int kind, final int flags, final byte[] body) throws IOException {
        sendRaw(frame(kind, flags, body));
    }

    /**
     * Writes a frame with flags 0.
     *
     * @param kind the kind
     * @param body the body
     * @throws IOException if the write fails
     */
    public void send(final int kind, final byte[] body) throws IOException {
        send(kind, 0, body);
    }

    /**
     * Sends HELLO (version 1, no RAM) and expects HELLO_OK.
     *
     * @param vmName the VM name
     * @return the HELLO_OK frame
     * @throws IOException on I/O failure or another answer
     */
    public Frame hello(final String vmName) throws IOException {
        send(HELLO, helloBody(1, 1, 0, "", vmName));
        return expect(HELLO_OK);
    }

    /**
     * Sends a CONTROL request and returns its CONTROL_RESULT's JSON text.
     *
     * @param json the request
     * @return the result text
     * @throws IOException on I/O failure or another answer
     */
    public String control(final String json) throws IOException {
        send(CONTROL, json.getBytes(StandardCharsets.UTF_8));
        return expect(CONTROL_RESULT).text();
    }

    // ---- receiving ----------------------------------------------------------------------------------------

    /**
     * The next frame, waiting at most {@code timeout}.
     *
     * @param timeout the wait
     * @return the frame
     * @throws IOException on timeout, EOF or a malformed frame
     */
    public Frame read(final Duration timeout) throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.isEmpty()) {
            if (eof) {
                throw new IOException("the server closed the connection");
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("no frame within " + timeout);
            }
            drainInto(Duration.ofNanos(left));
        }
        return pending.poll();
    }

    /**
     * The next frame within {@link #DEFAULT_TIMEOUT}.
     *
     * @return the frame
     * @throws IOException on timeout, EOF or a malformed frame
     */
    public Frame read() throws IOException {
        return read(DEFAULT_TIMEOUT);
    }

    /**
     * The next answer frame (0x80xx), collecting unsolicited frames (0x40xx) into {@code unsolicited}.
     *
     * @param unsolicited receives DELIVER_MESSAGE, SIGNAL_GUEST and EVENT frames met on the way
     * @return the answer
     * @throws IOException on timeout or EOF
     */
    public Frame readAnswer(final List<Frame> unsolicited) throws IOException {
        while (true) {
            final Frame f = read();
            if ((f.kind() & 0x8000) != 0) {
                return f;
            }
            unsolicited.add(f);
        }
    }

    /**
     * Reads the next answer and checks its kind; unsolicited frames before it are dropped.
     *
     * @param kind the expected kind
     * @return the frame
     * @throws IOException if another kind comes, or on timeout or EOF
     */
    public Frame expect(final int kind) throws IOException {
        final Frame f = readAnswer(new ArrayList<>());
        if (f.kind() != kind) {
            throw new IOException(String.format("expected kind 0x%04x, got %s", kind, f));
        }
        return f;
    }

    /**
     * Waits until the server closes the connection, dropping frames.
     *
     * @param timeout the wait
     * @return the frames that came before the close
     * @throws IOException if the connection is still open after {@code timeout}
     */
    public List<Frame> awaitClose(final Duration timeout) throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final List<Frame> seen = new ArrayList<>();
        while (!eof) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException("the server did not close within " + timeout);
            }
            drainInto(Duration.ofNanos(left));
            seen.addAll(pending);
            pending.clear();
        }
        seen.addAll(pending);
        pending.clear();
        return seen;
    }

    private void drainInto(final Duration wait) throws IOException {
        if (eof) {
            return;
        }
        selector.select(Math.max(1, wait.toMillis()));
        selector.selectedKeys().clear();
        in.compact();
        final int n;
        try {
            n = channel.read(in);
        } finally {
            in.flip();
        }
        if (n < 0) {
            eof = true;
        }
        while (in.remaining() >= 8) {
            final int length = in.getInt(in.position());
            final int kind = Short.toUnsignedInt(in.getShort(in.position() + 4));
            final int flags = Short.toUnsignedInt(in.getShort(in.position() + 6));
            if (length < 0 || length > in.capacity() - 8) {
                throw new IOException("the server sent a frame of " + Integer.toUnsignedString(length) + " bytes");
            }
            if (in.remaining() < 8 + length) {
                break;
            }
            final byte[] body = new byte[length];
            in.position(in.position() + 8);
            in.get(body);
            pending.add(new Frame(kind, flags, body));
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
