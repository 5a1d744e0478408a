package diffusion.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A write replaces the file whole or not at all, and a failed one leaves no temporary file. */
class AtomicFileTest {

    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void aWriteReplacesTheFileAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("sub/table.csv");
        AtomicFile.write(file, out -> out.write("old".getBytes(StandardCharsets.UTF_8)));
        AtomicFile.write(file, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.close(); // a writer that closes its stream (Tablesaw does) is fine
        });
        assertEquals("new", Files.readString(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** A writer failing half-way (as on a full disk) keeps the old content and removes its temporary file. */
    @Test
    void aWriteThatFailsHalfWayKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("figure.png");
        Files.writeString(file, "good figure");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, out -> {
            out.write(new byte[100_000]);
            throw new IOException("No space left on device");
        }));
        assertEquals("could not write " + file + ": IOException (No space left on device)", e.getMessage());
        assertEquals("good figure", Files.readString(file));
        assertEquals(List.of(file), files());
        assertThrows(UncheckedIOException.class, () -> AtomicFile.write(file, out -> {
            throw new IllegalStateException("a library's own exception");
        }));
        assertEquals(List.of(file), files());
    }

    @Test
    void writabilityIsCheckedWithoutLeavingAFile() throws IOException {
        Path file = dir.resolve("deep/er/eps.params");
        assertEquals(file, AtomicFile.requireWritable("checkpoint", file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(0, files.count());
        }
        Path blocker = Files.writeString(dir.resolve("blocker"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtomicFile.requireWritable("checkpoint", blocker.resolve("eps.params")));
        assertTrue(e.getMessage().startsWith("checkpoint = " + blocker.resolve("eps.params") + " cannot be written: "), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AtomicFile.requireWritable("checkpoint", dir));
        assertThrows(IllegalArgumentException.class, () -> AtomicFile.requireWritable("checkpoint", null));
    }
}
