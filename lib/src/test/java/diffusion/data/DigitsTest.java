package diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.report.Results;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigitsTest extends ManagedTest {

    private static final Path FILE = Results.repoRoot().resolve(Digits.FILE);

    /** The CSV lines of the shipped file, read independently of the loader. */
    private static List<String> lines(Path file) throws IOException {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
            return reader.lines().filter(line -> !line.isBlank()).toList();
        }
    }

    /** The CSV row of image i of a set: its 64 pixels and the label, comma-separated. */
    private static String row(LabelledImages images, int i) {
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < 64; j++) {
            text.append(images.pixel(i, j)).append(',');
        }
        return text.append(images.labels()[i]).toString();
    }

    @Test
    void readsEveryRowOfTheShippedFileInOrder() throws IOException {
        LabelledImages all = Digits.readAll(FILE);
        List<String> lines = lines(FILE);
        assertEquals(Digits.ROWS, lines.size());
        assertEquals(Digits.ROWS, all.size());
        assertEquals(new Shape(1, 8, 8), all.sampleShape());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(lines.get(i), row(all, i), "row " + (i + 1));
        }
    }

    /** x = 2 p / 16 - 1 is exact in float32 (p / 8 is a dyadic rational), so the comparison is exact. */
    @Test
    void imagesAreFloat32InMinusOneToOne() {
        LabelledImages all = Digits.readAll(FILE);
        NDArray x = all.images(manager);
        assertEquals(DataType.FLOAT32, x.getDataType());
        assertEquals(new Shape(Digits.ROWS, 1, 8, 8), x.getShape());
        float[] values = x.toFloatArray();
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < 64; j++) {
                assertEquals(2.0 * all.pixel(i, j) / 16 - 1, values[64 * i + j], 0.0, "image " + i + ", pixel " + j);
            }
        }
        assertEquals(-1f, x.min().getFloat());
        assertEquals(1f, x.max().getFloat());
        assertArrayEquals(all.labels(), all.labels(manager).toIntArray());
    }

    @Test
    void theSplitIsStratifiedDisjointCompleteAndFixed() throws IOException {
        ImageSplit split = Digits.load(FILE);
        assertEquals(Digits.ROWS - 10 * Digits.TEST_PER_CLASS, split.train().size());
        assertEquals(10 * Digits.TEST_PER_CLASS, split.test().size());
        int[] perClass = new int[10];
        Arrays.fill(perClass, Digits.TEST_PER_CLASS);
        assertArrayEquals(perClass, split.test().classCounts());
        // train and test together are the file's rows, each exactly once (as a multiset of rows)
        Map<String, Integer> remaining = new HashMap<>();
        lines(FILE).forEach(line -> remaining.merge(line, 1, Integer::sum));
        for (LabelledImages part : List.of(split.train(), split.test())) {
            for (int i = 0; i < part.size(); i++) {
                String row = row(part, i);
                assertTrue(remaining.merge(row, -1, Integer::sum) >= 0, "row " + row + " used more often than in the file");
            }
        }
        assertTrue(remaining.values().stream().allMatch(count -> count == 0));
        ImageSplit again = Digits.load(FILE);
        assertArrayEquals(split.test().labels(), again.test().labels());
        for (int i = 0; i < split.test().size(); i++) {
            assertEquals(row(split.test(), i), row(again.test(), i));
        }
    }

    private static Path gzip(Path file, List<String> lines) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return file;
    }

    private static void assertRefused(Path file, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Digits.readAll(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void badFilesAreRefusedNamingThePathAndTheFix(@TempDir Path dir) throws IOException {
        List<String> good = lines(FILE);
        assertRefused(dir.resolve("absent.csv.gz"), "not found", "git checkout -- " + Digits.FILE);
        Path plain = dir.resolve("plain.csv.gz");
        Files.writeString(plain, good.get(0));
        assertRefused(plain, "not a gzip file", "git checkout");
        Path truncatedGzip = dir.resolve("cut.csv.gz");
        byte[] bytes = Files.readAllBytes(FILE);
        Files.write(truncatedGzip, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(truncatedGzip, "truncated");
        assertRefused(gzip(dir.resolve("short.csv.gz"), good.subList(0, 100)), "has 100 rows: expected 1797", "truncated");
        List<String> wide = new ArrayList<>(good);
        wide.set(5, wide.get(5) + ",0");
        assertRefused(gzip(dir.resolve("wide.csv.gz"), wide), "row 6 has 66 fields: expected 65");
        List<String> bright = new ArrayList<>(good);
        bright.set(2, "17" + bright.get(2).substring(bright.get(2).indexOf(',')));
        assertRefused(gzip(dir.resolve("bright.csv.gz"), bright), "row 3, field 1 = 17 must lie in [0, 16]");
    }
}
