package diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest extends ManagedTest {

    /** An IDX file of unsigned bytes with the given sizes: magic 0x00000800 + ndims, the sizes, the data. */
    private static byte[] idx(int[] sizes, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x00000800 | sizes.length);
        for (int size : sizes) {
            out.writeInt(size);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    private static void write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }

    /** A small part "train" of n images with pixels (7 i + j) mod 256 and labels i mod 10, gzipped or not. */
    private static void smallPart(Path dir, int n, boolean gzip) throws IOException {
        byte[] pixels = new byte[n * 784];
        for (int k = 0; k < pixels.length; k++) {
            pixels[k] = (byte) (7 * (k / 784) + k % 784);
        }
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 10);
        }
        String suffix = gzip ? ".gz" : "";
        write(dir.resolve("train-images-idx3-ubyte" + suffix), idx(new int[] {n, 28, 28}, pixels), gzip);
        write(dir.resolve("train-labels-idx1-ubyte" + suffix), idx(new int[] {n}, labels), gzip);
    }

    @Test
    void theDebianFilesGiveThePublishedSplitScaledToMinusOneToOne() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DIRECTORY), "Debian's dataset-fashion-mnist is not installed");
        ImageSplit split = FashionMnist.load();
        assertEquals(60_000, split.train().size());
        assertEquals(10_000, split.test().size());
        assertEquals(new Shape(1, 28, 28), split.train().sampleShape());
        int[] train = new int[10];
        Arrays.fill(train, 6_000);
        int[] test = new int[10];
        Arrays.fill(test, 1_000);
        assertArrayEquals(train, split.train().classCounts(), "the published split is balanced, 6000 per class");
        assertArrayEquals(test, split.test().classCounts(), "and 1000 per class in the test part");
        // the first test image, read independently from the gzipped IDX file (a 16-byte header, then pixels)
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FashionMnist.DIRECTORY.resolve("t10k-images-idx3-ubyte.gz")))) {
            byte[] head = in.readNBytes(16 + 784);
            for (int j = 0; j < 784; j++) {
                assertEquals(head[16 + j] & 0xff, split.test().pixel(0, j), "pixel " + j);
            }
        }
        LabelledImages first = split.test().subset(new int[] {0, 1, 2});
        float[] x = first.images(manager).toFloatArray();
        for (int k = 0; k < x.length; k++) {
            // 2 p / 255 - 1 in float32: two roundings of numbers below 2 in magnitude, each at most 2^-23 (< 1.2e-7)
            assertEquals(2.0 * first.pixel(k / 784, k % 784) / 255 - 1, x[k], 3e-7, "entry " + k);
        }
    }

    @Test
    void gzippedAndPlainFilesAreReadAlike(@TempDir Path dir) throws IOException {
        Path plain = Files.createDirectory(dir.resolve("plain"));
        Path gzipped = Files.createDirectory(dir.resolve("gzipped"));
        smallPart(plain, 3, false);
        smallPart(gzipped, 3, true);
        for (Path d : new Path[] {plain, gzipped}) {
            LabelledImages part = FashionMnist.read(d, "train");
            assertArrayEquals(new int[] {0, 1, 2}, part.labels());
            for (int k = 0; k < 3 * 784; k++) {
                assertEquals((7 * (k / 784) + k % 784) & 0xff, part.pixel(k / 784, k % 784));
            }
            NDArray x = part.images(manager);
            assertEquals(new Shape(3, 1, 28, 28), x.getShape());
        }
    }

    private static void assertRefused(Path dir, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.read(dir, "train"));
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingTruncatedAndMisshapenFilesAreRefusedNamingThePathAndTheFix(@TempDir Path dir) throws IOException {
        assertRefused(dir.resolve("absent"), "directory " + dir.resolve("absent") + " not found");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertRefused(empty, "neither " + empty.resolve("train-images-idx3-ubyte.gz") + " nor");

        Path truncated = Files.createDirectory(dir.resolve("truncated"));
        smallPart(truncated, 3, false);
        Path images = truncated.resolve("train-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 100));
        assertRefused(truncated, images.toString(), "ends after 2252 of its 2352 data bytes", "truncated");
        Files.write(images, Arrays.copyOf(bytes, 10));
        assertRefused(truncated, images.toString(), "truncated");

        Path cutGzip = Files.createDirectory(dir.resolve("cut-gzip"));
        smallPart(cutGzip, 3, true);
        Path gz = cutGzip.resolve("train-images-idx3-ubyte.gz");
        byte[] compressed = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(compressed, compressed.length / 2));
        assertRefused(cutGzip, gz.toString(), "truncated");

        Path misshapen = Files.createDirectory(dir.resolve("misshapen"));
        smallPart(misshapen, 3, false);
        write(misshapen.resolve("train-images-idx3-ubyte"), idx(new int[] {3, 27, 28}, new byte[3 * 27 * 28]), false);
        assertRefused(misshapen, "sizes [3, 27, 28]: expected [n, 28, 28]");

        Path magic = Files.createDirectory(dir.resolve("magic"));
        smallPart(magic, 3, false);
        byte[] image = Files.readAllBytes(magic.resolve("train-images-idx3-ubyte"));
        image[2] = 0x0d; // float data, not unsigned bytes
        Files.write(magic.resolve("train-images-idx3-ubyte"), image);
        assertRefused(magic, "magic number 0x00000d03");

        Path labels = Files.createDirectory(dir.resolve("labels"));
        smallPart(labels, 3, false);
        write(labels.resolve("train-labels-idx1-ubyte"), idx(new int[] {2}, new byte[2]), false);
        assertRefused(labels, "sizes [2]: expected [3], one label per image");
        write(labels.resolve("train-labels-idx1-ubyte"), idx(new int[] {3}, new byte[] {0, 12, 1}), false);
        assertRefused(labels, "label 1 = 12 must lie in [0, 9]");
    }
}
