package io.jvmbus.host.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.Guid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Parses CONTROL requests and builds results. Parsing is bounded: at most {@link #MAX_DOCUMENT_BYTES} of input, 16
 * levels of nesting, 4 KiB per string and 32 digits per number; duplicate keys and unknown fields are refused.
 * Every problem is a {@link ControlException} whose message names the field, the value and the expectation.
 */
public final class ControlCodec {

    /** The largest request document. */
    public static final int MAX_DOCUMENT_BYTES = 64 << 10;
    /** The longest channel name, in characters. */
    public static final int MAX_NAME_LENGTH = 128;
    /** The most user-defined bytes an offer carries. */
    public static final int MAX_USER_DEFINED_BYTES = 120;
    /** The most subchannels an offer may ask for. */
    public static final int MAX_SUBCHANNELS = 256;

    private static final ObjectMapper MAPPER = newMapper();

    private static final Set<String> OFFER_FIELDS = Set.of(
            "op",
            "name",
            "device",
            "interface",
            "instance",
            "flags",
            "mmio_mb",
            "user_defined",
            "subchannels",
            "mnf",
            "order",
            "endpoint");
    private static final Set<String> REVOKE_FIELDS = Set.of("op", "name");
    private static final Set<String> COMPLETE_FIELDS = Set.of("op", "name", "request", "status", "gpadl");
    private static final Set<String> INSPECT_FIELDS = Set.of("op", "vm");

    private ControlCodec() {}

    private static ObjectMapper newMapper() {
        final JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(MAX_DOCUMENT_BYTES)
                        .maxNestingDepth(16)
                        .maxStringLength(4096)
                        .maxNameLength(256)
                        .maxNumberLength(32)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        final ObjectMapper mapper = new ObjectMapper(factory);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(JsonParser.Feature.ALLOW_COMMENTS);
        return mapper;
    }

    /**
     * The shared mapper (bounded, strict), for results and tests.
     *
     * @return the mapper
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Parses a JSON document into a tree, bounded.
     *
     * @param json UTF-8 bytes
     * @return the top-level object
     * @throws ControlException if it is not one JSON object within the bounds
     */
    public static ObjectNode parseObject(final byte[] json) throws ControlException {
        if (json.length > MAX_DOCUMENT_BYTES) {
            throw new ControlException(
                    ControlException.Kind.BAD_JSON,
                    "request of " + json.length + " bytes (expected: <= " + MAX_DOCUMENT_BYTES + ")");
        }
        final JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (final JsonProcessingException e) {
            throw new ControlException(ControlException.Kind.BAD_JSON, "not JSON: " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw new ControlException(ControlException.Kind.BAD_JSON, "not JSON: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ControlException(
                    ControlException.Kind.BAD_JSON,
                    "request is "
                            + (node == null
                                    ? "empty"
                                    : node.getNodeType().toString().toLowerCase()) + " (expected: a JSON object)");
        }
        return object;
    }

    /**
     * Parses one CONTROL request.
     *
     * @param json the CONTROL frame's body
     * @return the request
     * @throws ControlException if it is malformed or unknown
     */
    public static ControlRequest parse(final byte[] json) throws ControlException {
        return parse(parseObject(json));
    }

    /**
     * Parses one CONTROL request from a tree.
     *
     * @param o the request object
     * @return the request
     * @throws ControlException if it is malformed or unknown
     */
    public static ControlRequest parse(final ObjectNode o) throws ControlException {
        final String op = requiredString(o, "op");
        return switch (op) {
            case "offer" -> parseOffer(o);
            case "revoke" -> {
                onlyFields(o, REVOKE_FIELDS, op);
                yield new ControlRequest.Revoke(name(o));
            }
            case "complete" -> parseComplete(o);
            case "inspect" -> {
                onlyFields(o, INSPECT_FIELDS, op);
                yield new ControlRequest.Inspect(optionalString(o, "vm"));
            }
            default -> throw bad("op '" + op + "' (expected: offer, revoke, complete or inspect)");
        };
    }

    /**
     * Parses an offer whose {@code op} may be absent (the {@code --config} form).
     *
     * @param o the offer object
     * @return the offer
     * @throws ControlException if it is malformed
     */
    public static ControlRequest.Offer parseOffer(final ObjectNode o) throws ControlException {
        if (o.has("op") && !"offer".equals(o.get("op").asText(null))) {
            throw bad("op '" + o.get("op") + "' in an offer (expected: \"offer\" or no op)");
        }
        onlyFields(o, OFFER_FIELDS, "offer");
        final String name = name(o);
        final String device = requiredString(o, "device");
        final Guid iface = guid(o, "interface");
        final Guid instance = guid(o, "instance");
        final int flags = (int) optionalLong(o, "flags", 0, 0xFFFF).orElse(0);
        final int mmio = (int) optionalLong(o, "mmio_mb", 0, 0xFFFF).orElse(0);
        final Blob user = userDefined(o);
        final int sub = (int) optionalLong(o, "subchannels", 0, MAX_SUBCHANNELS).orElse(0);
        final boolean mnf = optionalBoolean(o, "mnf");
        final OptionalLong order = optionalLong(o, "order", Long.MIN_VALUE, Long.MAX_VALUE);
        final Optional<String> endpoint =
                o.has("endpoint") ? Optional.of(requiredString(o, "endpoint")) : Optional.empty();
        return new ControlRequest.Offer(name, device, iface, instance, flags, mmio, user, sub, mnf, order, endpoint);
    }

    private static ControlRequest parseComplete(final ObjectNode o) throws ControlException {
        onlyFields(o, COMPLETE_FIELDS, "complete");
        final String name = name(o);
        final String requestText = requiredString(o, "request");
        final ControlRequest.RequestKind request = ControlRequest.RequestKind.of(requestText)
                .orElseThrow(() ->
                        bad("request '" + requestText + "' (expected: open, close, gpadl, teardown or" + " modify)"));
        final OptionalLong status = optionalLong(o, "status", Integer.MIN_VALUE, 0xFFFFFFFFL);
        if (status.isEmpty()) {
            throw bad("status missing (expected: an NT status, 0 for success)");
        }
        final OptionalLong gpadl = optionalLong(o, "gpadl", 0, 0xFFFFFFFFL);
        if ((request == ControlRequest.RequestKind.GPADL || request == ControlRequest.RequestKind.TEARDOWN)
                && gpadl.isEmpty()) {
            throw bad("gpadl missing (expected: the GPADL id for request '" + request.wire() + "')");
        }
        return new ControlRequest.Complete(name, request, (int) status.getAsLong(), gpadl);
    }

    /**
     * A successful result.
     *
     * @return {@code {"ok":true}}, to which callers add fields
     */
    public static ObjectNode ok() {
        final ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("ok", true);
        return r;
    }

    /**
     * A failed result.
     *
     * @param error what was wrong
     * @return {@code {"ok":false,"error":error}}
     */
    public static ObjectNode error(final String error) {
        final ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("ok", false);
        r.put("error", error);
        return r;
    }

    /**
     * Serialises a result.
     *
     * @param node the result
     * @return its UTF-8 bytes
     */
    public static byte[] bytes(final JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (final JsonProcessingException e) {
            // a tree of plain nodes always serialises; keep the contract of returning JSON anyway
            return ("{\"ok\":false,\"error\":\"result not serialisable\"}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static ControlException bad(final String message) {
        return new ControlException(ControlException.Kind.BAD_REQUEST, message);
    }

    private static void onlyFields(final ObjectNode o, final Set<String> allowed, final String op)
            throws ControlException {
        for (final Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            final String f = it.next();
            if (!allowed.contains(f)) {
                throw bad("unknown field '" + f + "' in " + op + " (expected: one of "
                        + new java.util.TreeSet<>(allowed) + ")");
            }
        }
    }

    private static String requiredString(final ObjectNode o, final String field) throws ControlException {
        final JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            throw bad(field + " missing (expected: a string)");
        }
        if (!n.isTextual()) {
            throw bad(field + "=" + n + " (expected: a string)");
        }
        return n.textValue();
    }

    private static Optional<String> optionalString(final ObjectNode o, final String field) throws ControlException {
        final JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw bad(field + "=" + n + " (expected: a string)");
        }
        return Optional.of(n.textValue());
    }

    private static String name(final ObjectNode o) throws ControlException {
        final String name = requiredString(o, "name");
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            throw bad("name length=" + name.length() + " (expected: 1.." + MAX_NAME_LENGTH + ")");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw bad("name contains a control character at " + i + " (expected: printable text)");
            }
        }
        return name;
    }

    private static Guid guid(final ObjectNode o, final String field) throws ControlException {
        final String text = requiredString(o, field);
        try {
            return Guid.parse(text);
        } catch (final IllegalArgumentException e) {
            throw bad(field + "='" + text + "' (expected: xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
        }
    }

    private static OptionalLong optionalLong(final ObjectNode o, final String field, final long min, final long max)
            throws ControlException {
        final JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return OptionalLong.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw bad(field + "=" + n + " (expected: an integer in " + min + ".." + max + ")");
        }
        final long v = n.longValue();
        if (v < min || v > max) {
            throw bad(field + "=" + v + " (expected: " + min + ".." + max + ")");
        }
        return OptionalLong.of(v);
    }

    private static boolean optionalBoolean(final ObjectNode o, final String field) throws ControlException {
        final JsonNode n = o.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw bad(field + "=" + n + " (expected: true or false)");
        }
        return n.booleanValue();
    }

    private static Blob userDefined(final ObjectNode o) throws ControlException {
        final Optional<String> hex = optionalString(o, "user_defined");
        if (hex.isEmpty()) {
            return Blob.EMPTY;
        }
        final String h = hex.get();
        if (h.length() % 2 != 0 || h.length() > 2 * MAX_USER_DEFINED_BYTES) {
            throw bad("user_defined has " + h.length() + " hex digits (expected: an even count, at most "
                    + 2 * MAX_USER_DEFINED_BYTES + ")");
        }
        try {
            return Blob.of(HexFormat.of().parseHex(h));
        } catch (final IllegalArgumentException e) {
            throw bad("user_defined='" + h + "' (expected: hex digits)");
        }
    }
}
