package diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

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

    /**
     * The most entries an array derived from a caller's sizes may have (2^28: 1 GiB of float32), and the most
     * steps or levels a schedule, grid or run may have: beyond it a size is refused by name rather than left to
     * overflow an int or exhaust memory.
     */
    public static final long MAX_ENTRIES = 1L << 28;

    /** Accepts a finite value. */
    public static double finite(String parameter, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be finite");
        }
        return value;
    }

    /** Accepts a value in the closed interval [min, max]. */
    public static double within(String parameter, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(parameter + " = " + value + " must lie in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** Accepts an int in the closed interval [min, max]. */
    public static int within(String parameter, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(parameter + " = " + value + " must lie in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** The most hidden layers an MLP may have: as UNet's 2^10 residual blocks, deeper takes minutes to build and is never trained here. */
    public static final int MAX_DEPTH = 1 << 10;

    /**
     * Accepts the sizes of an MLP: depth in [1, MAX_DEPTH], width &gt;= 1 with width^2 &lt;= MAX_ENTRIES (one hidden
     * layer's weights), and each size its first or last layer reads or writes (named in names, "dim, classes", sizes
     * in order) &gt;= 1 with size x width &lt;= MAX_ENTRIES (its block of weights).
     */
    public static void mlp(int width, int depth, String names, int... sizes) {
        String[] parameters = names(names, sizes.length);
        atLeast("width", width, 1);
        derivedSize("width", width, "weights per hidden layer (width^2)", (long) width * width, MAX_ENTRIES);
        within("depth", depth, 1, MAX_DEPTH);
        for (int i = 0; i < sizes.length; i++) {
            atLeast(parameters[i], sizes[i], 1);
            derivedSize(parameters[i], sizes[i], "weights (" + parameters[i] + " x width = " + width + ")", (long) sizes[i] * width,
                    MAX_ENTRIES);
        }
    }

    /** Accepts an int in [minimum, MAX_ENTRIES] (a count of steps, levels, bins or samples). */
    public static int size(String parameter, int value, int minimum) {
        if (value < minimum || value > MAX_ENTRIES) {
            throw new IllegalArgumentException(parameter + " = " + value + " must lie in [" + minimum + ", " + MAX_ENTRIES + "]");
        }
        return value;
    }

    /**
     * Accepts a caller's size `value` of `parameter` whose derived count (computed by the caller in long arithmetic:
     * bins^2 cells, dim x projections entries, levels x steps evaluations) is at most max; the message names the
     * caller's parameter and value, and what the count is.
     */
    public static void derivedSize(String parameter, long value, String counted, long count, long max) {
        if (count > max || count < 0) {
            throw new IllegalArgumentException(parameter + " = " + value + " gives " + count + " " + counted
                    + "; at most " + max + " are allowed");
        }
    }

    /** Accepts a non-null array whose entries are all finite, naming parameter[i] otherwise. */
    public static double[] finite(String parameter, double[] values) {
        nonNull(parameter, values);
        for (int i = 0; i < values.length; i++) {
            finite(parameter + "[" + i + "]", values[i]);
        }
        return values;
    }

    /** Accepts a non-null array whose entries lie in [-bound, bound] (so are finite), naming parameter[i] otherwise. */
    public static double[] bounded(String parameter, double[] values, double bound) {
        nonNull(parameter, values);
        for (int i = 0; i < values.length; i++) {
            within(parameter + "[" + i + "]", values[i], -bound, bound);
        }
        return values;
    }

    /**
     * The largest |guidance weight| (w, gamma, zeta): the guided output adds w times the model's terms, and beyond 1e6
     * float32's relative rounding (6e-8) of those terms is as large as the unguided output itself.
     */
    public static final double MAX_GUIDANCE = 1e6;

    /** Accepts a sample shape (each axis &gt;= 1, at most MAX_ENTRIES entries in all), naming parameter otherwise. */
    public static Shape sampleShape(String parameter, Shape shape) {
        nonNull(parameter, shape);
        long entries = 1;
        for (long axis : shape.getShape()) {
            entries = axis < 1 ? -1 : entries * Math.min(axis, MAX_ENTRIES + 1);
            if (entries < 1 || entries > MAX_ENTRIES) {
                throw new IllegalArgumentException(parameter + " = " + shape + ": every axis must be >= 1, with at most "
                        + MAX_ENTRIES + " entries in all");
            }
        }
        return shape;
    }

    /** Accepts a non-null array whose entries are all finite and &gt; 0. */
    public static void positive(String parameter, NDArray x) {
        finite(parameter, x);
        try (NDArray low = x.lte(0); NDArray any = low.any()) {
            if (any.getBoolean()) {
                throw new IllegalArgumentException(parameter + " has " + low.countNonzero().getLong()
                        + " entries <= 0; every entry must be > 0");
            }
        }
    }

    /** Accepts non-null integer labels of shape (n) with values in 0..classes-1. */
    public static void labels(String parameter, NDArray labels, int classes) {
        nonNull(parameter, labels);
        if (!labels.getDataType().isInteger() || labels.getShape().dimension() != 1) {
            throw new IllegalArgumentException(parameter + " has data type " + labels.getDataType() + " and shape " + labels.getShape()
                    + "; integer labels of shape (n) are required");
        }
        try (NDArray wide = labels.toType(DataType.INT64, true); NDArray low = wide.min(); NDArray high = wide.max()) {
            if (low.getLong() < 0 || high.getLong() >= classes) {
                throw new IllegalArgumentException(parameter + " has values in [" + low.getLong() + ", " + high.getLong() + "]: "
                        + classes + " classes take labels in [0, " + (classes - 1) + "]");
            }
        }
    }

    /** Accepts a non-null value. */
    public static <T> T nonNull(String parameter, T value) {
        if (value == null) {
            throw new IllegalArgumentException(parameter + " is null");
        }
        return value;
    }

    /**
     * Accepts values none of which is null, named in order by names ("schedule, kernel, data"): the first null one is
     * refused by its name. A constructor or factory calls it first, so that every reference argument is checked before
     * any is used.
     */
    public static void allNonNull(String names, Object... values) {
        String[] parameters = names(names, values.length);
        for (int i = 0; i < values.length; i++) {
            nonNull(parameters[i], values[i]);
        }
    }

    /** The parameter names in names ("schedule, kernel, data"), which must be count. */
    private static String[] names(String names, int count) {
        String[] parameters = names.split(",\\s*");
        if (parameters.length != count) {
            throw new IllegalStateException(parameters.length + " names (" + names + ") for " + count + " values");
        }
        return parameters;
    }

    /**
     * Returns result, a quantity computed from the caller's parameter = value, when it is finite; otherwise refuses
     * the value by name, saying which quantity left the range of a double.
     */
    public static double finiteResult(String parameter, double value, String quantity, double result) {
        if (!Double.isFinite(result)) {
            throw new IllegalArgumentException(parameter + " = " + value + " gives " + quantity + " = " + result
                    + ": outside the range of a double");
        }
        return result;
    }

    /** Accepts value &gt;= minimum. */
    public static int atLeast(String parameter, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(parameter + " = " + value + " must be >= " + minimum);
        }
        return value;
    }

    /** Accepts a sample count n &gt;= 1 with n * dim &lt;= MAX_ENTRIES (one Java array holds the sample). */
    public static void sampleCount(int n, int dim) {
        if (n < 1 || (long) n * dim > MAX_ENTRIES) {
            throw new IllegalArgumentException("n = " + n + " must be in [1, " + MAX_ENTRIES / dim + "] for dim = " + dim);
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

    /** Throws IllegalArgumentException unless a and b have the same shape. */
    public static void requireSame(String nameA, NDArray a, String nameB, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(nameA + " has shape " + a.getShape() + " but " + nameB + " has shape "
                    + b.getShape() + ": they must match");
        }
    }

    /** Throws IllegalArgumentException unless x is a batch (n, d) with d == dim. */
    public static void requireBatch(String name, NDArray x, int dim) {
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != dim) {
            throw new IllegalArgumentException(name + " has shape " + x.getShape() + ": expected (n, " + dim + ")");
        }
    }

    /** Throws IllegalArgumentException unless x is a batch (n, sampleShape...) of n &gt;= 1 samples of the given shape. */
    public static void requireSamples(String name, NDArray x, Shape sampleShape) {
        Shape shape = x.getShape();
        if (shape.dimension() != sampleShape.dimension() + 1 || shape.get(0) < 1
                || !shape.slice(1).equals(sampleShape)) {
            throw new IllegalArgumentException(name + " has shape " + shape + ": expected (n, "
                    + sampleShape.toString().replaceAll("[()]", "") + ") with n >= 1, one sample of shape " + sampleShape + " per row");
        }
    }

    /** Accepts a non-null array whose entries are all finite. */
    public static void finite(String parameter, NDArray x) {
        nonNull(parameter, x);
        if (!allFinite(x)) {
            throw new IllegalArgumentException(parameter + " has " + nonFiniteRows(x).countNonzero().getLong()
                    + " rows with NaN or infinite entries; every entry must be finite");
        }
    }

    /**
     * The largest |entry| of a point a sampler or a chain starts from: an entry's square (every Gaussian density,
     * score and step squares distances) stays below float32's 3.4e38 with room for a sum over 300 coordinates.
     */
    public static final double MAX_POINT_ENTRY = 1e18;

    /**
     * Accepts a non-null array (n, ...) whose entries are finite and lie in [-bound, bound]; otherwise names the first
     * row with an entry outside, parameter[row], and that entry.
     */
    public static void bounded(String parameter, NDArray x, double bound) {
        finite(parameter, x);
        try (NDArray magnitude = x.abs(); NDArray outside = magnitude.gt(bound); NDArray any = outside.any()) {
            if (!any.getBoolean()) {
                return;
            }
        }
        long n = x.getShape().get(0);
        double[] values = x.toType(DataType.FLOAT64, false).toDoubleArray();
        int perRow = Math.toIntExact(values.length / n);
        for (int i = 0; i < values.length; i++) {
            if (Math.abs(values[i]) > bound) {
                throw new IllegalArgumentException(parameter + "[" + i / perRow + "] has an entry " + values[i]
                        + ": every entry must lie in [" + -bound + ", " + bound + "]");
            }
        }
    }

    /**
     * Accepts result (n, ...), computed per row i from the caller's parameter[i] = values[i], when it is finite;
     * otherwise refuses parameter[i] of the first row with a NaN or infinite entry, saying which quantity left the
     * range of result's data type.
     */
    public static void finiteRows(String parameter, double[] values, String quantity, NDArray result) {
        try (NDArray bad = nonFiniteRows(result)) {
            if (!bad.any().getBoolean()) {
                return;
            }
            boolean[] rows = bad.toBooleanArray();
            for (int i = 0; i < rows.length; i++) {
                if (rows[i]) {
                    throw new IllegalArgumentException(parameter + "[" + i + "] = " + values[i] + " gives " + quantity
                            + " outside the range of " + result.getDataType());
                }
            }
        }
    }

    /** True when every entry of x is finite. */
    public static boolean allFinite(NDArray x) {
        try (NDArray nan = x.isNaN(); NDArray infinite = x.isInfinite(); NDArray either = nan.logicalOr(infinite);
                NDArray bad = either.any()) {
            return !bad.getBoolean();
        }
    }

    /** True per row of x (n, ...) where some entry is NaN or +-infinity, shape (n,). */
    public static NDArray nonFiniteRows(NDArray x) {
        NDArray flat = x.reshape(x.getShape().get(0), -1);
        return flat.isNaN().logicalOr(flat.isInfinite()).countNonzero(1).gt(0);
    }

    /**
     * Throws DivergedException naming the algorithm, the step and the time when some entry of state is not finite.
     */
    public static void finiteState(String algorithm, long step, double time, NDArray state) {
        if (!allFinite(state)) {
            throw new DivergedException(algorithm, step, time, nonFiniteRows(state).countNonzero().getLong() + " of "
                    + state.getShape().get(0) + " samples have NaN or infinite entries");
        }
    }
}
