package io.jvmbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class GuestRamTest {

    @Test
    void shouldNeverHandOutPageZeroAndAllocateContiguousRuns() {
        try (GuestRam ram = GuestRam.createTemp(16)) {
            final long[] a = ram.allocate(3);
            final long[] b = ram.allocate(2);

            assertThat(a).containsExactly(1, 2, 3);
            assertThat(b).containsExactly(4, 5);
            assertThat(ram.freePages()).isEqualTo(16 - 1 - 5);
        }
    }

    @Test
    void shouldReuseFreedPagesZeroed() {
        try (GuestRam ram = GuestRam.createTemp(8)) {
            final long[] a = ram.allocate(2);
            ram.memory().segment().set(ValueLayout.JAVA_LONG, a[0] * 4096, -1L);
            ram.free(a);

            final long[] again = ram.allocate(2);

            assertThat(again).containsExactly(a);
            assertThat(ram.memory().segment().get(ValueLayout.JAVA_LONG, again[0] * 4096))
                    .isZero();
        }
    }

    @Test
    void shouldSkipARunTooShortForTheRequest() {
        try (GuestRam ram = GuestRam.createTemp(10)) {
            final long[] a = ram.allocate(2); // 1,2
            ram.allocate(1); // 3
            ram.free(a);

            assertThat(ram.allocate(3)).containsExactly(4, 5, 6);
            assertThat(ram.allocate(2)).containsExactly(1, 2);
        }
    }

    @Test
    void shouldReportExhaustionAsNoMemory() {
        try (GuestRam ram = GuestRam.createTemp(4)) {
            assertThatThrownBy(() -> ram.allocate(4))
                    .isInstanceOfSatisfying(
                            GuestException.class, e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.NO_MEMORY));
            assertThat(ram.allocate(3)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void shouldRefuseADoubleFree() {
        try (GuestRam ram = GuestRam.createTemp(4)) {
            final long[] a = ram.allocate(1);
            ram.free(a);

            assertThatThrownBy(() -> ram.free(a)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldDeleteATemporaryFileOnClose() {
        final Path file;
        try (GuestRam ram = GuestRam.createTemp(4)) {
            file = ram.file();
            assertThat(Files.size(file)).isEqualTo(4 * 4096);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThat(file).doesNotExist();
    }
}
