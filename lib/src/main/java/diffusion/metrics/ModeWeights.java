package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;

/**
 * How a sample spreads its mass over known modes mu_1..mu_K: each point counts for its nearest mode (Euclidean),
 * and the recovered weights f_k are compared with the true w_k by total variation, 1/2 sum_k |f_k - w_k|.
 * Meaningful for well-separated modes, where the nearest-centre cells hold almost all of each mode's mass. Samples
 * with NaN or infinite entries are refused (a NaN point has no nearest mode).
 */
public final class ModeWeights {

    private ModeWeights() {}

    /** f_k = #{i : argmin_j ||x_i - mu_j|| = k} / n for x of shape (n, d) and modes mu of shape [K][d]. */
    public static double[] fractions(NDArray x, double[][] modes) {
        Arguments.nonNull("modes", modes);
        if (modes.length < 1) {
            throw new IllegalArgumentException("modes has length 0; at least one mode is required");
        }
        int dim = modes[0].length;
        for (int k = 0; k < modes.length; k++) {
            Arguments.finite("modes[" + k + "]", modes[k]);
            if (modes[k].length != dim) {
                throw new IllegalArgumentException("modes[" + k + "] has length " + modes[k].length + "; expected d = " + dim);
            }
        }
        Samples.checkPair(x, x, 1);
        if (x.getShape().get(1) != dim) {
            throw new IllegalArgumentException("x has shape " + x.getShape() + " but the modes have dimension " + dim);
        }
        long[] nearest;
        try (NDManager scratch = x.getManager().newSubManager(x.getDevice())) {
            NDArray centres = scratch.create(modes).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
            // ||x_i - mu_k||^2, shape (n, K)
            NDArray distances = x.expandDims(1).sub(centres.expandDims(0)).square().sum(new int[] {2});
            distances.attach(scratch);
            nearest = distances.argMin(1).toType(DataType.INT64, false).toLongArray();
        }
        double[] fractions = new double[modes.length];
        for (long k : nearest) {
            fractions[(int) k] += 1.0 / nearest.length;
        }
        return fractions;
    }

    /** 1/2 sum_k |f_k - w_k| with f = {@link #fractions}(x, modes); weights w (K entries) are normalised to sum 1. */
    public static double error(NDArray x, double[][] modes, double[] weights) {
        Arguments.nonNull("weights", weights);
        Arguments.nonNull("modes", modes);
        if (weights.length != modes.length) {
            throw new IllegalArgumentException("weights has length " + weights.length + " but there are " + modes.length
                    + " modes; one weight per mode is required");
        }
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            if (!(weights[k] >= 0) || Double.isInfinite(weights[k])) {
                throw new IllegalArgumentException("weights[" + k + "] = " + weights[k] + " must be finite and >= 0");
            }
            total += weights[k];
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("weights sum to " + total + "; the sum must be finite and > 0");
        }
        double[] fractions = fractions(x, modes);
        double error = 0;
        for (int k = 0; k < weights.length; k++) {
            error += Math.abs(fractions[k] - weights[k] / total);
        }
        return error / 2;
    }
}
