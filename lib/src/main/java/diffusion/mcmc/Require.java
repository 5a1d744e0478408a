package diffusion.mcmc;

import ai.djl.ndarray.NDArray;

/** Argument checks of this package: each failure names the parameter, its value and the accepted range. */
final class Require {

    private Require() {}

    /** Accepts a finite value &gt; 0. */
    static double positive(String parameter, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite and > 0");
        }
        return value;
    }

    /** Accepts value &gt;= minimum. */
    static int atLeast(String parameter, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be >= " + minimum);
        }
        return value;
    }

    /** Accepts a floating-point batch of shape (N, dim) with N &gt;= 1. */
    static void batch(String parameter, NDArray x, int dim) {
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException(parameter + " has data type " + x.getDataType()
                    + "; a floating-point type (float32 or float64) is required");
        }
        long[] shape = x.getShape().getShape();
        if (shape.length != 2 || shape[0] < 1 || shape[1] != dim) {
            throw new IllegalArgumentException(parameter + " has shape " + x.getShape()
                    + "; expected (N, " + dim + ") with N >= 1 (the target's dimension is " + dim + ")");
        }
    }

    /** Accepts an array whose entries are all finite. */
    static void finite(String parameter, NDArray x) {
        if (nonFinite(x).any().getBoolean()) {
            throw new IllegalArgumentException(parameter + " has " + countRows(x) + " rows with NaN or infinite entries;"
                    + " every entry must be finite");
        }
    }

    /** Throws {@link SamplerDivergedException} naming sampler and step when a row of state is not finite. */
    static void finiteState(String sampler, int step, NDArray state) {
        if (nonFinite(state).any().getBoolean()) {
            throw new SamplerDivergedException(sampler, step, countRows(state) + " of " + state.getShape().get(0)
                    + " particles have NaN or infinite coordinates");
        }
    }

    /** True per entry where value is NaN or +-infinity. */
    static NDArray nonFinite(NDArray value) {
        return value.isNaN().logicalOr(value.isInfinite());
    }

    /** True per row of the (N, d) array x where some entry is NaN or +-infinity, shape (N,). */
    static NDArray nonFiniteRows(NDArray x) {
        return nonFinite(x).countNonzero(1).gt(0);
    }

    /** Number of rows of the (N, d) array x holding a non-finite entry. */
    private static long countRows(NDArray x) {
        return nonFiniteRows(x).countNonzero().getLong();
    }
}
