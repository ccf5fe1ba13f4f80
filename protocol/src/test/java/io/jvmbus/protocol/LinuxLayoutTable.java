package io.jvmbus.protocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-side reader of {@code linux-6.1-struct-layouts.txt} (generated from the real Linux headers): structs and
 * unions, their sizes, and every member with its byte offset and size, or its bit position for bit fields. It parses
 * text only and shares nothing with the production layouts. Shared by every layout test of this module.
 */
public final class LinuxLayoutTable {

    /**
     * One member. For a byte field {@code bitWidth} is -1; for a bit field {@code offset} is the byte holding its
     * first bit and {@code size} is -1. A flexible array has {@code size} -1 and {@code bitWidth} -1.
     */
    public record Member(String name, int offset, int size, int bit, int bitWidth) {
        /**
         * Whether this member is a bit field.
         *
         * @return true for a bit field
         */
        public boolean isBitField() {
            return bitWidth >= 0;
        }

        /**
         * Whether this member is a flexible array.
         *
         * @return true for a flexible array
         */
        public boolean isFlex() {
            return !isBitField() && size < 0;
        }
    }

    /** A struct or union. */
    public record Aggregate(String kind, String name, int size, List<Member> members) {
        /**
         * One member by name.
         *
         * @param member the member's name, e.g. {@code feature_bits.value}
         * @return the member
         * @throws AssertionError if the table has no such member
         */
        public Member member(final String member) {
            return members.stream()
                    .filter(m -> m.name().equals(member))
                    .findFirst()
                    .orElseThrow(
                            () -> new AssertionError(kind + " " + name + " has no member " + member + " in the table: "
                                    + members.stream().map(Member::name).toList()));
        }
    }

    private static final Pattern HEAD = Pattern.compile("^(struct|union) (\\w+)\\s+size=\\s*(\\d+)$");
    private static final Pattern FIELD = Pattern.compile("^\\s+([\\w.]+)\\s+off=\\s*(\\d+) size=\\s*(\\d+|flex)$");
    private static final Pattern BITS =
            Pattern.compile("^\\s+([\\w.]+)\\s+bitfield: byte (\\d+) bit (\\d+) width (\\d+)$");

    private LinuxLayoutTable() {}

    /**
     * The table's location: {@code jvmbus.shared.dir}, else {@code ${jvmbus.repo.root}/../shared}. Fails (never skips)
     * when neither property is set or the file is missing.
     */
    public static Path locate() {
        final String shared = System.getProperty("jvmbus.shared.dir");
        final Path dir;
        if (shared != null && !shared.isBlank()) {
            dir = Path.of(shared);
        } else {
            final String root = System.getProperty("jvmbus.repo.root");
            if (root == null || root.isBlank()) {
                throw new AssertionError("neither system property jvmbus.shared.dir nor jvmbus.repo.root is set; "
                        + "run the test through Maven or ./jvmbus test");
            }
            dir = Path.of(root).resolve("..").resolve("shared").normalize();
        }
        final Path file = dir.resolve("reference").resolve("linux-6.1-struct-layouts.txt");
        if (!Files.isRegularFile(file)) {
            throw new AssertionError("Linux struct layout table not found at " + file
                    + " (expected: the generated table in the shared reference directory)");
        }
        return file;
    }

    /** Parses every struct and union; any line that is neither a header, a member nor blank fails the test. */
    public static Map<String, Aggregate> load(final Path file) throws IOException {
        final Map<String, Aggregate> out = new LinkedHashMap<>();
        String kind = null;
        String name = null;
        int size = 0;
        List<Member> members = null;
        int lineNo = 0;
        for (final String line : Files.readAllLines(file)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            final Matcher h = HEAD.matcher(line);
            if (h.matches()) {
                if (name != null) {
                    out.put(name, new Aggregate(kind, name, size, List.copyOf(members)));
                }
                kind = h.group(1);
                name = h.group(2);
                size = Integer.parseInt(h.group(3));
                members = new ArrayList<>();
                continue;
            }
            final Matcher f = FIELD.matcher(line);
            final Matcher b = BITS.matcher(line);
            if (members != null && f.matches()) {
                final int fieldSize = f.group(3).equals("flex") ? -1 : Integer.parseInt(f.group(3));
                members.add(new Member(f.group(1), Integer.parseInt(f.group(2)), fieldSize, 0, -1));
            } else if (members != null && b.matches()) {
                members.add(new Member(
                        b.group(1),
                        Integer.parseInt(b.group(2)),
                        -1,
                        Integer.parseInt(b.group(3)),
                        Integer.parseInt(b.group(4))));
            } else {
                throw new AssertionError(file + ":" + lineNo + ": unparsable line: " + line);
            }
        }
        if (name != null) {
            out.put(name, new Aggregate(kind, name, size, List.copyOf(members)));
        }
        return out;
    }
}
