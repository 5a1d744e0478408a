package diffusion.process;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.DoubleUnaryOperator;

/** Gathers a per-step coefficient table at per-row steps t, shaped to broadcast against a batch (n, d). */
final class Coefficients {

    private Coefficients() {
    }

    /** c[i] = f(table[t[i]]) as a float array of shape (n, 1), on like's manager and device. */
    static NDArray perRow(double[] table, NDArray t, NDArray like, DoubleUnaryOperator f) {
        long n = like.getShape().get(0);
        if (t.getShape().dimension() != 1 || t.getShape().get(0) != n) {
            throw new IllegalArgumentException("t has shape " + t.getShape() + ": expected (" + n + ",), one step per row");
        }
        float[] values = new float[table.length];
        for (int s = 0; s < table.length; s++) {
            values[s] = (float) f.applyAsDouble(table[s]);
        }
        NDArray lookup = like.getManager().create(values).toDevice(like.getDevice(), false);
        return lookup.get(t.toType(DataType.INT64, false)).reshape(new Shape(n, 1));
    }
}
