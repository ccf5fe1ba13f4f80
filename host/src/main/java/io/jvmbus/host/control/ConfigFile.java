package io.jvmbus.host.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code jvmbus serve --config FILE} file: the devices every session starts with.
 *
 * <pre>
 * {"offers": [
 *   {"name": "echo0", "device": "echo",
 *    "interface": "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01", "instance": "11111111-0000-0000-0000-000000000001"}
 * ]}
 * </pre>
 *
 * <p>Each entry has the form of a CONTROL {@code offer} request ({@code "op"} may be left out). Names must be unique.
 *
 * @param offers the offers, in file order
 */
public record ConfigFile(List<ControlRequest.Offer> offers) {

    /** The largest config file read. */
    public static final int MAX_FILE_BYTES = ControlCodec.MAX_DOCUMENT_BYTES;

    /** A config with no devices. */
    public static final ConfigFile EMPTY = new ConfigFile(List.of());

    /** Copies the list. */
    public ConfigFile {
        offers = List.copyOf(offers);
    }

    /**
     * Reads and validates a config file.
     *
     * @param file the file
     * @return the config
     * @throws IOException if it cannot be read
     * @throws ControlException if it is not a valid config (the message names the entry)
     */
    public static ConfigFile load(final Path file) throws IOException, ControlException {
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new ControlException(
                    ControlException.Kind.BAD_JSON,
                    "config " + file + " is over " + MAX_FILE_BYTES + " bytes (expected: a small JSON file)");
        }
        return parse(bytes);
    }

    /**
     * Parses a config document.
     *
     * @param json its UTF-8 bytes
     * @return the config
     * @throws ControlException if it is not a valid config
     */
    public static ConfigFile parse(final byte[] json) throws ControlException {
        final ObjectNode root = ControlCodec.parseObject(json);
        for (final var it = root.fieldNames(); it.hasNext(); ) {
            final String f = it.next();
            if (!f.equals("offers")) {
                throw new ControlException(
                        ControlException.Kind.BAD_REQUEST, "unknown field '" + f + "' in config (expected: offers)");
            }
        }
        final JsonNode list = root.get("offers");
        if (list == null) {
            return EMPTY;
        }
        if (!(list instanceof ArrayNode array)) {
            throw new ControlException(ControlException.Kind.BAD_REQUEST, "offers=" + list + " (expected: a list)");
        }
        final List<ControlRequest.Offer> offers = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            final JsonNode entry = array.get(i);
            if (!(entry instanceof ObjectNode o)) {
                throw new ControlException(
                        ControlException.Kind.BAD_REQUEST, "offers[" + i + "]=" + entry + " (expected: an object)");
            }
            final ControlRequest.Offer offer;
            try {
                offer = ControlCodec.parseOffer(o);
            } catch (final ControlException e) {
                throw new ControlException(e.kind(), "offers[" + i + "]: " + e.getMessage());
            }
            if (!names.add(offer.name())) {
                throw new ControlException(
                        ControlException.Kind.CONFLICT,
                        "offers[" + i + "]: name '" + offer.name() + "' used twice (expected: unique names)");
            }
            offers.add(offer);
        }
        return new ConfigFile(offers);
    }
}
