package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class GaussianMixtureOracleTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    @Test
    void gaussianDataHasTheClosedFormDiffusedScore() {
        // x_0 ~ N(m, v): p_t = N(a m, a^2 v + s^2), grad log p_t(x) = -(x - a m) / (a^2 v + s^2).
        double[] m = {1.0, -0.5};
        double[] v = {0.3, 2.0};
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(m, v), SCHEDULE);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(50, 2)).mul(2);
            for (int t : new int[] {1, 100, 500, 1000}) {
                double a = SCHEDULE.meanScale(t);
                double s = SCHEDULE.std(t);
                float[] score = oracle.score(x, t).toFloatArray();
                float[] xs = x.toFloatArray();
                for (int i = 0; i < xs.length; i++) {
                    int j = i % 2;
                    double expected = -(xs[i] - a * m[j]) / (a * a * v[j] + s * s);
                    assertEquals(expected, score[i], 1e-4 * (1 + Math.abs(expected)), "score at t = " + t);
                }
            }
        }
    }

    /**
     * The eps-score relation: eps*(x_t) = -s(t) grad log p_t(x_t) is the conditional mean E[eps | x_t], so the
     * residual eps - eps*(x_t) is orthogonal to every function of x_t (here x_t itself, x_t^2 and sin(3 x_t)).
     */
    @Test
    void oracleNoiseIsTheConditionalMeanOfTheNoise() {
        GaussianMixture data = Toy2D.eightGaussians();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        int n = 200_000;
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray x0 = data.sample(manager, n, 6);
            for (int t : new int[] {50, 300, 800}) {
                NDArray eps = manager.randomNormal(x0.getShape());
                NDArray xt = x0.mul(SCHEDULE.meanScale(t)).add(eps.mul(SCHEDULE.std(t)));
                NDArray residual = eps.sub(oracle.epsilon(xt, t));
                for (NDArray feature : new NDArray[] {xt, xt.square(), xt.mul(3).sin()}) {
                    NDArray product = residual.mul(feature.sub(feature.mean(new int[] {0})));
                    float[] mean = product.mean(new int[] {0}).toFloatArray();
                    float[] sd = product.sub(product.mean(new int[] {0})).square().mean(new int[] {0}).sqrt().toFloatArray();
                    for (int j = 0; j < 2; j++) {
                        assertEquals(0.0, mean[j], 5 * sd[j] / Math.sqrt(n), "E[(eps - eps*) f(x_t)] at t = " + t);
                    }
                }
            }
        }
    }

    /** Tweedie: (x_t + s^2 grad log p_t) / m equals E[x_0|x_t] computed componentwise from the Gaussian posterior. */
    @Test
    void tweedieDenoiserEqualsThePosteriorMeanOfX0() {
        GaussianMixture data = GaussianMixture.of(new double[] {0.3, 0.7},
                new double[][] {{-1, 2}, {1.5, 0}}, new double[][] {{0.2, 0.5}, {0.4, 0.1}});
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(20, 2)).mul(1.5);
            for (int t : new int[] {10, 200, 900}) {
                double a = SCHEDULE.meanScale(t);
                double s = SCHEDULE.std(t);
                float[] denoised = oracle.denoise(x, t).toFloatArray();
                float[] xs = x.toFloatArray();
                for (int i = 0; i < 20; i++) {
                    double[] posterior = new double[2];
                    double[] logWeight = new double[2];
                    double[][] componentMean = new double[2][2];
                    for (int k = 0; k < 2; k++) {
                        logWeight[k] = Math.log(data.weights()[k]);
                        for (int j = 0; j < 2; j++) {
                            double mu = data.means()[k][j];
                            double var = data.variances()[k][j];
                            double marginalVar = a * a * var + s * s;
                            double xij = xs[2 * i + j];
                            logWeight[k] += -0.5 * Math.log(2 * Math.PI * marginalVar) - Math.pow(xij - a * mu, 2) / (2 * marginalVar);
                            componentMean[k][j] = mu + a * var / marginalVar * (xij - a * mu); // E[x_0 | x_t, k]
                        }
                    }
                    double max = Math.max(logWeight[0], logWeight[1]);
                    double z = Math.exp(logWeight[0] - max) + Math.exp(logWeight[1] - max);
                    for (int k = 0; k < 2; k++) {
                        double r = Math.exp(logWeight[k] - max) / z;
                        for (int j = 0; j < 2; j++) {
                            posterior[j] += r * componentMean[k][j];
                        }
                    }
                    for (int j = 0; j < 2; j++) {
                        assertEquals(posterior[j], denoised[2 * i + j], 2e-3 * (1 + Math.abs(posterior[j]) / a), "t = " + t);
                    }
                }
            }
        }
    }

    @Test
    void wrongDimensionIsRejected() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> oracle.epsilon(manager.zeros(new Shape(3, 5)), 10));
            assertEquals("x has shape (3, 5): expected (n, 2)", e.getMessage());
        }
    }
}
