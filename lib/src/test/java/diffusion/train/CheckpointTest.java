package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import diffusion.ManagedTest;
import diffusion.nn.EpsMlp;
import diffusion.nn.ScoreMlp;
import diffusion.report.Environment;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint format refuses what it cannot vouch for: every single flipped byte (CRC-32 detects every error
 * burst of at most 32 bits), every truncation, trailing bytes, another format version, the unversioned format of
 * earlier versions, another architecture; and a refused load changes no weight.
 */
class CheckpointTest extends ManagedTest {

    @TempDir
    Path dir;

    private static EpsMlp network(int width, long seed) {
        Environment.seed(seed);
        EpsMlp network = new EpsMlp(2, width, 1, 8);
        network.initialize(manager);
        return network;
    }

    private static float[] weights(Block block) {
        return block.getParameters().stream().map(p -> p.getValue().getArray().toFloatArray())
                .reduce(new float[0], (a, b) -> {
                    float[] all = Arrays.copyOf(a, a.length + b.length);
                    System.arraycopy(b, 0, all, a.length, b.length);
                    return all;
                });
    }

    private IllegalStateException refusal(Path file, Block into) {
        float[] before = weights(into);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checkpoint.load(into, manager, file));
        assertTrue(e.getMessage().startsWith("checkpoint " + file + " refused: "), e.getMessage());
        assertArrayEquals(before, weights(into), "a refused load leaves the weights as they were");
        return e;
    }

    @Test
    void aSavedBlockLoadsBackBitwise() throws IOException {
        Path file = dir.resolve("a.params");
        EpsMlp saved = network(16, 1);
        Checkpoint.save(saved, file);
        EpsMlp loaded = network(16, 2);
        Checkpoint.load(loaded, manager, file);
        assertArrayEquals(weights(saved), weights(loaded));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left");
        }
    }

    @Test
    void everyFlippedByteIsRefused() throws IOException {
        Path file = dir.resolve("b.params");
        Checkpoint.save(network(16, 1), file);
        byte[] good = Files.readAllBytes(file);
        EpsMlp into = network(16, 2);
        Path bad = dir.resolve("flipped.params");
        for (int i = 0; i < good.length; i++) {
            byte[] flipped = good.clone();
            flipped[i] ^= (byte) (1 << (i % 8));
            Files.write(bad, flipped);
            String message = refusal(bad, into).getMessage();
            assertTrue(message.contains("checksum") || message.contains("truncated") || message.contains("after the end")
                    || message.contains("format"), "byte " + i + ": " + message);
            if (i >= 20) {
                assertTrue(message.contains("checksum does not match: the file is corrupted"), "a body byte: " + message);
            }
        }
    }

    @Test
    void everyTruncationAndTrailingBytesAreRefused() throws IOException {
        Path file = dir.resolve("c.params");
        Checkpoint.save(network(16, 1), file);
        byte[] good = Files.readAllBytes(file);
        EpsMlp into = network(16, 2);
        Path bad = dir.resolve("truncated.params");
        for (int length = 0; length < good.length; length++) {
            Files.write(bad, Arrays.copyOf(good, length));
            String message = refusal(bad, into).getMessage();
            assertTrue(message.contains("it is truncated ("), "length " + length + ": " + message);
        }
        Files.write(bad, Arrays.copyOf(good, good.length + 3));
        assertTrue(refusal(bad, into).getMessage().endsWith("it has 3 bytes after the end of its body"));
    }

    @Test
    void anotherArchitectureIsRefusedNamingTheParameter() {
        Path file = dir.resolve("wide.params");
        Checkpoint.save(network(32, 1), file);
        String message = refusal(file, network(16, 2)).getMessage();
        assertTrue(message.contains("of shape (32, 10) where the block has") && message.contains("of shape (16, 10) (another architecture)"), message);
        ScoreMlp other = new ScoreMlp(2, 16, 1);
        other.initialize(manager, DataType.FLOAT32);
        Path score = dir.resolve("score.params");
        Checkpoint.save(other, score);
        assertTrue(refusal(score, network(16, 2)).getMessage().contains("it was written by a diffusion.nn.ScoreMlp, not a diffusion.nn.EpsMlp"));
    }

    /** The format of earlier versions (DJL's parameter bytes alone) and a later format version are refused by name. */
    @Test
    void oldAndFutureFormatsAreRefused() throws IOException {
        EpsMlp network = network(16, 1);
        Path old = dir.resolve("old.params");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(old))) {
            network.saveParameters(out);
        }
        assertTrue(refusal(old, network(16, 2)).getMessage().contains("not a checkpoint of this format"));
        Path future = dir.resolve("future.params");
        Checkpoint.save(network, future);
        byte[] bytes = Files.readAllBytes(future);
        bytes[7] = 2; // version 2, big-endian int at offset 4
        Files.write(future, bytes);
        assertTrue(refusal(future, network(16, 2)).getMessage().endsWith("it has format version 2; this library reads version 1"));
    }

    @Test
    void missingFilesAndUninitialisedBlocksAreArgumentErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoint.load(network(16, 1), manager, dir.resolve("none.params")));
        assertTrue(e.getMessage().endsWith(": no such file"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(new EpsMlp(2, 16, 1, 8), dir.resolve("x.params")));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(null, dir.resolve("x.params")));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(network(16, 1), null));
    }

    /** A save that fails (here a non-empty folder sits where the file goes) leaves no temporary file behind. */
    @Test
    void aFailedSaveRemovesItsTemporaryFile() throws IOException {
        Path target = Files.createDirectories(dir.resolve("taken.params"));
        Files.writeString(target.resolve("inside"), "x");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Checkpoint.save(network(16, 1), target));
        assertTrue(e.getMessage().startsWith("could not write " + target), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the folder in the way remains");
        }
    }
}
