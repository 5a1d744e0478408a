package diffusion.loss;

import static diffusion.loss.LinearGaussian.D;
import static diffusion.loss.LinearGaussian.MU;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.data.GaussianMixture;
import diffusion.nn.EpsMlp;
import diffusion.nn.TimeConditioning;
import diffusion.report.Environment;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.NetworkScoreModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Denoising score matching on Gaussian data N(mu, diag(var)): the diffused law of m x_0 + s eps is
 * N(m mu, diag(m^2 var + s^2)) (GaussianMixture.diffuse), so the optimal model and the optimal loss are exact.
 * Monte Carlo checks: 20000 rows, tolerance 5 standard errors, fixed seeds.
 */
class DenoisingScoreMatchingTest {

    private static final int N = 20000;

    /** The Ornstein-Uhlenbeck (VP) kernel m(t) = e^{-t}, s(t) = sqrt(1 - e^{-2t}). */
    private static final PerturbationKernel VP = new PerturbationKernel() {
        @Override
        public double meanScale(double t) {
            return Math.exp(-t);
        }

        @Override
        public double std(double t) {
            return Math.sqrt(1 - Math.exp(-2 * t));
        }

        /** The objectives below draw t in [0.05, 1]. */
        @Override
        public double tMax() {
            return 1;
        }
    };

    /** The exact diffused score -(x - m(t) mu) / (m(t)^2 var + s(t)^2), row by row, read from diffuse(m, s). */
    private static TrainableScore oracle(PerturbationKernel kernel) {
        return (parameters, x, t, std) -> {
            double[] times = t.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] flat = x.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] score = new double[flat.length];
            for (int i = 0; i < times.length; i++) {
                GaussianMixture marginal = LinearGaussian.DATA.diffuse(kernel.meanScale(times[i]), kernel.std(times[i]));
                for (int j = 0; j < D; j++) {
                    score[i * D + j] = (marginal.means()[0][j] - flat[i * D + j]) / marginal.variances()[0][j];
                }
            }
            return x.getManager().create(score, x.getShape()).toType(x.getDataType(), false);
        };
    }

    /** E_{p_t} ||grad log p_t||^2 = sum_j 1 / (m^2 var_j + s^2) for the diffused Gaussian. */
    private static double diffusedFisherInformation(double m, double s) {
        double sum = 0;
        for (double v : LinearGaussian.DATA.diffuse(m, s).variances()[0]) {
            sum += 1 / v;
        }
        return sum;
    }

    /**
     * At the optimum s* = grad log p_sigma, l(theta*, sigma) = E||eps / sigma||^2 - E||grad log p_sigma||^2
     * = d / sigma^2 - sum_j 1 / (var_j + sigma^2).
     */
    @Test
    void theSingleSigmaOptimumHasTheClosedFormValue() {
        double sigma = 0.7;
        NoiseLadder level = NoiseLadder.of(sigma);
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(1);
            double[] estimate = LinearGaussian.meanAndError(DenoisingScoreMatching.terms(oracle(level), level,
                    new ParameterStore(m, false), LinearGaussian.sample(m, N, 2), times(N, 1), constant(N, 1)));
            double exact = D / (sigma * sigma) - diffusedFisherInformation(1, sigma);
            assertTrue(Math.abs(estimate[0] - exact) < 5 * estimate[1], estimate[0] + " vs " + exact + " +- 5 x " + estimate[1]);
        }
    }

    /**
     * DSM is the Fisher divergence to the diffused law plus a constant: with the same x_0 and eps, the loss of a linear
     * model s(x) = A x + b exceeds the oracle's by E_{p_sigma} ||s - s*||^2 = tr(C Sigma_sigma C^T) + ||C mu + c||^2,
     * C = A + Sigma_sigma^{-1}, c = b - Sigma_sigma^{-1} mu; so the diffused score is the minimiser.
     */
    @Test
    void theExcessLossIsTheSquaredDistanceToTheDiffusedScore() {
        double sigma = 0.5;
        double[][] a = {{-0.8, 0.2}, {-0.3, -0.9}};
        double[] b = {0.1, 0.4};
        NoiseLadder level = NoiseLadder.of(sigma);
        double[] diffused = LinearGaussian.DATA.diffuse(1, sigma).variances()[0];
        double exact = 0;
        for (int i = 0; i < D; i++) {
            double offset = b[i] - MU[i] / diffused[i];
            for (int j = 0; j < D; j++) {
                double c = a[i][j] + (i == j ? 1 / diffused[j] : 0);
                exact += c * c * diffused[j];
                offset += c * MU[j];
            }
            exact += offset * offset;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x0 = LinearGaussian.sample(m, N, 3);
            Environment.seed(4);
            NDArray model = DenoisingScoreMatching.terms(TrainableScore.of(LinearGaussian.linear(m, a, b)), level,
                    parameters, x0, times(N, 1), constant(N, 1));
            Environment.seed(4);
            NDArray optimum = DenoisingScoreMatching.terms(oracle(level), level, parameters, x0, times(N, 1), constant(N, 1));
            double[] excess = LinearGaussian.meanAndError(model.sub(optimum));
            assertTrue(Math.abs(excess[0] - exact) < 5 * excess[1], excess[0] + " vs " + exact + " +- 5 x " + excess[1]);
        }
    }

    /**
     * The NCSN objective with lambda(sigma) = sigma^2 at the optimum: i ~ U{1..L} per row, so the value is
     * (1/L) sum_i sigma_i^2 (d / sigma_i^2 - sum_j 1 / (var_j + sigma_i^2)).
     */
    @Test
    void theLadderObjectiveAtTheOptimumIsTheAverageOfTheWeightedLevels() {
        NoiseLadder ladder = NoiseLadder.geometric(3, 0.1, 6);
        double exact = 0;
        for (double sigma : ladder.sigmas()) {
            exact += sigma * sigma * (D / (sigma * sigma) - diffusedFisherInformation(1, sigma)) / ladder.levels();
        }
        assertMeanOfObjective(DenoisingScoreMatching.ladder(oracle(ladder), ladder), exact);
    }

    /**
     * The ladder objective feeds the network the kernel time of the level it drew (t = L + 1 - i, so s(t) = sigma_i) and
     * weighs that row with lambda(sigma_i) of the same level. With a zero model a row's term is lambda ||eps||^2 / s^2,
     * so with the asymmetric weighting lambda(sigma) = sigma the objective is (d / L) sum_i 1 / sigma_i; pairing
     * lambda(sigma_i) with the level at the old index t = i (noise sigma_{L+1-i}) would give
     * (d / L) sum_i sigma_i / sigma_{L+1-i}^2 instead, 3.6 times larger here. The model sees integer times in 1..L with
     * std = s(t) on every row.
     */
    @Test
    void theLadderObjectiveFeedsTheKernelTimeOfEachDrawnLevelAndWeighsItsOwnSigma() {
        NoiseLadder ladder = NoiseLadder.geometric(3, 0.1, 6);
        double exact = 0;
        double mismatched = 0;
        for (int i = 1; i <= ladder.levels(); i++) {
            exact += D / ladder.sigma(i) / ladder.levels();
            double other = ladder.sigma(ladder.levels() + 1 - i);
            mismatched += D * ladder.sigma(i) / (other * other) / ladder.levels();
        }
        assertTrue(mismatched > 2 * exact, "the check can tell the two pairings apart");
        boolean[] seen = new boolean[ladder.levels() + 1];
        TrainableScore zero = (parameters, x, t, std) -> {
            double[] times = t.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] stds = std.toType(DataType.FLOAT64, false).toDoubleArray();
            for (int row = 0; row < times.length; row++) {
                int time = (int) times[row];
                assertTrue(times[row] == time && time >= 1 && time <= ladder.levels(), "an integer kernel time in 1..L: " + times[row]);
                // exact in the data's type: float64 here, or s(t) rounded once to float32 (relative 6e-8)
                assertEquals(ladder.std(time), stds[row], 1e-7 * ladder.std(time), "std = s(t) at t = " + time);
                seen[time] = true;
            }
            return x.zerosLike();
        };
        assertMeanOfObjective(DenoisingScoreMatching.ladder(zero, ladder, sigma -> sigma), exact);
        for (int t = 1; t <= ladder.levels(); t++) {
            assertTrue(seen[t], "level at t = " + t + " drawn");
        }
    }

    /**
     * The continuous-time objective with lambda(t) = s(t)^2 on the VP kernel, t ~ U[0.05, 1]: at the optimum it is
     * the time average of d - s(t)^2 sum_j 1 / (m(t)^2 var_j + s(t)^2), integrated by Simpson's rule (2000 panels).
     */
    @Test
    void theContinuousObjectiveAtTheOptimumIsTheTimeAverageOfItsClosedForm() {
        double tMin = 0.05;
        double tMax = 1;
        int panels = 2000;
        double integral = 0;
        for (int k = 0; k <= panels; k++) {
            double t = tMin + (tMax - tMin) * k / panels;
            double s = VP.std(t);
            double value = D - s * s * diffusedFisherInformation(VP.meanScale(t), s);
            integral += value * (k == 0 || k == panels ? 1 : k % 2 == 1 ? 4 : 2);
        }
        double exact = integral * (tMax - tMin) / panels / 3 / (tMax - tMin);
        assertMeanOfObjective(DenoisingScoreMatching.continuous(oracle(VP), VP, tMin, tMax, t -> VP.std(t) * VP.std(t)), exact);
    }

    /** An eps-network seen as a score: s = -eps_theta(x, t) / s(t), row by row. */
    @Test
    void anEpsilonNetworkIsReadAsMinusEpsilonOverTheNoiseScale() {
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(5);
            EpsMlp network = new EpsMlp(D, 8, 1, 4);
            network.initialize(m);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(4, D));
            NDArray t = m.create(new float[] {1, 2, 3, 4});
            NDArray std = m.create(new float[] {0.5f, 1, 2, 4}, new Shape(4, 1));
            NDArray eps = network.forward(parameters, new NDList(x, t), false).head();
            assertArrayEquals(eps.div(std).neg().toFloatArray(),
                    TrainableScore.fromEpsilon(network).score(parameters, x, t, std).toFloatArray(), 1e-6f);
        }
    }

    /**
     * With a time conditioning tau(t) the network reads tau(t), in training (TrainableScore) and in sampling
     * (NetworkScoreModel) alike: both equal the network read at its own time, evaluated at tau(t) = log sigma(t).
     */
    @Test
    void aTimeConditioningFeedsTheNetworkTheSameInputInTrainingAndInference() {
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(6);
            EpsMlp network = new EpsMlp(D, 8, 1, 4);
            network.initialize(m);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(3, D));
            double t = 0.37;
            TimeConditioning logSigma = TimeConditioning.logSigma(VP);
            NDArray std = m.full(new Shape(3, 1), (float) VP.std(t));
            NDArray direct = TrainableScore.fromEpsilon(network).score(parameters, x, m.full(new Shape(3), (float) Math.log(VP.sigma(t))), std);
            NDArray training = TrainableScore.fromEpsilon(network, logSigma).score(parameters, x, m.full(new Shape(3), (float) t), std);
            NDArray inference = new NetworkScoreModel(network, VP, logSigma).score(x, t);
            assertArrayEquals(direct.toFloatArray(), training.toFloatArray(), 1e-6f);
            assertArrayEquals(direct.toFloatArray(), inference.toFloatArray(), 1e-5f);
        }
    }

    @Test
    void badNoiseLevelsAndNegativeWeightsAreRejected() {
        TrainableScore any = oracle(VP);
        IllegalArgumentException sigma = assertThrows(IllegalArgumentException.class,
                () -> DenoisingScoreMatching.singleSigma(any, -0.1));
        assertTrue(sigma.getMessage().contains("sigma = -0.1"), sigma.getMessage());
        NoiseLadder ladder = NoiseLadder.geometric(1, 0.1, 3);
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> DenoisingScoreMatching.ladder(any, ladder, s -> s - 0.5));
        assertTrue(weight.getMessage().contains("lambda(sigma_2"), weight.getMessage());
        IllegalArgumentException continuous = assertThrows(IllegalArgumentException.class,
                () -> DenoisingScoreMatching.continuous(any, VP, 0.1, 1, t -> t - 0.5));
        assertTrue(continuous.getMessage().contains("lambda(t = 0.1"), continuous.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DenoisingScoreMatching.continuous(any, VP, 0, 1, t -> 1));
        assertThrows(IllegalArgumentException.class, () -> DenoisingScoreMatching.continuous(any, VP, 1, 0.5, t -> 1));
    }

    /** The mean of the objective's per-row terms over N rows (drawn t and eps) is within 5 SE of exact. */
    private static void assertMeanOfObjective(Objective objective, double exact) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = LinearGaussian.sample(m, N, 6);
            Environment.seed(7);
            double[] values = new double[20];
            for (int batch = 0; batch < values.length; batch++) {
                values[batch] = objective.loss(new ParameterStore(m, false), x0.get(batch * (N / 20) + ":" + (batch + 1) * (N / 20))).getDouble();
            }
            double mean = Arrays.stream(values).average().orElseThrow();
            double sd = Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1));
            double error = sd / Math.sqrt(values.length);
            assertTrue(Math.abs(mean - exact) < 5 * error, mean + " vs " + exact + " +- 5 x " + error);
        }
    }

    private static double[] times(int n, double t) {
        return constant(n, t);
    }

    private static double[] constant(int n, double value) {
        double[] values = new double[n];
        Arrays.fill(values, value);
        return values;
    }
}
