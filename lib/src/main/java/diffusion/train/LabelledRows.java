package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;

/**
 * Labelled samples packed as rows [x_i flattened, y_i] of one (n, D + 1) float32 array, so that the generic Trainer
 * (which draws rows of one array) draws samples and their labels together (labels exact as floats below 2^24); the
 * inverse split reads a batch of rows back as samples of a given shape and INT64 labels.
 */
public final class LabelledRows {

    private LabelledRows() {
    }

    /** The rows [x_i flattened, y_i] of samples (n, sampleShape...) and integer labels (n,) in 0..classes-1. */
    public static NDArray pack(NDArray samples, NDArray labels, Shape sampleShape, int classes) {
        Arguments.requireSamples("samples", samples, sampleShape);
        long n = samples.getShape().get(0);
        if (!labels.getDataType().isInteger() || !labels.getShape().equals(new Shape(n))) {
            throw new IllegalArgumentException("labels have shape " + labels.getShape() + " and type " + labels.getDataType()
                    + ": expected (" + n + ",) integers, one per sample");
        }
        try (NDScope scope = new NDScope()) {
            NDArray wide = labels.toType(DataType.INT64, false);
            long min = wide.min().getLong();
            long max = wide.max().getLong();
            if (min < 0 || max >= classes) {
                throw new IllegalArgumentException("labels lie in [" + min + ", " + max + "]: " + classes + " classes take labels in 0.."
                        + (classes - 1));
            }
            NDArray rows = NDArrays.concat(new NDList(samples.reshape(n, -1).toType(DataType.FLOAT32, false),
                    labels.toType(DataType.FLOAT32, false).reshape(n, 1)), 1);
            NDScope.unregister(rows);
            return rows;
        }
    }

    /** NDList(samples (n, sampleShape...), labels (n,) INT64) of packed rows (n, D + 1). */
    public static NDList split(NDArray rows, Shape sampleShape) {
        long entries = sampleShape.size();
        Arguments.floatingBatch("rows", rows, Math.toIntExact(entries + 1));
        long n = rows.getShape().get(0);
        return new NDList(rows.get(":, :" + entries).reshape(new Shape(n).addAll(sampleShape)),
                rows.get(":, " + entries).toType(DataType.INT64, false));
    }
}
