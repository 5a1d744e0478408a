package diffusion.data;

import ai.djl.ndarray.NDArray;

/** Input checks shared by this package; each failure names the parameter, its value and the accepted range. */
final class Checks {

    private Checks() {}

    /** Accepts n &gt;= 1 with n * dim &lt;= Integer.MAX_VALUE (one Java array holds the sample). */
    static void sampleCount(int n, int dim) {
        if (n < 1 || (long) n * dim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("n = " + n + " must be in [1, " + Integer.MAX_VALUE / dim + "] for dim = " + dim);
        }
    }

    /** Accepts a finite value >= 0. */
    static double nonNegative(String parameter, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite and >= 0");
        }
        return value;
    }

    /** Accepts a finite value > 0. */
    static double positive(String parameter, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite and > 0");
        }
        return value;
    }

    /** Accepts a floating-point array of shape (n, dim) with n >= 1. */
    static void points(String parameter, NDArray x, int dim) {
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException(parameter + " has data type " + x.getDataType()
                    + "; a floating-point type (float32 or float64) is required");
        }
        long[] shape = x.getShape().getShape();
        if (shape.length != 2 || shape[1] != dim || shape[0] < 1) {
            throw new IllegalArgumentException(parameter + " has shape " + x.getShape()
                    + "; expected (n, " + dim + ") with n >= 1");
        }
    }
}
