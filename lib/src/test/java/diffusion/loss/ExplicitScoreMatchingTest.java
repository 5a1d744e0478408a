package diffusion.loss;

import static diffusion.loss.LinearGaussian.D;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.nn.ScoreMlp;
import diffusion.report.Environment;
import org.junit.jupiter.api.Test;

/** Monte Carlo checks use a tolerance of 5 standard errors of the mean and fixed seeds. */
class ExplicitScoreMatchingTest {

    private static final int N = 20000;
    private static final double[][] A = {{-1.2, 0.3}, {0.1, -0.4}};
    private static final double[] B = {0.2, -0.1};

    /** For s(x) = A x + b on N(mu, Sigma): E[tr A + 1/2 ||A x + b||^2] = tr A + 1/2 (tr(A Sigma A^T) + ||A mu + b||^2). */
    @Test
    void theObjectiveOfALinearModelOnGaussianDataIsItsClosedForm() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] estimate = estimate(m, A, B);
            double exact = LinearGaussian.esm(A, B);
            assertTrue(Math.abs(estimate[0] - exact) < 5 * estimate[1], estimate[0] + " vs " + exact + " +- 5 x " + estimate[1]);
        }
    }

    /** The minimiser is the data score (A* = -Sigma^{-1}, b* = Sigma^{-1} mu), with optimal value -1/2 tr Sigma^{-1}. */
    @Test
    void theOptimumIsTheDataScoreWithValueMinusHalfTheTraceOfThePrecision() {
        double optimum = -0.5 * LinearGaussian.traceOfPrecision();
        double[][] aStar = LinearGaussian.optimalA();
        double[] bStar = LinearGaussian.optimalB();
        assertTrue(Math.abs(LinearGaussian.esm(aStar, bStar) - optimum) < 1e-12);
        assertTrue(LinearGaussian.esm(A, B) > optimum);
        try (NDManager m = NDManager.newBaseManager()) {
            double[] estimate = estimate(m, aStar, bStar);
            assertTrue(Math.abs(estimate[0] - optimum) < 5 * estimate[1], estimate[0] + " vs " + optimum + " +- 5 x " + estimate[1]);
        }
    }

    /**
     * The trace identity: for any model, 1/2 E||s - grad log p||^2 = E[tr grad s + 1/2 ||s||^2] + 1/2 E||grad log p||^2.
     * Checked per sample on a random (untrained) MLP and the eight-Gaussians mixture smoothed by unit noise (exact score,
     * moderate score variance), with 100000 samples: a JVP that drops the h sigmoid'(h) part of the SiLU derivative
     * misses by about 10 standard errors.
     */
    @Test
    void explicitScoreMatchingIsTheFisherDivergenceMinusAConstant() {
        GaussianMixture data = Toy2D.eightGaussians().diffuse(1, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(5);
            ScoreMlp network = new ScoreMlp(2, 32, 2);
            network.initialize(m, DataType.FLOAT64);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = data.sample(m, 5 * N, 6).toType(DataType.FLOAT64, false);
            NDArray trueScore = data.score(x);
            NDArray fisher = FisherDivergence.terms(network.forward(parameters, new NDList(x), false).head(), trueScore);
            NDArray esm = ExplicitScoreMatching.terms(network, parameters, x);
            NDArray constant = trueScore.square().sum(new int[] {1}).mul(0.5);
            double[] gap = LinearGaussian.meanAndError(fisher.sub(esm).sub(constant));
            assertTrue(Math.abs(gap[0]) < 5 * gap[1], "Fisher - ESM - 1/2 E||grad log p||^2 = " + gap[0] + " +- " + gap[1]);
        }
    }

    /** The exact-trace objective's parameter gradient (one ordinary backward) equals its finite-difference gradient. */
    @Test
    void theGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Environment.seed(8);
            ScoreMlp network = new ScoreMlp(D, 6, 2);
            network.initialize(m, DataType.FLOAT64);
            ParameterStore parameters = new ParameterStore(m, false);
            NDArray x = LinearGaussian.sample(m, 7, 9);
            LinearGaussian.assertGradientMatchesFiniteDifferences(network,
                    () -> ExplicitScoreMatching.objective(network).loss(parameters, x));
        }
    }

    private static double[] estimate(NDManager m, double[][] a, double[] b) {
        ScoreMlp model = LinearGaussian.linear(m, a, b);
        NDArray x = LinearGaussian.sample(m, N, 4);
        return LinearGaussian.meanAndError(ExplicitScoreMatching.terms(model, new ParameterStore(m, false), x));
    }
}
