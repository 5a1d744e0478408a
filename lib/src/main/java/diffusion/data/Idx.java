package diffusion.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An unsigned-byte IDX file (LeCun's MNIST format), gzipped or not: the magic 0x00 0x00 0x08 ndims, ndims big-endian
 * 32-bit sizes, then prod(sizes) bytes in row-major order.
 */
record Idx(int[] sizes, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /** The file's sizes and bytes; a missing, truncated or malformed file gets an error naming it and `fix`. */
    static Idx read(Path file, String fix) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzipped = raw.read() == 0x1f && raw.read() == 0x8b; // the gzip magic 1f 8b
            raw.reset();
            DataInputStream in = new DataInputStream(gzipped ? new GZIPInputStream(raw) : raw);
            int magic = in.readInt();
            if ((magic >>> 8) != UNSIGNED_BYTE || (magic & 0xff) < 1) {
                throw invalid(file, String.format("has magic number 0x%08x: expected 0x000008NN (unsigned bytes, NN >= 1 axes)", magic), fix);
            }
            int[] sizes = new int[magic & 0xff];
            long count = 1;
            for (int axis = 0; axis < sizes.length; axis++) {
                sizes[axis] = in.readInt();
                count *= sizes[axis];
                if (sizes[axis] < 0 || count > Integer.MAX_VALUE) {
                    throw invalid(file, "declares sizes that are negative or too large", fix);
                }
            }
            byte[] data = in.readNBytes((int) count);
            if (data.length < count) {
                throw invalid(file, "ends after " + data.length + " of its " + count + " data bytes " + Arrays.toString(sizes)
                        + ": it is truncated", fix);
            }
            return new Idx(sizes, data);
        } catch (EOFException e) {
            throw invalid(file, "ends inside its header or compressed stream: it is truncated", fix);
        } catch (IOException e) {
            if (!Files.exists(file)) {
                throw new IllegalArgumentException(file + " not found: " + fix, e);
            }
            throw invalid(file, "could not be read (" + e + ")", fix);
        }
    }

    private static IllegalArgumentException invalid(Path file, String problem, String fix) {
        return new IllegalArgumentException(file + " " + problem + "; " + fix);
    }
}
