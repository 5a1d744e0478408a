package diffusion.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import diffusion.Arguments;
import diffusion.report.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Block parameters on disk, written atomically (report/AtomicFile), in a self-checking format.
 *
 * <p>Layout (big-endian): a prefix of magic {@value #MAGIC_TEXT} (4 bytes), format version (int), body length
 * (long) and the CRC-32 of the body (int); then the body: the architecture signature (the block's class name, UTF),
 * the parameter count (int) and per parameter its name (UTF) and shape (rank int, then long dimensions), then DJL's
 * own parameter bytes (Block.saveParameters). A file that is not such a checkpoint, of another version, truncated,
 * with a flipped byte, or of another architecture than the block it is loaded into is refused with a message saying
 * which, before any weight is changed.
 */
public final class Checkpoint {

    /** The first four bytes of every checkpoint. */
    public static final String MAGIC_TEXT = "DWCK";

    /** The format version this class writes and reads. */
    public static final int VERSION = 1;

    private static final int PREFIX = 4 + 4 + 8 + 4;

    private Checkpoint() {
    }

    /** Saves the block's parameters to path; a reader sees either the old file or the complete new one. */
    public static void save(Block block, Path path) {
        Arguments.nonNull("block", block);
        Arguments.nonNull("path", path);
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("block is not initialised; there are no parameters to save to " + path);
        }
        byte[] body = body(block);
        AtomicFile.write(path, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.write(MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII));
            data.writeInt(VERSION);
            data.writeLong(body.length);
            data.writeInt(crc(body, 0, body.length));
            data.write(body);
            data.flush();
        });
    }

    /**
     * Loads parameters saved by {@link #save} into block, which must be initialised with the same architecture;
     * IllegalArgumentException for a missing file, IllegalStateException saying what is wrong with a bad one.
     */
    public static void load(Block block, NDManager manager, Path path) {
        Arguments.nonNull("block", block);
        Arguments.nonNull("manager", manager);
        Arguments.nonNull("path", path);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("checkpoint = " + path + ": no such file");
        }
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("block is not initialised; initialise it before loading " + path);
        }
        byte[] file;
        try {
            file = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read checkpoint " + path, e);
        }
        DataInputStream payload = verified(block, path, file);
        try {
            block.loadParameters(manager, payload);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            throw refused(path, "its parameters do not load (" + e + ")");
        }
    }

    /** The body: architecture signature, parameter names and shapes, then DJL's parameter bytes. */
    private static byte[] body(Block block) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(block.getClass().getName());
            List<Pair<String, Shape>> shapes = shapes(block);
            out.writeInt(shapes.size());
            for (Pair<String, Shape> p : shapes) {
                out.writeUTF(p.getKey());
                long[] dims = p.getValue().getShape();
                out.writeInt(dims.length);
                for (long d : dims) {
                    out.writeLong(d);
                }
            }
            block.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException("could not serialise the parameters of " + block.getClass().getName(), e);
        }
        return bytes.toByteArray();
    }

    /** Checks prefix, length, checksum and architecture; returns a stream positioned at DJL's parameter bytes. */
    private static DataInputStream verified(Block block, Path path, byte[] file) {
        byte[] magic = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
        if (!Arrays.equals(file, 0, Math.min(file.length, magic.length), magic, 0, Math.min(file.length, magic.length))) {
            throw refused(path, "it is not a checkpoint of this format (the first bytes are not \"" + MAGIC_TEXT
                    + "\"; a file of the unversioned format of earlier versions is rewritten by rerunning the notebook that saved it)");
        }
        if (file.length < PREFIX) {
            throw refused(path, "it is truncated (" + file.length + " bytes, shorter than the " + PREFIX + "-byte header)");
        }
        ByteBuffer prefix = ByteBuffer.wrap(file);
        int version = prefix.getInt(4);
        if (version != VERSION) {
            throw refused(path, "it has format version " + version + "; this library reads version " + VERSION);
        }
        long declared = prefix.getLong(8);
        long actual = file.length - PREFIX;
        if (actual < declared) {
            throw refused(path, "it is truncated (" + actual + " of " + declared + " body bytes present)");
        }
        if (actual > declared) {
            throw refused(path, "it has " + (actual - declared) + " bytes after the end of its body");
        }
        if (crc(file, PREFIX, file.length - PREFIX) != prefix.getInt(16)) {
            throw refused(path, "its checksum does not match: the file is corrupted");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, PREFIX, file.length - PREFIX));
        try {
            String architecture = in.readUTF();
            List<Pair<String, Shape>> saved = new ArrayList<>();
            int count = in.readInt();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                long[] dims = new long[in.readInt()];
                for (int k = 0; k < dims.length; k++) {
                    dims[k] = in.readLong();
                }
                saved.add(new Pair<>(name, new Shape(dims)));
            }
            requireSameArchitecture(block, path, architecture, saved);
        } catch (IOException e) {
            throw refused(path, "its header is malformed (" + e + ")");
        }
        return in;
    }

    private static void requireSameArchitecture(Block block, Path path, String architecture, List<Pair<String, Shape>> saved) {
        String expected = block.getClass().getName();
        if (!architecture.equals(expected)) {
            throw refused(path, "it was written by a " + architecture + ", not a " + expected);
        }
        List<Pair<String, Shape>> shapes = shapes(block);
        if (saved.size() != shapes.size()) {
            throw refused(path, "its " + architecture + " has " + saved.size() + " parameters; the block has " + shapes.size());
        }
        for (int i = 0; i < saved.size(); i++) {
            Pair<String, Shape> s = saved.get(i);
            Pair<String, Shape> b = shapes.get(i);
            if (!s.getKey().equals(b.getKey()) || !s.getValue().equals(b.getValue())) {
                throw refused(path, "it holds parameter " + s.getKey() + " of shape " + s.getValue() + " where the block has "
                        + b.getKey() + " of shape " + b.getValue() + " (another architecture)");
            }
        }
    }

    private static List<Pair<String, Shape>> shapes(Block block) {
        List<Pair<String, Shape>> shapes = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            shapes.add(new Pair<>(p.getKey(), p.getValue().getArray().getShape()));
        }
        return shapes;
    }

    private static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private static IllegalStateException refused(Path path, String reason) {
        return new IllegalStateException("checkpoint " + path + " refused: " + reason);
    }
}
