package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.PerSample;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.PerturbationKernel;
import java.util.function.DoubleUnaryOperator;

/**
 * Denoising score matching (Vincent 2011) over a Gaussian perturbation kernel x_t = m(t) x_0 + s(t) eps:
 * L(theta) = E_t lambda(t) E_{x_0, eps} || s_theta(x_t, t) - grad_{x_t} log p_{0t}(x_t | x_0) ||^2 with the
 * conditional score grad log p_{0t}(x_t | x_0) = -(x_t - m(t) x_0) / s(t)^2 = -eps / s(t). Its minimiser is the
 * score of the diffused marginal p_t: L = E_t lambda(t) E ||s_theta - grad log p_t||^2 + const.
 *
 * <p>Three ways to draw t: one noise level sigma (x~ = x + sigma eps); the NCSN ladder, i ~ U{1..L} with
 * lambda(sigma_i) = sigma_i^2 by default; and continuous time t ~ U[tMin, tMax] with a weighting lambda(t)
 * (the SDE objective of Song et al. 2021).
 */
public final class DenoisingScoreMatching {

    /** Points where a continuous weighting is checked for lambda(t) &gt;= 0 before training starts. */
    private static final int WEIGHT_CHECKS = 65;

    private DenoisingScoreMatching() {
    }

    /**
     * Per row: lambda_i || s_i + eps_i / std_i ||^2, shape (n,), the norm over every non-batch axis, for the model's
     * scores s and the noise eps of shape (n, ...) and per-row std = s(t_i) and weights lambda_i of shape (n, 1, ..., 1)
     * (PerSample.column).
     */
    public static NDArray terms(NDArray score, NDArray eps, NDArray std, NDArray lambda) {
        Arguments.requireSame("score", score, "eps", eps);
        return PerSample.sum(score.add(eps.div(std)).square()).mul(lambda.reshape(lambda.getShape().get(0))); // lambda ||s + eps / s(t)||^2
    }

    /** l(theta, sigma) = E || s_theta(x + sigma eps) + eps / sigma ||^2 at one noise level sigma &gt; 0 (lambda = 1). */
    public static Objective singleSigma(TrainableScore model, double sigma) {
        Arguments.nonNull("model", model);
        if (!(sigma > 0) || !(sigma * sigma > 0) || Double.isInfinite(sigma * sigma)) {
            throw new IllegalArgumentException("sigma = " + sigma + ": must be > 0 with a finite, non-zero square");
        }
        return ladder(model, NoiseLadder.of(sigma), s -> 1);
    }

    /** The NCSN objective sum_i lambda(sigma_i) l(theta, sigma_i) / L with lambda(sigma) = sigma^2: i ~ U{1..L} per row. */
    public static Objective ladder(TrainableScore model, NoiseLadder ladder) {
        Arguments.allNonNull("model, ladder", model, ladder);
        return ladder(model, ladder, sigma -> sigma * sigma);
    }

    /** As above with the weighting lambda(sigma) &gt;= 0, checked at every level before any work. */
    public static Objective ladder(TrainableScore model, NoiseLadder ladder, DoubleUnaryOperator lambdaOfSigma) {
        Arguments.allNonNull("model, ladder, lambdaOfSigma", model, ladder, lambdaOfSigma);
        double[] weights = new double[ladder.levels()];
        for (int i = 1; i <= ladder.levels(); i++) {
            weights[i - 1] = checkedWeight("lambda(sigma_" + i + " = " + ladder.sigma(i) + ")", lambdaOfSigma.applyAsDouble(ladder.sigma(i)));
        }
        return (parameters, x0) -> {
            long n = x0.getShape().get(0);
            long[] level = x0.getManager().randomInteger(1, ladder.levels() + 1, new Shape(n), DataType.INT64).toLongArray();
            double[] t = new double[level.length];
            double[] lambda = new double[level.length];
            for (int row = 0; row < level.length; row++) {
                t[row] = ladder.time((int) level[row]); // the network sees the kernel time t = L + 1 - i
                lambda[row] = weights[(int) level[row] - 1];
            }
            return terms(model, ladder, parameters, x0, t, lambda).mean();
        };
    }

    /**
     * The continuous-time objective E_{t ~ U[tMin, tMax]} lambda(t) E || s_theta(x_t, t) + eps / s(t) ||^2 over a
     * kernel with s(t) &gt; 0 on [tMin, tMax]; lambda(t) &gt;= 0 is checked on a grid before training and at every
     * drawn t before the network runs.
     */
    public static Objective continuous(
            TrainableScore model, PerturbationKernel kernel, double tMin, double tMax, DoubleUnaryOperator lambda) {
        Arguments.allNonNull("model, kernel, lambda", model, kernel, lambda);
        kernel.requireTime("tMin", tMin);
        kernel.requireTime("tMax", tMax);
        if (!(kernel.std(tMin) > 0)) {
            throw new IllegalArgumentException("tMin = " + tMin + " gives s(tMin) = " + kernel.std(tMin) + ": the noise scale must be > 0");
        }
        if (!(tMin < tMax) || !Double.isFinite(tMin) || !Double.isFinite(tMax)) {
            throw new IllegalArgumentException("tMin = " + tMin + ", tMax = " + tMax + ": need finite tMin < tMax");
        }
        for (int k = 0; k < WEIGHT_CHECKS; k++) {
            double t = tMin + (tMax - tMin) * k / (WEIGHT_CHECKS - 1);
            checkedWeight("lambda(t = " + t + ")", lambda.applyAsDouble(t));
            checkedStd(kernel, t);
        }
        return (parameters, x0) -> {
            double[] t = x0.getManager().randomUniform((float) tMin, (float) tMax, new Shape(x0.getShape().get(0)))
                    .toType(DataType.FLOAT64, false).toDoubleArray();
            double[] weight = new double[t.length];
            for (int row = 0; row < t.length; row++) {
                weight[row] = checkedWeight("lambda(t = " + t[row] + ")", lambda.applyAsDouble(t[row]));
            }
            return terms(model, kernel, parameters, x0, t, weight).mean();
        };
    }

    /**
     * Per row: lambda_i || s_theta(x_t,i, t_i) + eps_i / s(t_i) ||^2, shape (n,), with x_t,i = m(t_i) x_0,i +
     * s(t_i) eps_i and eps ~ N(0, I) drawn here at the given times t_i and weights lambda_i: the common core of every
     * objective above (their batch loss is its mean).
     */
    public static NDArray terms(TrainableScore model, PerturbationKernel kernel, ParameterStore parameters,
            NDArray x0, double[] t, double[] lambda) {
        NDManager m = x0.getManager();
        long n = x0.getShape().get(0);
        if (t.length != n || lambda.length != n) {
            throw new IllegalArgumentException("t and lambda have lengths " + t.length + " and " + lambda.length
                    + ": both must equal the batch size n = " + n);
        }
        double[] meanScale = new double[t.length];
        double[] std = new double[t.length];
        for (int row = 0; row < t.length; row++) {
            meanScale[row] = kernel.meanScale(t[row]);
            std[row] = checkedStd(kernel, t[row]);
        }
        NDArray eps = m.randomNormal(0, 1, x0.getShape(), x0.getDataType());
        NDArray s = column(m, std, x0);
        NDArray xt = column(m, meanScale, x0).mul(x0).add(s.mul(eps)); // x_t = m(t) x_0 + s(t) eps
        NDArray time = m.create(t).toType(x0.getDataType(), false).toDevice(x0.getDevice(), false);
        return terms(model.score(parameters, xt, time, s), eps, s, column(m, lambda, x0));
    }

    /** values as a column (n, 1, ..., 1) of x's rank in x's data type on x's device. */
    private static NDArray column(NDManager m, double[] values, NDArray x) {
        return m.create(values, PerSample.column(x)).toType(x.getDataType(), false).toDevice(x.getDevice(), false);
    }

    private static double checkedWeight(String name, double lambda) {
        if (!(lambda >= 0) || Float.isInfinite((float) lambda)) {
            throw new IllegalArgumentException(name + " = " + lambda + ": the weighting must be >= 0 and finite in float32");
        }
        return lambda;
    }

    private static double checkedStd(PerturbationKernel kernel, double t) {
        double std = kernel.std(t);
        if (!(std > 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("s(t = " + t + ") = " + std + ": the kernel's noise scale must be finite and > 0");
        }
        return std;
    }
}
