package diffusion.report;

import diffusion.Arguments;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that a reader sees either the old file or the complete new one, never a part: the content goes to
 * a temporary file in the same folder, is forced to the disk (fsync), and is renamed over the target in one step. A
 * write that fails for any reason (full disk, a throwing writer, a folder in the way) removes its temporary file and
 * leaves the old file as it was.
 */
public final class AtomicFile {

    /** Writes a file's content to a stream; closing the stream is allowed and only flushes it. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole content to out. */
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /**
     * Replaces path by the content (creating its folder if missing); throws UncheckedIOException naming path when
     * the write fails, with the temporary file removed and any old file at path unchanged.
     */
    public static void write(Path path, Content content) {
        Arguments.nonNull("path", path);
        Arguments.nonNull("content", content);
        Path target = path.toAbsolutePath();
        Path folder = target.getParent();
        Path temp = null;
        try {
            Files.createDirectories(folder);
            temp = Files.createTempFile(folder, "." + target.getFileName(), ".tmp");
            try (FileOutputStream file = new FileOutputStream(temp.toFile());
                    OutputStream out = new BufferedOutputStream(file)) {
                content.writeTo(new FilterOutputStream(out) { // a writer that closes its stream must not close ours before the fsync
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush();
                    }
                });
                out.flush();
                file.getFD().sync();
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncFolder(folder);
        } catch (IOException | RuntimeException e) {
            removeQuietly(temp, e);
            IOException cause = e instanceof IOException io ? io : new IOException(e);
            throw new UncheckedIOException("could not write " + path + ": " + describe(e), cause);
        }
    }

    /**
     * Checks, before long work starts, that a file can later be written at path: its folder exists or can be created
     * and accepts a new file, and path is not a folder. Throws IllegalArgumentException naming parameter and path.
     */
    public static Path requireWritable(String parameter, Path path) {
        Arguments.nonNull(parameter, path);
        Path target = path.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IllegalArgumentException(parameter + " = " + path + " is a folder; a file path is required");
        }
        try {
            Files.createDirectories(target.getParent());
            Files.delete(Files.createTempFile(target.getParent(), "." + target.getFileName(), ".probe"));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(parameter + " = " + path + " cannot be written: " + describe(e), e);
        }
        return path;
    }

    /** Makes the rename durable: fsync of the folder entry (where the platform allows opening a folder). */
    private static void syncFolder(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system lets a folder be opened; the file itself was forced before the rename
        }
    }

    private static void removeQuietly(Path temp, Exception failure) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }
}
