package diffusion.data;

import ai.djl.ndarray.types.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The 8x8 handwritten digits (UCI "Optical Recognition of Handwritten Digits", E. Alpaydin and C. Kaynak, CC BY 4.0)
 * as shipped in datasets/digits.csv.gz (copied from Debian's python3-sklearn, sklearn/datasets/data/digits.csv.gz;
 * provenance and checksum in datasets/README.md): 1797 rows of 64 pixel counts 0..16 (row-major 8x8) then the label
 * 0..9, images of shape (1, 8, 8).
 *
 * <p>That file is only the UCI <em>test</em> part (1797 of the 5620 images, 13 writers), so the published
 * train/test split (3823 / 1797, by writer) cannot be rebuilt from it. load() therefore makes its own split, fixed
 * and stratified: for each digit, TEST_PER_CLASS = 30 of its images, drawn with java.util.Random(SPLIT_SEED), form the
 * test part (300 images), the other 1497 the training part. It differs from the published split: both parts share
 * writers, so test scores measure fit to these writers' hands, not generalisation to new writers.
 */
public final class Digits {

    /** The shipped file, relative to the repository root. */
    public static final String FILE = "datasets/digits.csv.gz";

    /** Rows in the file. */
    public static final int ROWS = 1797;

    /** Classes: the digits 0..9. */
    public static final int CLASSES = 10;

    /** Image side: 8 pixels. */
    public static final int SIZE = 8;

    /** The largest pixel value (a count of on pixels in a 4x4 block). */
    public static final int MAX_VALUE = 16;

    /** Test images per digit in load()'s split. */
    public static final int TEST_PER_CLASS = 30;

    /** The seed of load()'s split. */
    public static final long SPLIT_SEED = 1797;

    private static final int FIELDS = SIZE * SIZE + 1;

    private Digits() {
    }

    /** The fixed stratified split of the file (see the class comment): 1497 training and 300 test images. */
    public static ImageSplit load(Path file) {
        LabelledImages all = readAll(file);
        Random random = new Random(SPLIT_SEED);
        List<Integer> test = new ArrayList<>();
        List<Integer> train = new ArrayList<>();
        int[] labels = all.labels();
        for (int digit = 0; digit < CLASSES; digit++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == digit) {
                    members.add(i);
                }
            }
            Collections.shuffle(members, random);
            test.addAll(members.subList(0, TEST_PER_CLASS));
            train.addAll(members.subList(TEST_PER_CLASS, members.size()));
        }
        return new ImageSplit(all.subset(sorted(train)), all.subset(sorted(test)));
    }

    /** Every image of the file in file order, each (1, 8, 8) with pixels 0..16. */
    public static LabelledImages readAll(Path file) {
        byte[] pixels = new byte[ROWS * SIZE * SIZE];
        int[] labels = new int[ROWS];
        int row = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.US_ASCII))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                if (row == ROWS) {
                    throw invalid(file, "has more than " + ROWS + " rows");
                }
                String[] fields = line.split(",");
                if (fields.length != FIELDS) {
                    throw invalid(file, "row " + (row + 1) + " has " + fields.length + " fields: expected " + FIELDS
                            + " (64 pixels 0.." + MAX_VALUE + ", then the label 0..9)");
                }
                for (int j = 0; j < FIELDS; j++) {
                    int value = parse(file, row, j, fields[j], j < FIELDS - 1 ? MAX_VALUE : CLASSES - 1);
                    if (j < FIELDS - 1) {
                        pixels[row * (FIELDS - 1) + j] = (byte) value;
                    } else {
                        labels[row] = value;
                    }
                }
                row++;
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("digits file " + file + " not found: it ships with the repository as "
                    + FILE + " (restore it with git checkout -- " + FILE + ")", e);
        } catch (ZipException e) {
            throw invalid(file, "is not a gzip file (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw invalid(file, "could not be read (" + e + "); it may be truncated");
        }
        if (row != ROWS) {
            throw invalid(file, "has " + row + " rows: expected " + ROWS + "; the file may be truncated");
        }
        return new LabelledImages(pixels, labels, new Shape(1, SIZE, SIZE), MAX_VALUE, CLASSES);
    }

    private static int parse(Path file, int row, int field, String text, int max) {
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw invalid(file, "row " + (row + 1) + ", field " + (field + 1) + " = \"" + text + "\" is not an integer");
        }
        if (value < 0 || value > max) {
            throw invalid(file, "row " + (row + 1) + ", field " + (field + 1) + " = " + value + " must lie in [0, " + max + "]");
        }
        return value;
    }

    private static IllegalArgumentException invalid(Path file, String problem) {
        return new IllegalArgumentException("digits file " + file + " " + problem + ": expected the shipped " + FILE
                + " (sha256 in datasets/README.md; restore it with git checkout -- " + FILE + ")");
    }

    private static int[] sorted(List<Integer> indices) {
        return indices.stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
