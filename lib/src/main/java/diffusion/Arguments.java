package diffusion;

import ai.djl.ndarray.NDArray;

/**
 * Argument checks shared by every package: each failure is an IllegalArgumentException naming the parameter, its
 * value and the accepted range, raised before any work starts.
 */
public final class Arguments {

    private Arguments() {
    }

    /** Accepts a finite value &gt; 0. */
    public static double positive(String parameter, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite and > 0");
        }
        return value;
    }

    /** Accepts a finite value &gt;= 0. */
    public static double nonNegative(String parameter, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite and >= 0");
        }
        return value;
    }

    /** Accepts value &gt;= minimum. */
    public static int atLeast(String parameter, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be >= " + minimum);
        }
        return value;
    }

    /** Accepts a sample count n &gt;= 1 with n * dim &lt;= Integer.MAX_VALUE (one Java array holds the sample). */
    public static void sampleCount(int n, int dim) {
        if (n < 1 || (long) n * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("n = " + n + " must be in [1, " + Integer.MAX_VALUE / dim + "] for dim = " + dim);
        }
    }

    /** Accepts a floating-point batch of shape (n, dim) with n &gt;= 1. */
    public static void floatingBatch(String parameter, NDArray x, int dim) {
        floatingBatch(parameter, x, "n", dim);
    }

    /** As above, naming the row count `rows` in the message (N for particles, n for samples). */
    public static void floatingBatch(String parameter, NDArray x, String rows, int dim) {
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException(parameter + " has data type " + x.getDataType()
                    + "; a floating-point type (float32 or float64) is required");
        }
        long[] shape = x.getShape().getShape();
        if (shape.length != 2 || shape[1] != dim || shape[0] < 1) {
            throw new IllegalArgumentException(parameter + " has shape " + x.getShape()
                    + "; expected (" + rows + ", " + dim + ") with " + rows + " >= 1");
        }
    }
}
