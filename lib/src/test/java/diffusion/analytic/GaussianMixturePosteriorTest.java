package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

/** The exact mixture posteriors against independent closed forms, quadrature and their own draws. */
class GaussianMixturePosteriorTest extends ManagedTest {

    private static final GaussianMixture PRIOR = GaussianMixture.of(new double[] {0.3, 0.7},
            new double[][] {{-1.5, 0.5, 1}, {1, -0.5, 0}}, new double[][] {{0.2, 0.4, 1}, {0.5, 0.1, 0.3}});
    private static final double[][] A = {{1, 0.5, 0}, {0, 1, -1}};

    /**
     * A Gaussian prior N(mu, V): the information form of the posterior equals the gain form mu + V A^T (A V A^T +
     * sigma^2 I)^{-1} (y - A mu), V - V A^T (A V A^T + sigma^2 I)^{-1} A V (double precision, 1e-10).
     */
    @Test
    void aGaussianPriorGivesTheKalmanPosterior() {
        double[] mu = {0.3, -1, 2};
        double[] v = {0.5, 2, 1.5};
        double sigma = 0.4;
        double[] y = {1, -0.5};
        GaussianMixturePosterior posterior = GaussianMixturePosterior.linear(GaussianMixture.gaussian(mu, v), A, sigma, y);
        double[][] vMatrix = {{v[0], 0, 0}, {0, v[1], 0}, {0, 0, v[2]}};
        double[][] va = Dense.multiply(vMatrix, Dense.transpose(A));
        double[][] s = Dense.multiply(A, va);
        for (int i = 0; i < 2; i++) {
            s[i][i] += sigma * sigma;
        }
        double[][] gain = Dense.multiply(va, Dense.inverse(s));
        double[] residual = Dense.multiply(A, mu);
        for (int i = 0; i < 2; i++) {
            residual[i] = y[i] - residual[i];
        }
        double[] correction = Dense.multiply(gain, residual);
        double[][] reduction = Dense.multiply(gain, Dense.transpose(va));
        for (int i = 0; i < 3; i++) {
            assertEquals(mu[i] + correction[i], posterior.mean()[i], 1e-10);
            for (int j = 0; j < 3; j++) {
                assertEquals(vMatrix[i][j] - reduction[i][j], posterior.covariance()[i][j], 1e-10);
            }
        }
    }

    /**
     * In 1D with y = x + sigma n, the weights are w_k int N(x; mu_k, v_k) N(y; x, sigma^2) dx normalised: the
     * trapezoid rule on [-12, 12] with 200001 points agrees to 1e-8.
     */
    @Test
    void theWeightsAreTheMarginalLikelihoodsOfTheComponents() {
        GaussianMixture prior = GaussianMixture.of(new double[] {0.2, 0.5, 0.3}, new double[][] {{-2}, {0.5}, {3}},
                new double[][] {{0.3}, {1}, {0.2}});
        double sigma = 0.7;
        double y = 1.2;
        double[] weights = GaussianMixturePosterior.linear(prior, new double[][] {{1}}, sigma, new double[] {y}).weights();
        double[] integrals = new double[3];
        double total = 0;
        int points = 200001;
        double h = 24.0 / (points - 1);
        for (int k = 0; k < 3; k++) {
            for (int i = 0; i < points; i++) {
                double x = -12 + i * h;
                double f = normal(x, prior.means()[k][0], prior.variances()[k][0]) * normal(y, x, sigma * sigma);
                integrals[k] += (i == 0 || i == points - 1 ? 0.5 : 1) * f * h;
            }
            integrals[k] *= prior.weights()[k];
            total += integrals[k];
        }
        for (int k = 0; k < 3; k++) {
            assertEquals(integrals[k] / total, weights[k], 1e-8, "k = " + k);
        }
    }

    private static double normal(double x, double mean, double variance) {
        return Math.exp(-0.5 * (x - mean) * (x - mean) / variance) / Math.sqrt(2 * Math.PI * variance);
    }

    /**
     * Imputation is the noiseless limit of the linear posterior with A selecting the observed coordinates: at
     * sigma_y = 1e-6 the weights and the missing coordinates' means and variances agree to 1e-5 (the limit's error is
     * O(sigma_y^2 / var) relative).
     */
    @Test
    void imputationIsTheNoiselessLimitOfTheLinearPosterior() {
        boolean[] observed = {false, true, false};
        double[] y = {0, 0.2, 0};
        GaussianMixturePosterior imputation = GaussianMixturePosterior.imputation(PRIOR, observed, y);
        GaussianMixturePosterior limit = GaussianMixturePosterior.linear(PRIOR, new double[][] {{0, 1, 0}}, 1e-6, new double[] {0.2});
        for (int k = 0; k < 2; k++) {
            assertEquals(limit.weights()[k], imputation.weights()[k], 1e-5);
            int[] missing = {0, 2};
            for (int i = 0; i < 2; i++) {
                assertEquals(limit.means()[k][missing[i]], imputation.means()[k][i], 1e-5);
                for (int j = 0; j < 2; j++) {
                    assertEquals(limit.covariance(k)[missing[i]][missing[j]], imputation.covariance(k)[i][j], 1e-5);
                }
            }
        }
    }

    /**
     * The Cholesky draws have the posterior's mean and covariance: every entry within 4 Monte Carlo standard errors,
     * the SE of a covariance entry estimated from the draws' own products (n = 40000, seed 11).
     */
    @Test
    void theDrawsHaveThePosteriorMoments() {
        GaussianMixturePosterior posterior = GaussianMixturePosterior.linear(PRIOR, A, 0.5, new double[] {0.3, 0.8});
        int n = 40000;
        float[] x = posterior.sample(manager, n, 11).toFloatArray();
        double[] mean = posterior.mean();
        double[][] covariance = posterior.covariance();
        for (int a = 0; a < 3; a++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += x[i * 3 + a];
            }
            assertEquals(mean[a], sum / n, 4 * Math.sqrt(covariance[a][a] / n), "mean " + a);
            for (int b = 0; b < 3; b++) {
                double s1 = 0;
                double s2 = 0;
                for (int i = 0; i < n; i++) {
                    double p = (x[i * 3 + a] - mean[a]) * (x[i * 3 + b] - mean[b]);
                    s1 += p;
                    s2 += p * p;
                }
                double estimate = s1 / n;
                double se = Math.sqrt((s2 / n - estimate * estimate) / n);
                assertEquals(covariance[a][b], estimate, 4 * se, "covariance " + a + ", " + b);
            }
        }
    }

    /**
     * errors() on four given points: the distance of their mean to the posterior mean, the Frobenius distance of their
     * covariance (divisor n - 1) to the posterior covariance, and ModeWeights' total variation (double arithmetic on
     * float32 points: 1e-6).
     */
    @Test
    void theErrorsAreTheDistancesOfTheDrawsMoments() {
        GaussianMixturePosterior posterior = GaussianMixturePosterior.linear(GaussianMixture.gaussian(new double[] {1, 0}, new double[] {1, 1}),
                new double[][] {{1, 0}}, 1, new double[] {1});
        // posterior: N((1, 0), diag(1/2, 1)); the points have mean (1, 1) and covariance [[4/3, 0], [0, 4/3]]
        float[] points = {0, 0, 2, 0, 0, 2, 2, 2};
        GaussianMixturePosterior.Errors errors = posterior.errors(manager.create(points, new ai.djl.ndarray.types.Shape(4, 2)));
        assertEquals(1, errors.mean(), 1e-6);
        assertEquals(Math.sqrt(Math.pow(4.0 / 3 - 0.5, 2) + Math.pow(4.0 / 3 - 1, 2)), errors.covariance(), 1e-6);
        assertEquals(0, errors.modeWeights(), 1e-12, "one component: every point is nearest to it");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.linear(PRIOR, A, 0, new double[] {0, 0}));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.linear(PRIOR, A, 0.1, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.linear(PRIOR, new double[][] {{1, 0}}, 0.1, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.imputation(PRIOR, new boolean[] {true, true, true}, new double[3]));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.imputation(PRIOR, new boolean[] {true, false}, new double[2]));
        NDArray wrong = manager.zeros(new ai.djl.ndarray.types.Shape(4, 2));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.linear(PRIOR, A, 0.5, new double[] {0, 0}).errors(wrong));
        assertThrows(IllegalArgumentException.class, () -> GaussianMixturePosterior.linear(PRIOR, A, 0.5, new double[] {0, 0}).diagonal());
    }
}
