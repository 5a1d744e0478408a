package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ChainModel;
import diffusion.score.GaussianMixtureOracle;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The bound on Gaussian data x_0 ~ N(mu, diag v), where the oracle eps* is the Bayes-optimal noise predictor and every
 * term of its bound is known in closed form (GaussianDataBound). Tolerances: 5 Monte Carlo standard errors.
 */
class VariationalBoundTest {

    private static final double Z = 5.0;
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(40);
    private static final double[] MEAN = {0.5, -1.0};
    private static final double[] VARIANCE = {0.3, 2.0};
    private static final GaussianMixture DATA = GaussianMixture.gaussian(MEAN, VARIANCE);
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(DATA, SCHEDULE);
    private static final ReverseVariance[] VARIANCES = {ReverseVariance.BETA, ReverseVariance.BETA_TILDE};

    /** The exact evaluation (all t, one x_t per row and step) of the oracle's bound matches the closed form, for both fixed variances. */
    @Test
    void exactEvaluationOfTheOraclesBoundMatchesTheClosedForm() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = DATA.sample(m, 4000, 11);
            for (ReverseVariance variance : VARIANCES) {
                ChainModel model = ChainModel.ddpm(ORACLE, variance);
                VariationalBound.Evaluation evaluation = bound.evaluate(model, x0, 12);
                double closedForm = GaussianDataBound.total(SCHEDULE, MEAN, VARIANCE, model::sigmaSquared);
                assertEquals(closedForm, evaluation.total(), Z * evaluation.standardError(), name(variance) + ": total");
                assertTrue(closedForm > GaussianDataBound.entropy(VARIANCE), name(variance) + ": the bound exceeds the true NLL");
                assertEquals(evaluation.total() / (2 * Math.log(2)), evaluation.bitsPerDim(), 1e-12, "bits/dim = nats / (d ln 2)");
            }
        }
    }

    /** Each term alone: L_T, L_0 and L_{t-1} at several t match their closed forms (5 standard errors of the row mean). */
    @Test
    void eachTermMatchesItsClosedForm() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(13);
            NDArray x0 = DATA.sample(m, 20_000, 14);
            checkMean(bound.prior(x0), GaussianDataBound.prior(SCHEDULE, MEAN, VARIANCE), "L_T");
            for (ReverseVariance variance : VARIANCES) {
                ChainModel model = ChainModel.ddpm(ORACLE, variance);
                for (int t : new int[] {1, 2, 10, 40}) {
                    try (NDScope scope = new NDScope()) {
                        NDArray term = bound.estimate(model, x0, t, 1.0).sub(bound.prior(x0)); // L_{t-1} per row
                        double closedForm = GaussianDataBound.term(SCHEDULE, MEAN, VARIANCE, t, model.sigmaSquared(t));
                        checkMean(term, closedForm, name(variance) + ", t = " + t);
                    }
                }
            }
        }
    }

    /**
     * The single-t estimate L_T + L_{t-1} / p_t with t ~ p is unbiased for the sum over all t: its mean over many draws
     * matches the closed-form bound, for the uniform p and for a skewed p_t proportional to 1/t.
     */
    @Test
    void singleStepEstimatorIsUnbiasedForTheExactSum() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        ChainModel model = ChainModel.ddpm(ORACLE, ReverseVariance.BETA);
        double closedForm = GaussianDataBound.total(SCHEDULE, MEAN, VARIANCE, model::sigmaSquared);
        int T = SCHEDULE.T();
        double[] uniform = new double[T];
        double[] skewed = new double[T];
        double norm = 0;
        for (int t = 1; t <= T; t++) {
            uniform[t - 1] = 1.0 / T;
            norm += 1.0 / t;
        }
        for (int t = 1; t <= T; t++) {
            skewed[t - 1] = 1.0 / t / norm;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(15);
            SplittableRandom random = new SplittableRandom(16);
            for (double[] p : new double[][] {uniform, skewed}) {
                int draws = 4000;
                int rows = 8;
                int[] count = new int[T + 1];
                for (int r = 0; r < draws; r++) {
                    count[drawStep(p, random)]++;
                }
                double[] estimates = new double[draws];
                int r = 0;
                for (int t = 1; t <= T; t++) { // the draws that fell on t, evaluated together: one batch of 8 rows each
                    if (count[t] > 0) {
                        try (NDScope scope = new NDScope()) {
                            NDArray x0 = DATA.sample(m, rows * count[t], random.nextLong());
                            float[] perDraw = bound.estimate(model, x0, t, p[t - 1]).reshape(count[t], rows).mean(new int[] {1}).toFloatArray();
                            for (float e : perDraw) {
                                estimates[r++] = e;
                            }
                        }
                    }
                }
                double mean = java.util.Arrays.stream(estimates).average().orElseThrow();
                double sd = Math.sqrt(java.util.Arrays.stream(estimates).map(e -> (e - mean) * (e - mean)).sum() / (draws - 1));
                assertEquals(closedForm, mean, Z * sd / Math.sqrt(draws), p == uniform ? "uniform t" : "t ~ 1/t");
            }
        }
    }

    /** The discretised decoder's L_0 is the negative log of a probability, so it is >= 0, unlike the Gaussian density's. */
    @Test
    void discretisedDecoderGivesANonNegativeL0() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.DISCRETISED_256);
        ChainModel model = ChainModel.ddpm(ORACLE, ReverseVariance.BETA);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(17);
            NDArray x0 = DATA.sample(m, 500, 18).clip(-1, 1).add(1).mul(127.5).round().div(127.5).sub(1); // 256 levels
            NDArray l0 = bound.estimate(model, x0, 1, 1.0).sub(bound.prior(x0));
            assertTrue(l0.min().getFloat() >= 0, "-log of a bin mass in (0, 1]");
        }
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new VariationalBound(NoiseSchedule.linear(1), Decoder.GAUSSIAN), "T = 1");
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        assertThrows(IllegalArgumentException.class, () -> bound.epsWeight(5, 0.0), "sigma^2 = 0");
        assertThrows(IllegalArgumentException.class, () -> bound.snrWeight(1), "no SNR(0)");
        ChainModel model = ChainModel.ddpm(ORACLE, ReverseVariance.BETA);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.zeros(new Shape(4, 2));
            assertThrows(IllegalArgumentException.class, () -> bound.estimate(model, x0, 3, 0.0), "p_t = 0");
            assertThrows(IllegalArgumentException.class, () -> bound.estimate(model, m.zeros(new Shape(4, 3)), 3, 0.5), "wrong d");
            VariationalBound other = new VariationalBound(NoiseSchedule.linear(40), Decoder.GAUSSIAN);
            assertThrows(IllegalArgumentException.class, () -> other.evaluate(model, x0, 1), "another schedule");
        }
    }

    private static void checkMean(NDArray rows, double expected, String what) {
        double[] meanAndError = LinearGaussian.meanAndError(rows);
        assertEquals(expected, meanAndError[0], Z * meanAndError[1] + 1e-6 * Math.abs(expected),
                what + " (5 standard errors + float32 rounding)");
    }

    private static String name(ReverseVariance variance) {
        return variance == ReverseVariance.BETA ? "sigma^2 = beta" : "sigma^2 = betaTilde";
    }

    private static int drawStep(double[] p, SplittableRandom random) {
        double u = random.nextDouble();
        double cumulative = 0;
        for (int t = 1; t <= p.length; t++) {
            cumulative += p[t - 1];
            if (u < cumulative) {
                return t;
            }
        }
        return p.length;
    }
}
