package io.jvmbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.host.control.ControlCodec;
import io.jvmbus.host.control.ControlException;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.transport.DecodeOutcome;
import io.jvmbus.protocol.transport.FrameDecoder;
import io.jvmbus.protocol.transport.FrameEncoder;
import io.jvmbus.protocol.transport.FrameKind;
import io.jvmbus.protocol.transport.HelloLayout;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.protocol.transport.VmmFrame;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jvmbus inspect}: prints the state of the sessions of a running {@code jvmbus serve} as a tree. It opens a
 * session of its own (HELLO with VM name {@value #INSPECTOR_VM_NAME} and no RAM) and asks CONTROL {@code
 * {"op":"inspect","vm":NAME}}, which the server answers with the state of every other live session whose HELLO named
 * that VM ({@code "*"}: all of them).
 */
@Command(name = "inspect", description = "Print the state of the VM sessions of a running jvmbus serve.")
final class InspectCommand implements Callable<Integer> {

    /** The VM name the inspector's own session uses in HELLO. */
    static final String INSPECTOR_VM_NAME = "jvmbus-inspect";
    /** Exit status when the server cannot be reached or answers badly. */
    static final int UNREACHABLE = 3;
    /** Exit status when no session matches {@code --vm}. */
    static final int NO_SUCH_VM = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "the server's Unix socket")
    Path socket;

    @Option(
            names = "--vm",
            paramLabel = "NAME",
            description = "only sessions whose HELLO named this VM (default: every session)")
    String vm;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final JsonNode result;
        try {
            result = query(socket, vm == null ? "*" : vm);
        } catch (final IOException | ControlException e) {
            err.println("jvmbus inspect: " + e.getMessage());
            return UNREACHABLE;
        }
        if (!result.path("ok").asBoolean(false)) {
            err.println("jvmbus inspect: the server refused: "
                    + result.path("error").asText("(no reason)"));
            return UNREACHABLE;
        }
        final JsonNode sessions = result.path("sessions");
        if (sessions.isEmpty()) {
            out.println(vm == null ? "no sessions" : "no session of vm '" + vm + "'");
            out.flush();
            return vm == null ? 0 : NO_SUCH_VM;
        }
        for (final JsonNode s : sessions) {
            out.println("session " + s.path("session").asLong() + "  vm '"
                    + s.path("vm").asText() + "'"
                    + (s.path("ended").asBoolean(false)
                            ? "  ended: " + s.path("reason").asText() + " (its last state)"
                            : ""));
            if (s.has("error")) {
                out.println("  (no answer: " + s.path("error").asText() + ")");
            } else {
                printTree(out, s.path("state"), "  ");
            }
        }
        out.flush();
        return 0;
    }

    /** Opens a session, inspects, and returns the CONTROL_RESULT object. */
    static JsonNode query(final Path socket, final String vm) throws IOException, ControlException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            final ArrayDeque<DecodeOutcome> inbox = new ArrayDeque<>();
            final FrameDecoder decoder = new FrameDecoder(FrameKind.Sender.SERVER, FrameDecoder.Limits.DEFAULT);
            write(ch, new VmmFrame.Hello(HelloLayout.TRANSPORT_VERSION, 1, 0, "", INSPECTOR_VM_NAME));
            final ServerFrame hello = answer(ch, decoder, inbox);
            if (!(hello instanceof ServerFrame.HelloOk)) {
                throw new IOException("HELLO answered with " + describe(hello));
            }
            final ObjectNode request = ControlCodec.mapper().createObjectNode();
            request.put("op", "inspect");
            request.put("vm", vm);
            write(ch, new VmmFrame.Control(Blob.of(ControlCodec.bytes(request))));
            final ServerFrame result = answer(ch, decoder, inbox);
            if (!(result instanceof ServerFrame.ControlResult r)) {
                throw new IOException("CONTROL answered with " + describe(result));
            }
            return ControlCodec.mapper().readTree(r.json().toArray());
        }
    }

    private static String describe(final ServerFrame f) {
        return f instanceof ServerFrame.Error e
                ? "ERROR " + e.code() + ": " + e.message()
                : f.kind().toString();
    }

    private static void write(final SocketChannel ch, final VmmFrame f) throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(FrameEncoder.encode(f));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The next answer frame (0x80xx); unsolicited frames are skipped. */
    private static ServerFrame answer(
            final SocketChannel ch, final FrameDecoder decoder, final ArrayDeque<DecodeOutcome> inbox)
            throws IOException {
        final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        while (true) {
            while (!inbox.isEmpty()) {
                final DecodeOutcome o = inbox.poll();
                if (!(o instanceof DecodeOutcome.Decoded d) || !(d.frame() instanceof ServerFrame f)) {
                    throw new IOException("the server sent a bad frame: " + o);
                }
                if ((f.kind().code() & 0x8000) != 0) {
                    return f;
                }
            }
            buf.clear();
            if (ch.read(buf) < 0) {
                throw new IOException("the server closed the connection");
            }
            buf.flip();
            decoder.feed(buf, inbox::add);
        }
    }

    /** Prints a JSON value as an indented tree: objects as {@code key: value} lines, lists as {@code -} items. */
    static void printTree(final PrintWriter out, final JsonNode node, final String indent) {
        if (node.isObject()) {
            for (final Map.Entry<String, JsonNode> e : node.properties()) {
                final JsonNode v = e.getValue();
                if (isScalar(v) || isScalarList(v)) {
                    out.println(indent + e.getKey() + ": " + scalar(v));
                } else if (v.isEmpty()) {
                    out.println(indent + e.getKey() + ": (none)");
                } else {
                    out.println(indent + e.getKey() + ":");
                    printTree(out, v, indent + "  ");
                }
            }
        } else if (node.isArray()) {
            for (final JsonNode item : node) {
                if (isScalar(item)) {
                    out.println(indent + "- " + scalar(item));
                } else {
                    out.println(indent + "- " + headline(item));
                    printTree(out, withoutHeadline(item), indent + "    ");
                }
            }
        } else {
            out.println(indent + scalar(node));
        }
    }

    private static boolean isScalar(final JsonNode n) {
        return n.isValueNode();
    }

    private static boolean isScalarList(final JsonNode n) {
        if (!n.isArray() || n.isEmpty()) {
            return false;
        }
        for (final JsonNode i : n) {
            if (!i.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    private static String scalar(final JsonNode n) {
        if (n.isArray()) {
            final StringBuilder b = new StringBuilder("[");
            for (final JsonNode i : n) {
                b.append(b.length() > 1 ? ", " : "").append(i.asText());
            }
            return b.append(']').toString();
        }
        return n.isNull() ? "-" : n.asText();
    }

    private static String headline(final JsonNode item) {
        return item.has("name") ? item.path("name").asText() : "";
    }

    private static JsonNode withoutHeadline(final JsonNode item) {
        if (item.isObject() && item.has("name")) {
            final ObjectNode copy = ((ObjectNode) item).deepCopy();
            copy.remove("name");
            return copy;
        }
        return item;
    }
}
