package diffusion.loss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import diffusion.data.GaussianMixture;
import diffusion.nn.ScoreMlp;
import java.nio.DoubleBuffer;
import java.util.function.Supplier;

/**
 * Test fixtures: Gaussian data N(mu, diag(var)), where score matching with a linear model s(x) = A x + b has closed
 * forms, plus a finite-difference gradient check for any scalar loss of a network.
 */
final class LinearGaussian {

    static final double[] MU = {0.5, -1.0};
    static final double[] VAR = {0.5, 2.0};
    static final GaussianMixture DATA = GaussianMixture.gaussian(MU, VAR);
    static final int D = MU.length;

    private LinearGaussian() {
    }

    /** n float64 samples of the data, seeded. */
    static NDArray sample(NDManager m, int n, long seed) {
        return DATA.sample(m, n, seed).toType(DataType.FLOAT64, false);
    }

    /** The linear score model s(x) = A x + b in float64 with the given weights. */
    static ScoreMlp linear(NDManager m, double[][] a, double[] b) {
        ScoreMlp model = ScoreMlp.linear(D);
        model.initialize(m, DataType.FLOAT64);
        double[] flat = new double[D * D];
        for (int i = 0; i < D; i++) {
            System.arraycopy(a[i], 0, flat, i * D, D);
        }
        model.getParameters().get("weight0").getArray().set(DoubleBuffer.wrap(flat));
        model.getParameters().get("bias0").getArray().set(DoubleBuffer.wrap(b));
        return model;
    }

    /** A* = -Sigma^{-1}: the data score grad log p(x) = -Sigma^{-1} (x - mu) is linear. */
    static double[][] optimalA() {
        double[][] a = new double[D][D];
        for (int j = 0; j < D; j++) {
            a[j][j] = -1 / VAR[j];
        }
        return a;
    }

    /** b* = Sigma^{-1} mu. */
    static double[] optimalB() {
        double[] b = new double[D];
        for (int j = 0; j < D; j++) {
            b[j] = MU[j] / VAR[j];
        }
        return b;
    }

    /** tr Sigma^{-1} = E ||grad log p||^2. */
    static double traceOfPrecision() {
        double trace = 0;
        for (double v : VAR) {
            trace += 1 / v;
        }
        return trace;
    }

    /** E_p[tr A + 1/2 ||A x + b||^2] = tr A + 1/2 (sum_ij A_ij^2 var_j + ||A mu + b||^2). */
    static double esm(double[][] a, double[] b) {
        double value = 0;
        for (int i = 0; i < D; i++) {
            value += a[i][i];
            double meanRow = b[i];
            for (int j = 0; j < D; j++) {
                value += 0.5 * a[i][j] * a[i][j] * VAR[j];
                meanRow += a[i][j] * MU[j];
            }
            value += 0.5 * meanRow * meanRow;
        }
        return value;
    }

    /** Mean and standard error of the mean of values. */
    static double[] meanAndError(NDArray values) {
        double[] x = values.toType(DataType.FLOAT64, false).toDoubleArray();
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double squares = 0;
        for (double v : x) {
            squares += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(squares / (x.length - 1) / x.length)};
    }

    /**
     * The gradient of loss() with respect to every entry of every parameter of network (float64) by one backward pass,
     * against the central difference (L(w + h e) - L(w - h e)) / 2h with h = 1e-6: truncation O(h^2) and rounding
     * O(1e-16 / h) both stay below 1e-9, so the relative tolerance 1e-6 fails any error in the gradient's formula.
     */
    static void assertGradientMatchesFiniteDifferences(Block network, Supplier<NDArray> loss) {
        double h = 1e-6;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.get());
        }
        for (Pair<String, Parameter> p : network.getParameters()) {
            NDArray w = p.getValue().getArray();
            double[] gradient = w.getGradient().toDoubleArray();
            double[] values = w.toDoubleArray();
            for (int k = 0; k < values.length; k++) {
                double[] shifted = values.clone();
                shifted[k] = values[k] + h;
                w.set(DoubleBuffer.wrap(shifted));
                double plus = evaluate(loss);
                shifted[k] = values[k] - h;
                w.set(DoubleBuffer.wrap(shifted));
                double minus = evaluate(loss);
                w.set(DoubleBuffer.wrap(values));
                double difference = (plus - minus) / (2 * h);
                double scale = Math.max(1, Math.abs(difference));
                if (Math.abs(gradient[k] - difference) > 1e-6 * scale) {
                    throw new AssertionError(p.getKey() + "[" + k + "]: backward " + gradient[k]
                            + " vs finite difference " + difference);
                }
            }
        }
    }

    private static double evaluate(Supplier<NDArray> loss) {
        try (NDScope scope = new NDScope()) {
            return loss.get().getDouble();
        }
    }
}
