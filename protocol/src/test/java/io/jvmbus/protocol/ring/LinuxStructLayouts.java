package io.jvmbus.protocol.ring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-side reader of {@code linux-6.1-struct-layouts.txt}, the generated offset/size table of the real Linux
 * structs. Independent of the production constants: it only parses text.
 */
final class LinuxStructLayouts {

    /** A field: offset and size in bytes; size -1 for a flexible array. */
    record Field(int offset, int size) {}

    /** A struct: its size and fields by name. */
    record Struct(String name, int size, Map<String, Field> fields) {
        Field field(final String field) {
            final Field f = fields.get(field);
            if (f == null) {
                throw new AssertionError(
                        "struct " + name + " has no field " + field + " in the table: " + fields.keySet());
            }
            return f;
        }
    }

    private static final Pattern STRUCT = Pattern.compile("^struct (\\w+)\\s+size=\\s*(\\d+)$");
    private static final Pattern FIELD = Pattern.compile("^\\s+([\\w.]+)\\s+off=\\s*(\\d+) size=\\s*(\\d+|flex)$");

    private final Map<String, Struct> structs;

    private LinuxStructLayouts(final Map<String, Struct> structs) {
        this.structs = structs;
    }

    static Path defaultPath() {
        final String shared = System.getProperty("jvmbus.shared.dir");
        if (shared != null && !shared.isBlank()) {
            return Path.of(shared, "reference", "linux-6.1-struct-layouts.txt");
        }
        final String root = System.getProperty("jvmbus.repo.root");
        if (root == null || root.isBlank()) {
            throw new AssertionError("neither jvmbus.shared.dir nor jvmbus.repo.root is set (run through Maven)");
        }
        return Path.of(root, "..", "shared", "reference", "linux-6.1-struct-layouts.txt")
                .normalize();
    }

    static LinuxStructLayouts load(final Path file) throws IOException {
        final List<String> lines = Files.readAllLines(file);
        final Map<String, Struct> structs = new LinkedHashMap<>();
        String name = null;
        int size = 0;
        Map<String, Field> fields = null;
        for (final String line : lines) {
            final Matcher s = STRUCT.matcher(line);
            if (s.matches()) {
                if (name != null) {
                    structs.put(name, new Struct(name, size, fields));
                }
                name = s.group(1);
                size = Integer.parseInt(s.group(2));
                fields = new LinkedHashMap<>();
                continue;
            }
            final Matcher f = FIELD.matcher(line);
            if (f.matches() && fields != null) {
                final int fieldSize = f.group(3).equals("flex") ? -1 : Integer.parseInt(f.group(3));
                fields.put(f.group(1), new Field(Integer.parseInt(f.group(2)), fieldSize));
            }
        }
        if (name != null) {
            structs.put(name, new Struct(name, size, fields));
        }
        return new LinuxStructLayouts(structs);
    }

    Struct struct(final String name) {
        final Struct s = structs.get(name);
        if (s == null) {
            throw new AssertionError("no struct " + name + " in the table");
        }
        return s;
    }

    int count() {
        return structs.size();
    }
}
