package diffusion.process;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.PerSample;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;

/** Gathers a per-step coefficient table at per-row steps t, shaped to broadcast against a batch (n, ...). */
public final class Coefficients {

    private Coefficients() {
    }

    /**
     * c[i] = f(table[t[i]]) as a float array of shape (n, 1, ..., 1) (like's rank), on like's manager and device; each
     * t[i] must be an integer in first..table.length - 1 (no wrap-around of negative steps, no truncation of fractional ones).
     */
    static NDArray perRow(double[] table, int first, NDArray t, NDArray like, DoubleUnaryOperator f) {
        Arguments.nonNull("t", t);
        long n = like.getShape().get(0);
        if (t.getShape().dimension() != 1 || t.getShape().get(0) != n) {
            throw new IllegalArgumentException("t has shape " + t.getShape() + ": expected (" + n + ",), one step per row");
        }
        double[] steps = t.toType(DataType.FLOAT64, false).toDoubleArray();
        for (int i = 0; i < steps.length; i++) {
            if (!(steps[i] >= first && steps[i] <= table.length - 1 && steps[i] == Math.rint(steps[i]))) {
                String value = steps[i] == Math.rint(steps[i]) && Math.abs(steps[i]) < 1e18 ? String.valueOf((long) steps[i]) : String.valueOf(steps[i]);
                throw new IllegalArgumentException("t[" + i + "] = " + value + ": each step must be an integer in "
                        + first + ".." + (table.length - 1));
            }
        }
        float[] values = new float[table.length];
        for (int s = 0; s < table.length; s++) {
            values[s] = (float) f.applyAsDouble(table[s]);
        }
        NDArray lookup = like.getManager().create(values).toDevice(like.getDevice(), false);
        return lookup.get(t.toType(DataType.INT64, false)).reshape(PerSample.column(like));
    }

    /**
     * c[i] = f(t[i]) for a per-step quantity f defined on t = 1..T, as a float array of shape (n, 1, ..., 1) on like's manager
     * and device; t is an integer array of shape (n,) with entries in 1..T.
     */
    public static NDArray perStep(int T, IntToDoubleFunction f, NDArray t, NDArray like) {
        double[] table = new double[T + 1];
        table[0] = Double.NaN; // no step 0: refused by perRow's check
        for (int s = 1; s <= T; s++) {
            table[s] = f.applyAsDouble(s);
        }
        return perRow(table, 1, t, like, c -> c);
    }
}
