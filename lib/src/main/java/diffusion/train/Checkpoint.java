package diffusion.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Block parameters on disk, written atomically: a temporary file in the same folder, then a rename. */
public final class Checkpoint {

    private Checkpoint() {
    }

    /** Saves the block's parameters to path; a reader sees either the old file or the complete new one. */
    public static void save(Block block, Path path) {
        try {
            Path folder = path.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, path.getFileName().toString(), ".tmp");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)))) {
                block.saveParameters(out);
            }
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write checkpoint " + path, e);
        }
    }

    /** Loads parameters saved by {@link #save} into a block of the same architecture. */
    public static void load(Block block, NDManager manager, Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("checkpoint = " + path + ": no such file");
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path)))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("could not read checkpoint " + path + ": " + e.getMessage(), e);
        }
    }
}
