package io.jvmbus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestMemoryTest {

    @TempDir
    Path dir;

    private Path file(final long size) throws IOException {
        final Path f = dir.resolve("ram-" + size);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
        }
        return f;
    }

    @Test
    void shouldShareBytesWithEveryOtherMappingOfTheFile() throws IOException {
        final Path f = file(3 * 4096);
        try (GuestMemory a = GuestMemory.map(f);
                GuestMemory b = GuestMemory.map(f)) {
            assertThat(a.pageCount()).isEqualTo(3);
            a.segment().set(ValueLayout.JAVA_LONG, 2 * 4096 + 8, 0x0102030405060708L);
            assertThat(b.segment().get(ValueLayout.JAVA_LONG, 2 * 4096 + 8)).isEqualTo(0x0102030405060708L);
        }
        final byte[] onDisk = Files.readAllBytes(f);
        assertThat(onDisk[2 * 4096 + 8])
                .as("guest physical address = file offset")
                .isEqualTo((byte) 8);
    }

    @Test
    void shouldRefuseFilesThatAreNotWholePages() throws IOException {
        final Path odd = file(4096 + 8);
        assertThatThrownBy(() -> GuestMemory.map(odd)).hasMessageContaining("size=4104");
        final Path empty = file(0);
        assertThatThrownBy(() -> GuestMemory.map(empty)).hasMessageContaining("size=0");
    }

    @Test
    void shouldCheckGuestAddressesOnCopy() {
        try (Arena arena = Arena.ofConfined()) {
            final GuestMemory m = GuestMemory.wrap(arena.allocate(2 * 4096, 4096));
            final MemorySegment buf = arena.allocate(16);
            buf.fill((byte) 7);
            assertThat(m.write(8192 - 16, buf, 0, 16)).isTrue();
            assertThat(m.read(8192 - 16, buf, 0, 16)).isTrue();
            assertThat(m.write(8192 - 15, buf, 0, 16)).isFalse();
            assertThat(m.read(-1, buf, 0, 1)).isFalse();
            assertThat(m.read(Long.MAX_VALUE, buf, 0, 16)).isFalse();
            assertThat(m.read(0, buf, 0, -1)).isFalse();
            assertThat(m.read(8192, buf, 0, 0)).isTrue();
        }
    }

    @Test
    void shouldCheckPageRangesWithoutOverflow() {
        try (Arena arena = Arena.ofConfined()) {
            final GuestMemory m = GuestMemory.wrap(arena.allocate(4 * 4096, 4096));
            assertThat(m.containsPages(0, 4)).isTrue();
            assertThat(m.containsPages(3, 1)).isTrue();
            assertThat(m.containsPages(4, 1)).isFalse();
            assertThat(m.containsPages(3, Long.MAX_VALUE)).isFalse();
            assertThat(m.containsPages(-1, 1)).isFalse();
            assertThat(m.containsPages(Long.MIN_VALUE, 1)).isFalse();
            assertThatThrownBy(() -> m.page(4)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void shouldWrapOnlyPageAlignedNativeSegments() {
        assertThatThrownBy(() -> GuestMemory.wrap(MemorySegment.ofArray(new byte[4096])))
                .hasMessageContaining("heap");
        try (Arena arena = Arena.ofConfined()) {
            final MemorySegment s = arena.allocate(3 * 4096, 4096);
            assertThatThrownBy(() -> GuestMemory.wrap(s.asSlice(8, 4096))).hasMessageContaining("page-aligned");
            assertThatThrownBy(() -> GuestMemory.wrap(s.asSlice(0, 100))).hasMessageContaining("size=100");
        }
    }
}
