package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;

/**
 * A measurement y = A x_0 + sigma_y n, n ~ N(0, I): the operator A, the observations y (one per sample row, or one
 * shared by all rows) and the noise level sigma_y &gt;= 0. The values are copied to the host, so the observation
 * outlives the manager of the array it was made from; every use creates them in the caller's manager.
 */
public final class Observation {

    private final LinearOperator operator;
    private final float[] values;
    private final Shape shape;
    private final double sigmaY;

    /** y of shape (b, outputShape...) with b = 1 (shared) or one row per sample; sigmaY finite and &gt;= 0. */
    public Observation(LinearOperator operator, NDArray y, double sigmaY) {
        this.operator = Arguments.nonNull("operator", operator);
        Arguments.nonNull("y", y);
        Arguments.requireSamples("y", y, operator.outputShape());
        Arguments.finite("y", y);
        this.sigmaY = Arguments.nonNegative("sigmaY", Arguments.finite("sigmaY", sigmaY));
        this.values = y.toType(DataType.FLOAT32, false).toFloatArray();
        this.shape = y.getShape();
    }

    /** The noiseless observation A x of the given samples x (n, inputShape...) with noise level sigmaY. */
    public static Observation of(LinearOperator operator, NDArray x, double sigmaY) {
        Arguments.allNonNull("operator, x", operator, x);
        operator.requireInput("x", x);
        Arguments.finite("x", x);
        return new Observation(operator, operator.apply(x), sigmaY);
    }

    /** A. */
    public LinearOperator operator() {
        return operator;
    }

    /** sigma_y. */
    public double sigmaY() {
        return sigmaY;
    }

    /** The number of observation rows b (1 when shared). */
    public long rows() {
        return shape.get(0);
    }

    /** y in x's manager and data type, shaped (b, outputShape...), after checking that b is 1 or x's row count. */
    public NDArray values(NDArray x) {
        long n = x.getShape().get(0);
        if (rows() != 1 && rows() != n) {
            throw new IllegalArgumentException("the observation has " + rows() + " rows but the state has " + n
                    + ": need one observation per sample, or one shared");
        }
        return x.getManager().create(values, shape).toType(x.getDataType(), false);
    }

    /** Accepts a sampler state batch of n rows for this observation (n = b, or b = 1). */
    public void requireRows(int n) {
        if (rows() != 1 && rows() != n) {
            throw new IllegalArgumentException("n = " + n + " samples but the observation has " + rows() + " rows: need n = "
                    + rows() + " (one sample per observation) or a shared observation (1 row)");
        }
    }

    @Override
    public String toString() {
        return operator + ", sigma_y = " + sigmaY;
    }
}
