package io.jvmbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.jvmbus.host.session.SessionStateCodec;
import io.jvmbus.host.session.savedstate.SavedDevice;
import io.jvmbus.host.session.savedstate.SavedSession;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.server.ChannelState;
import io.jvmbus.server.ConnectionPhase;
import io.jvmbus.server.GpadlState;
import io.jvmbus.server.RestoreLimits;
import io.jvmbus.server.SavedStateCodec;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.savedstate.SavedChannel;
import io.jvmbus.server.savedstate.SavedConnection;
import io.jvmbus.server.savedstate.SavedConnectionInfo;
import io.jvmbus.server.savedstate.SavedDeviceOpen;
import io.jvmbus.server.savedstate.SavedGpadl;
import io.jvmbus.server.savedstate.SavedHvsockRequest;
import io.jvmbus.server.savedstate.SavedInitiateContact;
import io.jvmbus.server.savedstate.SavedMonitorPages;
import io.jvmbus.server.savedstate.SavedOfferKey;
import io.jvmbus.server.savedstate.SavedOpenRequest;
import io.jvmbus.server.savedstate.SavedQueuedMessage;
import io.jvmbus.server.savedstate.SavedServerState;
import io.jvmbus.server.savedstate.SavedVersionInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jvmbus savedstate}: tools for saved-state blobs ({@code docs/saved-state.md}). {@code savedstate show FILE}
 * prints a blob as a readable tree, {@code --json} as JSON; an invalid blob prints its typed error.
 */
@Command(
        name = "savedstate",
        description = "Work with saved-state blobs.",
        subcommands = {SavedStateCommand.Show.class, CommandLine.HelpCommand.class})
final class SavedStateCommand implements Callable<Integer> {

    /** Exit status when the file cannot be read. */
    static final int UNREADABLE = 2;

    /** Exit status when the blob is not a valid saved state. */
    static final int INVALID = 5;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code savedstate show FILE [--json]}. */
    @Command(name = "show", description = "Print a saved-state blob as a tree (or JSON).")
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the blob")
        Path file;

        @Option(names = "--json", description = "print JSON instead of a tree")
        boolean json;

        @Override
        public Integer call() throws IOException {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            final byte[] blob;
            try {
                blob = Files.readAllBytes(file);
            } catch (final IOException e) {
                err.println("jvmbus savedstate show: cannot read " + file + ": " + e.getMessage());
                err.flush();
                return UNREADABLE;
            }
            final ObjectNode tree;
            try {
                tree = SessionStateCodec.hasMagic(blob) ? sessionTree(blob) : coreTree(blob);
            } catch (final IllegalArgumentException e) {
                err.println("jvmbus savedstate show: " + file + ": " + e.getMessage());
                err.flush();
                return INVALID;
            }
            if (json) {
                out.println(new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(tree));
            } else {
                printTree(out, tree, "");
            }
            out.flush();
            return 0;
        }
    }

    /** The widest limits a server can be configured with: show what any server saved. */
    /** A core blob as a tree; its checksum and format are checked first. */
    static ObjectNode coreTree(final byte[] blob) {
        final SavedStateCodec.Decoded decoded = SavedStateCodec.decode(blob, RestoreLimits.defaults(), LENIENT);
        if (decoded instanceof SavedStateCodec.Decoded.Failed f) {
            throw new IllegalArgumentException(f.error().toString());
        }
        final SavedStateCodec.Decoded.Ok ok = (SavedStateCodec.Decoded.Ok) decoded;
        return tree(ok.state(), ok.formatVersion(), blob.length);
    }

    /** A session blob ({@code serve}'s SAVED, or a {@code --save-to} file) as a tree, with its core blob inside. */
    static ObjectNode sessionTree(final byte[] blob) {
        final SessionStateCodec.Decoded decoded = SessionStateCodec.decode(blob);
        if (decoded instanceof SessionStateCodec.Decoded.Failed f) {
            throw new IllegalArgumentException("session state: " + f);
        }
        final SessionStateCodec.Decoded.Ok ok = (SessionStateCodec.Decoded.Ok) decoded;
        final SavedSession s = ok.session();
        final ObjectNode t = F.objectNode();
        t.put("kind", "jvmbus serve session");
        t.put("format_version", ok.formatVersion());
        t.put("bytes", blob.length);
        t.put("vm_name", s.getVmName());
        t.put("vp_count", Integer.toUnsignedLong(s.getVpCount()));
        t.put("ram_bytes", Long.toUnsignedString(s.getRamBytes()));
        t.put("queued_messages", Integer.toUnsignedLong(s.getQueuedMessages()));
        t.put("delivery_outstanding", s.getDeliveryOutstanding());
        final ArrayNode devices = t.putArray("devices");
        for (final SavedDevice d : s.getDevicesList()) {
            final ObjectNode j = devices.addObject();
            j.put("name", d.getName());
            j.put("kind", d.getKind());
            j.put("interface", guid(d.getInterfaceId()));
            j.put("instance", guid(d.getInstanceId()));
            j.put("subchannel_index", Integer.toUnsignedLong(d.getSubchannelIndex()));
            j.put("open", d.getOpen());
            j.put("state_bytes", d.getState().size());
        }
        t.set("core", coreTree(s.getCore().toByteArray()));
        return t;
    }

    static final ServerConfig LENIENT = ServerConfig.builder()
            .maxGpadls(Integer.MAX_VALUE)
            .maxQueuedMessages(Integer.MAX_VALUE)
            .maxOutstandingHvsockRequests(Integer.MAX_VALUE)
            .build();

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * The blob's content as a tree with readable values (state names, GUID text, decoded messages).
     *
     * @param s the state
     * @param formatVersion the envelope's format version
     * @param size the blob's size in bytes
     * @return the tree
     */
    static ObjectNode tree(final SavedServerState s, final int formatVersion, final int size) {
        final ObjectNode root = F.objectNode();
        root.put("format_version", formatVersion);
        root.put("bytes", size);
        root.set("connection", connection(s.getConnection()));
        final ArrayNode channels = root.putArray("channels");
        for (final SavedChannel c : s.getChannelsList()) {
            channels.add(channel(c));
        }
        final ArrayNode gpadls = root.putArray("gpadls");
        for (final SavedGpadl g : s.getGpadlsList()) {
            final ObjectNode n = F.objectNode();
            n.put("channel", key(g.getChannel()));
            n.put("gpadl_id", Integer.toUnsignedString(g.getGpadlId()));
            n.put("state", GpadlState.ofCode(g.getState()).map(Enum::name).orElse("unknown " + g.getState()));
            n.put("range_count", g.getRangeCount());
            n.put("words", g.getWordsCount() + " of " + g.getExpectedWords());
            final ArrayNode words = n.putArray("data");
            for (final long w : g.getWordsList()) {
                words.add(String.format("0x%016x", w));
            }
            gpadls.add(n);
        }
        final ArrayNode outgoing = root.putArray("outgoing");
        for (final SavedQueuedMessage m : s.getOutgoingList()) {
            final ObjectNode n = F.objectNode();
            n.put(
                    "target",
                    switch (m.getTarget().getTargetCase()) {
                        case DEFAULT_TARGET -> "default";
                        case RESERVED ->
                            "reserved channel " + m.getTarget().getReserved().getChannelId() + " vp "
                                    + m.getTarget().getReserved().getVp() + " sint "
                                    + m.getTarget().getReserved().getSint();
                        case CUSTOM ->
                            "vp " + m.getTarget().getCustom().getVp() + " sint "
                                    + m.getTarget().getCustom().getSint();
                        case TARGET_NOT_SET -> "none";
                    });
            n.put("message", message(m.getMessage()));
            if (m.getHeldByPause()) {
                n.put("held_by_pause", true);
            }
            outgoing.add(n);
        }
        final ArrayNode hvsock = root.putArray("hvsock_requests");
        for (final SavedHvsockRequest r : s.getHvsockRequestsList()) {
            final ObjectNode n = F.objectNode();
            n.put("service_id", guid(r.getServiceId()));
            n.put("endpoint_id", guid(r.getEndpointId()));
            n.put("silo_id", guid(r.getSiloId()));
            n.put("hosted_silo_unaware", r.getHostedSiloUnaware());
            hvsock.add(n);
        }
        return root;
    }

    private static ObjectNode connection(final SavedConnection c) {
        final ObjectNode n = F.objectNode();
        n.put(
                "phase",
                c.hasPhase()
                        ? ConnectionPhase.ofCode(c.getPhase()).map(Enum::name).orElse("unknown " + c.getPhase())
                        : "missing");
        if (c.hasInfo()) {
            final SavedConnectionInfo i = c.getInfo();
            n.put("version", version(i.getVersion()));
            n.put("feature_flags", flags(i.getVersion().getFeatureFlags()));
            n.put("trusted", i.getTrusted());
            n.put("offers_sent", i.getOffersSent());
            if (i.getInterruptPage() != 0) {
                n.put("interrupt_page", hex(i.getInterruptPage()));
            }
            if (i.hasMonitorPages()) {
                n.put("monitor_pages", pages(i.getMonitorPages()));
            }
            n.put("target_message_vp", i.getTargetMessageVp());
            if (i.getModifying()) {
                n.put("modifying", true);
                if (i.hasPendingMonitorPages()) {
                    n.put("pending_monitor_pages", pages(i.getPendingMonitorPages()));
                }
            }
            n.put("client_id", guid(i.getClientId()));
            n.put("paused", i.getPaused());
        }
        if (c.hasNextAction()) {
            n.put(
                    "next_action",
                    switch (c.getNextAction().getActionCase()) {
                        case NONE -> "none";
                        case RESET -> "reset";
                        case SEND_UNLOAD_COMPLETE -> "send unload complete";
                        case RECONNECT ->
                            "reconnect: " + initiateContact(c.getNextAction().getReconnect());
                        case ACTION_NOT_SET -> "not set";
                    });
        }
        if (c.getModifySent()) {
            n.put("modify_sent", true);
        }
        if (c.getRelayModifyOutstanding()) {
            n.put("relay_modify_outstanding", true);
        }
        n.put("default_target_vp", c.getDefaultTargetVp());
        return n;
    }

    private static String initiateContact(final SavedInitiateContact r) {
        return "version "
                + ProtocolVersion.of(r.getVersionRequested())
                        .map(ProtocolVersion::toString)
                        .orElse(hex(Integer.toUnsignedLong(r.getVersionRequested())))
                + " vp " + r.getTargetMessageVp() + " flags " + flags(r.getFeatureFlags());
    }

    private static ObjectNode channel(final SavedChannel c) {
        final ObjectNode n = F.objectNode();
        n.put("key", key(c.getKey()));
        if (!c.getOffer().getInterfaceName().isEmpty()) {
            n.put("name", c.getOffer().getInterfaceName());
        }
        final String state = ChannelState.ofCode(c.getState()).map(Enum::name).orElse("unknown " + c.getState());
        n.put("state", c.hasReserved() ? state + "_RESERVED" : state);
        n.put("channel_id", c.getChannelId());
        if (c.hasMonitorId()) {
            n.put("monitor_id", c.getMonitorId() + (c.getMonitorFromPool() ? " (allocated)" : " (relayed)"));
        }
        if (c.getOffered()) {
            n.put("offered", true);
        }
        if (c.getHotAddPending()) {
            n.put("hot_add_pending", true);
        }
        if (c.hasReserved()) {
            n.put(
                    "reserved",
                    version(c.getReserved().getVersion()) + " target vp "
                            + c.getReserved().getVp() + " sint "
                            + c.getReserved().getSint());
        }
        if (c.hasRequest()) {
            n.put("request", openRequest(c.getRequest()));
        }
        if (c.hasReopenRequest()) {
            n.put("reopen_request", openRequest(c.getReopenRequest()));
        }
        if (c.hasModify()) {
            n.put(
                    "modify",
                    "to vp " + c.getModify().getInFlightVp()
                            + (c.getModify().hasPendingVp()
                                    ? ", then " + c.getModify().getPendingVp()
                                    : "")
                            + (c.getModify().getStale() ? " (stale)" : ""));
        }
        if (c.hasDeviceOpen()) {
            final SavedDeviceOpen d = c.getDeviceOpen();
            n.put(
                    "device_open",
                    "channel " + d.getParams().getChannelId() + " gpadl "
                            + Integer.toUnsignedString(d.getParams().getRingBufferGpadlId()) + " event flag "
                            + d.getParams().getEventFlag() + " connection "
                            + hex(d.getParams().getConnectionId())
                            + " under " + version(d.getVersion()));
        }
        return n;
    }

    private static String openRequest(final SavedOpenRequest r) {
        return "open id " + r.getOpenId() + " gpadl " + Integer.toUnsignedString(r.getRingBufferGpadlId())
                + " target vp " + (r.getTargetVp() == -1 ? "none" : Integer.toUnsignedString(r.getTargetVp()))
                + " offset " + r.getDownstreamRingBufferPageOffset() + " flags " + hex(r.getFlags());
    }

    private static String version(final SavedVersionInfo v) {
        final String name = ProtocolVersion.of(v.getVersion())
                .map(ProtocolVersion::toString)
                .orElse("unknown " + hex(Integer.toUnsignedLong(v.getVersion())));
        return v.getFeatureFlags() == 0 ? name : name + " flags " + flags(v.getFeatureFlags());
    }

    private static String flags(final int f) {
        return hex(Integer.toUnsignedLong(f)) + (f == 0 ? "" : " (" + FeatureFlags.describe(f) + ")");
    }

    private static String pages(final SavedMonitorPages p) {
        return "parent_to_child " + hex(p.getParentToChild()) + " child_to_parent " + hex(p.getChildToParent())
                + (p.getServerAllocated() ? " (server allocated)" : "");
    }

    private static String key(final SavedOfferKey k) {
        return guid(k.getInterfaceId()) + "/" + guid(k.getInstanceId())
                + (k.getSubchannelIndex() == 0 ? "" : "#" + k.getSubchannelIndex());
    }

    private static String guid(final ByteString b) {
        return b.size() == Guid.SIZE
                ? Guid.read(ByteBuffer.wrap(b.toByteArray()), 0).toString()
                : "(bad guid)";
    }

    private static String message(final ByteString raw) {
        final DecodeResult d = MessageCodec.decode(
                raw.toByteArray(), Direction.HOST_TO_GUEST, DecodeContext.connected(ProtocolVersion.COPPER, 0xFF));
        return d instanceof DecodeResult.Decoded ok
                ? ok.message().toString()
                : "undecodable: " + ((DecodeResult.Failed) d).error().describe();
    }

    private static String hex(final long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Prints a tree: "name: value" for scalars, nested objects indented, array items prefixed with "- ". */
    static void printTree(final PrintWriter out, final JsonNode node, final String indent) {
        final Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            final Map.Entry<String, JsonNode> f = fields.next();
            final JsonNode v = f.getValue();
            if (v.isObject()) {
                out.println(indent + f.getKey() + ":");
                printTree(out, v, indent + "  ");
            } else if (v.isArray()) {
                out.println(indent + f.getKey() + ": (" + v.size() + ")");
                for (final JsonNode item : v) {
                    if (item.isObject()) {
                        out.println(indent + "  -");
                        printTree(out, item, indent + "    ");
                    } else {
                        out.println(indent + "  - " + item.asText());
                    }
                }
            } else {
                out.println(indent + f.getKey() + ": " + v.asText());
            }
        }
    }
}
