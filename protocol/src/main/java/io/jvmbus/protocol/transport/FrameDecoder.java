package io.jvmbus.protocol.transport;

import io.jvmbus.protocol.Blob;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A streaming decoder for one direction of the host transport. Bytes go in as they arrive, split anywhere; one {@link
 * DecodeOutcome} comes out per frame. It verifies, then acts: a header's length decides only how many bytes belong to
 * the frame, never how much memory is allocated up front. The buffer grows with the bytes that actually arrive and is
 * capped per kind (a kind's largest legal body, or the configured JSON and saved-state limits); bytes beyond the cap
 * are counted and dropped, and the frame is then rejected.
 *
 * <p>A length over 16 MiB is {@link DecodeOutcome.Fatal}: the decoder stops and ignores further input. Everything
 * else is recoverable: the next header starts right after the rejected frame's body.
 *
 * <p>Not thread-safe: one decoder per connection, fed by one thread.
 */
public final class FrameDecoder {

    /** The default largest CONTROL, CONTROL_RESULT or EVENT body: 64 KiB of JSON. */
    public static final int DEFAULT_MAX_JSON_BYTES = 64 << 10;

    private static final int INITIAL_BODY_CAPACITY = 4096;

    /**
     * Size caps of the variable-size bodies.
     *
     * @param maxJsonBytes the largest CONTROL, CONTROL_RESULT or EVENT body kept
     * @param maxSavedStateBytes the largest RESTORE or SAVED body kept
     */
    public record Limits(int maxJsonBytes, int maxSavedStateBytes) {
        /** The spec's limits: 64 KiB of JSON, saved state up to the 16 MiB frame limit. */
        public static final Limits DEFAULT = new Limits(DEFAULT_MAX_JSON_BYTES, FrameHeaderLayout.MAX_BODY_LENGTH);

        /** Validates the caps. */
        public Limits {
            if (maxJsonBytes < 2 || maxJsonBytes > FrameHeaderLayout.MAX_BODY_LENGTH) {
                throw new IllegalArgumentException("maxJsonBytes=" + maxJsonBytes + " (expected: 2..16 MiB)");
            }
            if (maxSavedStateBytes < 0 || maxSavedStateBytes > FrameHeaderLayout.MAX_BODY_LENGTH) {
                throw new IllegalArgumentException(
                        "maxSavedStateBytes=" + maxSavedStateBytes + " (expected: 0..16 MiB)");
            }
        }
    }

    private final FrameKind.Sender from;
    private final Limits limits;

    private final byte[] header = new byte[FrameHeaderLayout.SIZE];
    private int headerFill;
    private boolean inBody;
    private long length;
    private int kindCode;
    private int flags;
    private FrameKind kind;
    /** Body bytes to keep (at most the kind's cap). */
    private int keep;

    private byte[] body = new byte[0];
    private int bodyFill;
    /** Body bytes still to drop after {@link #keep} bytes were kept. */
    private long discard;

    private boolean failed;

    /**
     * A decoder for the frames one side sends.
     *
     * @param from the side whose frames this decoder reads ({@link FrameKind.Sender#VMM} on the server)
     * @param limits the variable-size caps
     */
    public FrameDecoder(final FrameKind.Sender from, final Limits limits) {
        this.from = Checks.notNull("from", from);
        this.limits = Checks.notNull("limits", limits);
    }

    /**
     * Whether a frame has started but not finished: a peer that closes now closed mid-frame.
     *
     * @return true between a frame's first byte and its last
     */
    public boolean midFrame() {
        return headerFill > 0 || inBody;
    }

    /**
     * Whether a fatal error stopped the decoder (sticky: once true, it stays true).
     *
     * @return true after {@link DecodeOutcome.Fatal}
     */
    public boolean failed() {
        return failed;
    }

    /**
     * Consumes every remaining byte of {@code src} and reports each finished frame.
     *
     * @param src bytes as they arrived; its position moves to its limit
     * @param out receives one outcome per frame, in stream order
     */
    public void feed(final ByteBuffer src, final Consumer<? super DecodeOutcome> out) {
        while (src.hasRemaining() && !failed) {
            if (!inBody) {
                final int n = Math.min(src.remaining(), FrameHeaderLayout.SIZE - headerFill);
                src.get(header, headerFill, n);
                headerFill += n;
                if (headerFill == FrameHeaderLayout.SIZE) {
                    startBody(out);
                }
            } else if (bodyFill < keep) {
                final int n = Math.min(src.remaining(), keep - bodyFill);
                ensureCapacity(bodyFill + n);
                src.get(body, bodyFill, n);
                bodyFill += n;
                finishIfComplete(out);
            } else {
                final int n = (int) Math.min(src.remaining(), discard);
                src.position(src.position() + n);
                discard -= n;
                finishIfComplete(out);
            }
        }
    }

    private void startBody(final Consumer<? super DecodeOutcome> out) {
        final ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        length = Integer.toUnsignedLong(h.getInt(FrameHeaderLayout.LENGTH_OFFSET));
        kindCode = Short.toUnsignedInt(h.getShort(FrameHeaderLayout.KIND_OFFSET));
        flags = Short.toUnsignedInt(h.getShort(FrameHeaderLayout.FLAGS_OFFSET));
        headerFill = 0;
        if (length > FrameHeaderLayout.MAX_BODY_LENGTH) {
            failed = true;
            out.accept(new DecodeOutcome.Fatal(
                    TransportError.FRAME_TOO_LARGE,
                    "frame " + FrameKind.hex(kindCode) + " length=" + length + " (expected: <= "
                            + FrameHeaderLayout.MAX_BODY_LENGTH + ")"));
            return;
        }
        final FrameKind k = FrameKind.of(kindCode);
        kind = k != null && k.sender() == from ? k : null;
        final int cap = kind == null ? 0 : cap(kind);
        // never overflows: length <= 16 MiB was checked above
        keep = length <= cap ? (int) length : headBytes(kind);
        discard = length - keep;
        bodyFill = 0;
        if (body.length > INITIAL_BODY_CAPACITY << 4) {
            body = new byte[0]; // do not hold on to a large body between frames
        }
        inBody = true;
        finishIfComplete(out);
    }

    private void finishIfComplete(final Consumer<? super DecodeOutcome> out) {
        if (bodyFill == keep && discard == 0) {
            inBody = false;
            out.accept(outcome());
        }
    }

    private void ensureCapacity(final int needed) {
        if (needed > body.length) {
            // grow with the bytes that have arrived, never to the header's claim at once
            final int grown = Math.max(INITIAL_BODY_CAPACITY, body.length * 2);
            body = Arrays.copyOf(body, Math.min(Math.max(grown, needed), keep));
        }
    }

    /** The largest body of a kind that is kept whole. */
    private int cap(final FrameKind k) {
        return switch (k) {
            case HELLO -> HelloLayout.MAX_SIZE;
            case POST_MESSAGE -> PostMessageLayout.MAX_SIZE;
            case SIGNAL_EVENT -> SignalEventLayout.SIZE;
            case MESSAGE_SLOT_FREE -> MessageSlotFreeLayout.SIZE;
            case DELIVER_RESULT -> DeliverResultLayout.SIZE;
            case SAVE, RESET, RESTORED, RESET_DONE -> 0;
            case RESTORE, SAVED -> limits.maxSavedStateBytes();
            case CONTROL, CONTROL_RESULT, EVENT -> limits.maxJsonBytes();
            case HELLO_OK -> HelloOkLayout.SIZE;
            case POST_RESULT -> PostResultLayout.SIZE;
            case ERROR -> ErrorLayout.MAX_SIZE;
            case DELIVER_MESSAGE -> DeliverMessageLayout.MAX_SIZE;
            case SIGNAL_GUEST -> SignalGuestLayout.SIZE;
        };
    }

    /** Bytes kept of a body over its cap: POST_MESSAGE keeps its fixed part to answer POST_RESULT 5. */
    private static int headBytes(final FrameKind k) {
        return k == FrameKind.POST_MESSAGE ? PostMessageLayout.PAYLOAD_OFFSET : 0;
    }

    private DecodeOutcome outcome() {
        if (kind == null) {
            final FrameKind known = FrameKind.of(kindCode);
            return reject(
                    TransportError.UNKNOWN_KIND,
                    known == null
                            ? "unknown frame kind " + FrameKind.hex(kindCode)
                            : "frame kind " + FrameKind.hex(kindCode) + " (" + known + ") is not sent by the "
                                    + from.name().toLowerCase(java.util.Locale.ROOT));
        }
        final ByteBuffer b = ByteBuffer.wrap(body, 0, bodyFill).order(ByteOrder.LITTLE_ENDIAN);
        final boolean whole = discard == 0 && bodyFill == length;
        return switch (kind) {
            case HELLO -> whole ? hello(b) : sizeOver(HelloLayout.MAX_SIZE);
            case POST_MESSAGE -> postMessage(b);
            case SIGNAL_EVENT ->
                exact(
                        SignalEventLayout.SIZE,
                        () -> new VmmFrame.SignalEvent(
                                b.getInt(SignalEventLayout.CONNECTION_ID_OFFSET),
                                Short.toUnsignedInt(b.getShort(SignalEventLayout.FLAG_NUMBER_OFFSET))));
            case MESSAGE_SLOT_FREE ->
                exact(
                        MessageSlotFreeLayout.SIZE,
                        () -> new VmmFrame.MessageSlotFree(
                                b.getInt(MessageSlotFreeLayout.VP_INDEX_OFFSET),
                                Byte.toUnsignedInt(b.get(MessageSlotFreeLayout.SINT_OFFSET))));
            case DELIVER_RESULT ->
                exact(
                        DeliverResultLayout.SIZE,
                        () -> new VmmFrame.DeliverResult(
                                b.getInt(DeliverResultLayout.SEQUENCE_OFFSET),
                                Short.toUnsignedInt(b.getShort(DeliverResultLayout.STATUS_OFFSET))));
            case SAVE -> exact(0, VmmFrame.Save::new);
            case RESET -> exact(0, VmmFrame.Reset::new);
            case RESTORE -> whole ? decoded(new VmmFrame.Restore(blob())) : sizeOver(limits.maxSavedStateBytes());
            case CONTROL -> whole ? decoded(new VmmFrame.Control(blob())) : jsonTooLarge();
            case HELLO_OK ->
                exact(
                        HelloOkLayout.SIZE,
                        () -> new ServerFrame.HelloOk(
                                Short.toUnsignedInt(b.getShort(HelloOkLayout.TRANSPORT_VERSION_OFFSET)),
                                b.getInt(HelloOkLayout.MAX_VERSION_OFFSET),
                                b.getInt(HelloOkLayout.FEATURE_FLAGS_OFFSET)));
            case POST_RESULT ->
                exact(
                        PostResultLayout.SIZE,
                        () -> new ServerFrame.PostResult(
                                Short.toUnsignedInt(b.getShort(PostResultLayout.HV_STATUS_OFFSET))));
            case SAVED -> whole ? decoded(new ServerFrame.Saved(blob())) : sizeOver(limits.maxSavedStateBytes());
            case RESTORED -> exact(0, ServerFrame.Restored::new);
            case RESET_DONE -> exact(0, ServerFrame.ResetDone::new);
            case CONTROL_RESULT -> whole ? decoded(new ServerFrame.ControlResult(blob())) : jsonTooLarge();
            case EVENT -> whole ? decoded(new ServerFrame.Event(blob())) : jsonTooLarge();
            case ERROR -> whole ? error(b) : sizeOver(ErrorLayout.MAX_SIZE);
            case DELIVER_MESSAGE -> whole ? deliverMessage(b) : sizeOver(DeliverMessageLayout.MAX_SIZE);
            case SIGNAL_GUEST ->
                exact(
                        SignalGuestLayout.SIZE,
                        () -> new ServerFrame.SignalGuest(
                                b.getInt(SignalGuestLayout.VP_INDEX_OFFSET),
                                Byte.toUnsignedInt(b.get(SignalGuestLayout.SINT_OFFSET)),
                                Byte.toUnsignedInt(b.get(SignalGuestLayout.VTL_OFFSET)),
                                Short.toUnsignedInt(b.getShort(SignalGuestLayout.EVENT_FLAG_OFFSET))));
        };
    }

    private Blob blob() {
        return Blob.of(body, 0, bodyFill);
    }

    private static DecodeOutcome decoded(final Frame f) {
        return new DecodeOutcome.Decoded(f);
    }

    private DecodeOutcome reject(final TransportError e, final String message) {
        return new DecodeOutcome.Rejected(kindCode, e, message);
    }

    private DecodeOutcome exact(final int size, final java.util.function.Supplier<Frame> parse) {
        if (length != size) {
            return reject(TransportError.MALFORMED, kind + " body length=" + length + " (expected: " + size + ")");
        }
        return decoded(parse.get());
    }

    private DecodeOutcome sizeOver(final int max) {
        return reject(TransportError.MALFORMED, kind + " body length=" + length + " (expected: <= " + max + ")");
    }

    private DecodeOutcome jsonTooLarge() {
        return new DecodeOutcome.JsonTooLarge(kind, length, limits.maxJsonBytes());
    }

    private DecodeOutcome hello(final ByteBuffer b) {
        if (length < HelloLayout.MIN_SIZE) {
            return reject(
                    TransportError.MALFORMED,
                    "HELLO body length=" + length + " (expected: >= " + HelloLayout.MIN_SIZE + ")");
        }
        final int version = Short.toUnsignedInt(b.getShort(HelloLayout.TRANSPORT_VERSION_OFFSET));
        final int vpCount = b.getInt(HelloLayout.VP_COUNT_OFFSET);
        final long ramBytes = b.getLong(HelloLayout.RAM_BYTES_OFFSET);
        final int pathAt = HelloLayout.RAM_PATH_OFFSET;
        final int pathLen = Short.toUnsignedInt(b.getShort(pathAt));
        final int nameAt = pathAt + StrLayout.MIN_SIZE + pathLen;
        if (nameAt + StrLayout.MIN_SIZE > bodyFill) {
            return reject(
                    TransportError.MALFORMED,
                    "HELLO ram_path length=" + pathLen + " leaves no room for vm_name in a " + length + "-byte body");
        }
        final int nameLen = Short.toUnsignedInt(b.getShort(nameAt));
        final int end = nameAt + StrLayout.MIN_SIZE + nameLen;
        if (end != bodyFill) {
            return reject(
                    TransportError.MALFORMED,
                    "HELLO body length=" + length + " (expected: " + end + " from ram_path length=" + pathLen
                            + " and vm_name length=" + nameLen + ")");
        }
        final String path = Utf8.decode(body, pathAt + StrLayout.BYTES_OFFSET, pathLen);
        final String name = Utf8.decode(body, nameAt + StrLayout.BYTES_OFFSET, nameLen);
        if (path == null || name == null) {
            return reject(
                    TransportError.MALFORMED, "HELLO " + (path == null ? "ram_path" : "vm_name") + " is not UTF-8");
        }
        return decoded(new VmmFrame.Hello(version, vpCount, ramBytes, path, name));
    }

    private DecodeOutcome postMessage(final ByteBuffer b) {
        if (bodyFill < PostMessageLayout.PAYLOAD_OFFSET) {
            return reject(
                    TransportError.MALFORMED,
                    "POST_MESSAGE body length=" + length + " (expected: >= " + PostMessageLayout.PAYLOAD_OFFSET + ")");
        }
        final int connectionId = b.getInt(PostMessageLayout.CONNECTION_ID_OFFSET);
        final int vp = b.getInt(PostMessageLayout.VP_INDEX_OFFSET);
        final int type = b.getInt(PostMessageLayout.MESSAGE_TYPE_OFFSET);
        final long size = Integer.toUnsignedLong(b.getInt(PostMessageLayout.PAYLOAD_SIZE_OFFSET));
        if (length != PostMessageLayout.PAYLOAD_OFFSET + size) {
            return reject(
                    TransportError.MALFORMED,
                    "POST_MESSAGE body length=" + length + " (expected: " + (PostMessageLayout.PAYLOAD_OFFSET + size)
                            + " from payload_size=" + size + ")");
        }
        if (size > PostMessageLayout.MAX_PAYLOAD) {
            return new DecodeOutcome.PostTooLarge(connectionId, vp, size);
        }
        final Blob payload = Blob.of(body, PostMessageLayout.PAYLOAD_OFFSET, (int) size);
        final boolean trusted = (flags & FrameHeaderLayout.FLAG_TRUSTED) != 0;
        return decoded(new VmmFrame.PostMessage(connectionId, vp, type, payload, trusted));
    }

    private DecodeOutcome error(final ByteBuffer b) {
        if (length < ErrorLayout.MIN_SIZE) {
            return reject(
                    TransportError.MALFORMED,
                    "ERROR body length=" + length + " (expected: >= " + ErrorLayout.MIN_SIZE + ")");
        }
        final int code = b.getInt(ErrorLayout.CODE_OFFSET);
        final int n = Short.toUnsignedInt(b.getShort(ErrorLayout.MESSAGE_OFFSET));
        if (ErrorLayout.MIN_SIZE + n != length) {
            return reject(
                    TransportError.MALFORMED,
                    "ERROR body length=" + length + " (expected: " + (ErrorLayout.MIN_SIZE + n) + ")");
        }
        final String text = Utf8.decode(body, ErrorLayout.MESSAGE_OFFSET + StrLayout.BYTES_OFFSET, n);
        if (text == null) {
            return reject(TransportError.MALFORMED, "ERROR message is not UTF-8");
        }
        return decoded(new ServerFrame.Error(code, text));
    }

    private DecodeOutcome deliverMessage(final ByteBuffer b) {
        if (length < DeliverMessageLayout.PAYLOAD_OFFSET) {
            return reject(
                    TransportError.MALFORMED,
                    "DELIVER_MESSAGE body length=" + length + " (expected: >= " + DeliverMessageLayout.PAYLOAD_OFFSET
                            + ")");
        }
        final long size = Integer.toUnsignedLong(b.getInt(DeliverMessageLayout.PAYLOAD_SIZE_OFFSET));
        if (DeliverMessageLayout.PAYLOAD_OFFSET + size != length) {
            return reject(
                    TransportError.MALFORMED,
                    "DELIVER_MESSAGE body length=" + length + " (expected: "
                            + (DeliverMessageLayout.PAYLOAD_OFFSET + size) + ")");
        }
        return decoded(new ServerFrame.DeliverMessage(
                b.getInt(DeliverMessageLayout.SEQUENCE_OFFSET),
                b.getInt(DeliverMessageLayout.VP_INDEX_OFFSET),
                Byte.toUnsignedInt(b.get(DeliverMessageLayout.SINT_OFFSET)),
                Byte.toUnsignedInt(b.get(DeliverMessageLayout.VTL_OFFSET)),
                b.getInt(DeliverMessageLayout.MESSAGE_TYPE_OFFSET),
                Blob.of(body, DeliverMessageLayout.PAYLOAD_OFFSET, (int) size)));
    }
}
