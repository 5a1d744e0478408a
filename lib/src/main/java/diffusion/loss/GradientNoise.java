package diffusion.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import diffusion.Arguments;
import diffusion.report.Environment;

/**
 * The noise of a stochastic objective's gradient at fixed weights: draw `repeats` independent batches, take the
 * gradient g of the batch loss in every parameter, and report the total variance tr Cov(g) = E||g - E g||^2 (the
 * sum of the per-coordinate sample variances) next to ||E g||^2. The weights are not changed.
 */
public final class GradientNoise {

    private GradientNoise() {
    }

    /** Gradient statistics of objective over network, batches of batchSize rows drawn from data (n, d), seeded. */
    public static Result measure(Block network, Objective objective, NDArray data, int batchSize, int repeats, long seed) {
        Arguments.allNonNull("network, objective, data", network, objective, data);
        Arguments.size("batchSize", batchSize, 1);
        Arguments.size("repeats", repeats, 2); // a variance needs >= 2 gradients
        if (data.getShape().dimension() != 2 || data.getShape().get(0) < 1) {
            throw new IllegalArgumentException("data has shape " + data.getShape() + ": expected (n, d) with n >= 1");
        }
        Environment.seed(seed);
        NDManager m = data.getManager();
        ParameterStore parameters = new ParameterStore(m, false);
        double[] mean = null;
        double[] squares = null; // Welford: running sums of squared deviations per coordinate
        for (int r = 1; r <= repeats; r++) {
            double[] g;
            try (NDScope scope = new NDScope(); GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray rows = m.randomInteger(0, data.getShape().get(0), new Shape(batchSize), DataType.INT64);
                collector.backward(objective.loss(parameters, data.get(rows)));
                g = flatGradient(network);
            }
            if (mean == null) {
                mean = new double[g.length];
                squares = new double[g.length];
            }
            for (int j = 0; j < g.length; j++) {
                double delta = g[j] - mean[j];
                mean[j] += delta / r;
                squares[j] += delta * (g[j] - mean[j]);
            }
        }
        double totalVariance = 0;
        double meanNormSquared = 0;
        for (int j = 0; j < mean.length; j++) {
            totalVariance += squares[j] / (repeats - 1);
            meanNormSquared += mean[j] * mean[j];
        }
        return new Result(totalVariance, meanNormSquared, repeats);
    }

    /** All parameter gradients concatenated, then zeroed (gradients accumulate otherwise). */
    private static double[] flatGradient(Block network) {
        java.util.List<float[]> parts = new java.util.ArrayList<>();
        int size = 0;
        for (Pair<String, Parameter> p : network.getParameters()) {
            try (NDArray gradient = p.getValue().getArray().getGradient()) {
                float[] values = gradient.toFloatArray();
                parts.add(values);
                size += values.length;
                gradient.subi(gradient); // zero in place
            }
        }
        double[] flat = new double[size];
        int offset = 0;
        for (float[] part : parts) {
            for (float v : part) {
                flat[offset++] = v;
            }
        }
        return flat;
    }

    /** tr Cov(g) over the repeats, ||mean g||^2, and the number of gradients. */
    public record Result(double totalVariance, double meanNormSquared, int repeats) {

        /** The noise-to-signal ratio tr Cov(g) / ||E g||^2. */
        public double noiseToSignal() {
            return totalVariance / meanNormSquared;
        }
    }
}
