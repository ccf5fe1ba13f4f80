package io.jvmbus.host.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device config file is read within its size bound. */
class ConfigFileTest {

    @Test
    void shouldRefuseAConfigFileOverItsSizeLimit(@TempDir final Path dir) throws Exception {
        final Path big = dir.resolve("big.json");
        // Valid JSON, just too large: whitespace after an empty offer list.
        Files.writeString(big, "{\"offers\":[]}" + " ".repeat(ConfigFile.MAX_FILE_BYTES));
        assertThatThrownBy(() -> ConfigFile.load(big))
                .isInstanceOf(ControlException.class)
                .hasMessageContaining("is over " + ConfigFile.MAX_FILE_BYTES + " bytes");
        final Path small = dir.resolve("small.json");
        Files.writeString(small, "{\"offers\":[]}");
        assertThat(ConfigFile.load(small)).isNotNull();
    }
}
