package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GaussianTest {

    private static final Gaussian Q = new Gaussian(new double[] {0.5, -1}, new double[][] {{2, 0.6}, {0.6, 1}});

    @Test
    void logDensityIsTheBivariateNormalWrittenOut() {
        // det S = 2 - 0.36 = 1.64, S^{-1} = [[1, -0.6], [-0.6, 2]] / 1.64; at x = (1, 0): r = (0.5, 1).
        double quadratic = (0.25 * 1 - 2 * 0.6 * 0.5 + 2 * 1) / 1.64;
        double expected = -Math.log(2 * Math.PI) - 0.5 * Math.log(1.64) - 0.5 * quadratic;
        assertEquals(expected, Q.logDensity(new double[] {1, 0}), 1e-12, "double precision");
    }

    @Test
    void klIsTheClosedFormOfTwoDiagonalGaussiansAndZeroOnItself() {
        Gaussian a = Gaussian.diagonal(new double[] {0, 1}, new double[] {0.5, 2});
        Gaussian b = Gaussian.diagonal(new double[] {1, -1}, new double[] {1, 4});
        // per coordinate: 1/2 [v1 / v2 + (m2 - m1)^2 / v2 - 1 + log v2 - log v1]
        double expected = 0.5 * (0.5 + 1 - 1 + Math.log(2)) + 0.5 * (0.5 + 1 - 1 + Math.log(2));
        assertEquals(expected, a.kl(b), 1e-12, "double precision");
        assertEquals(0, Q.kl(Q), 1e-12, "KL(q || q) = 0");
    }

    @Test
    void drawHasTheStatedMeanAndCovariance() {
        // z = mu + L eps: E z = mu, Cov z = L L^T = S, for eps on the lattice of +-1 per coordinate (exact moments).
        double[][] signs = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        double[] mean = new double[2];
        double[][] second = new double[2][2];
        for (double[] eps : signs) {
            double[] z = Q.draw(eps);
            for (int i = 0; i < 2; i++) {
                mean[i] += z[i] / 4;
            }
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    second[i][j] += (z[i] - Q.mean()[i]) * (z[j] - Q.mean()[j]) / 4;
                }
            }
        }
        assertEquals(0.5, mean[0], 1e-12);
        assertEquals(-1, mean[1], 1e-12);
        assertEquals(2, second[0][0], 1e-12, "a standard deviation used as the variance would give sqrt(2)");
        assertEquals(0.6, second[0][1], 1e-12);
        assertEquals(1, second[1][1], 1e-12);
    }

    @Test
    void refusesBadInputBeforeWork() {
        assertMessage(() -> Gaussian.standard(0), "k = 0");
        assertMessage(() -> Gaussian.diagonal(new double[] {0}, new double[] {-1}), "variance[0] = -1.0");
        assertMessage(() -> new Gaussian(new double[] {0, 0}, new double[][] {{1, 0.5}, {0.4, 1}}), "symmetric");
        assertMessage(() -> new Gaussian(new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}}), "positive definite");
        assertMessage(() -> Q.logDensity(new double[] {1}), "x has length 1");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
