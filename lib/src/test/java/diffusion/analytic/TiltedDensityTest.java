package diffusion.analytic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.metrics.MonteCarlo;
import org.junit.jupiter.api.Test;

/** The grid sampler of the tilted density p(x|y)^(1+w) p(x)^(-w) against closed forms. */
class TiltedDensityTest extends ManagedTest {

    private static final double[] LO = {-6, -6};
    private static final double[] HI = {6, 6};

    /**
     * Two Gaussians: N(a, diag u)^(1+w) N(b, diag v)^(-w) is Gaussian with precision (1+w)/u - w/v and mean
     * ((1+w) a/u - w b/v) / precision per axis (when the precision is positive). The grid's moments at 600 x 600 cells
     * (h = 0.02) agree to 1e-4: the midpoint rule's error is O(h^2) = 4e-4 times a curvature below 1/4, and the box
     * cuts off less than 1e-12 of the mass.
     */
    @Test
    void twoGaussiansTiltToTheClosedFormGaussian() {
        double[] a = {0.5, -0.3};
        double[] u = {0.4, 0.25};
        double[] b = {-0.2, 0.1};
        double[] v = {1.5, 1.2};
        for (double w : new double[] {0, 1, 3}) {
            TiltedDensity q = TiltedDensity.of(GaussianMixture.gaussian(a, u), GaussianMixture.gaussian(b, v), w, LO, HI, 600);
            for (int j = 0; j < 2; j++) {
                double precision = (1 + w) / u[j] - w / v[j];
                double mean = ((1 + w) * a[j] / u[j] - w * b[j] / v[j]) / precision;
                assertEquals(mean, q.mean()[j], 1e-4, "mean, w = " + w + ", j = " + j);
                assertEquals(1 / precision, q.covariance()[j][j], 1e-4, "variance, w = " + w + ", j = " + j);
            }
            assertEquals(0, q.covariance()[0][1], 1e-6, "a product of diagonal Gaussians has no correlation");
            assertEquals(0, q.edgeMass(), 1e-12);
        }
    }

    /** At w = 0 the tilted density is the conditional mixture itself: its mean and variance to 1e-4 (as above). */
    @Test
    void weightZeroIsTheConditionalMixture() {
        GaussianMixture conditional = GaussianMixture.of(new double[] {0.6, 0.4}, new double[][] {{-2, 1}, {-1, -1.5}},
                new double[][] {{0.2, 0.3}, {0.25, 0.15}});
        GaussianMixture marginal = GaussianMixture.of(new double[] {0.3, 0.7}, new double[][] {{-2, 1}, {1.5, 0.5}},
                new double[][] {{0.2, 0.3}, {0.4, 0.2}});
        TiltedDensity q = TiltedDensity.of(conditional, marginal, 0, LO, HI, 600);
        for (int j = 0; j < 2; j++) {
            assertEquals(conditional.mean()[j], q.mean()[j], 1e-4);
            assertEquals(conditional.variance()[j], q.covariance()[j][j], 1e-4);
        }
    }

    /**
     * The samples follow the piecewise-uniform law whose moments mean() and covariance() are: n = 20000 seeded samples,
     * means within 4 standard errors, variances within 4 standard errors of a Gaussian sample variance (the law is
     * Gaussian to O(h^2) here: w = 2 on two Gaussians).
     */
    @Test
    void samplesHaveTheGridLawsMoments() {
        TiltedDensity q = TiltedDensity.of(GaussianMixture.gaussian(new double[] {1, 0}, new double[] {0.5, 0.3}),
                GaussianMixture.gaussian(new double[] {0, 0}, new double[] {2, 2}), 2, LO, HI, 300);
        int n = 20000;
        NDArray x = q.sample(manager, n, 4);
        for (int j = 0; j < 2; j++) {
            double variance = q.covariance()[j][j];
            assertEquals(q.mean()[j], MonteCarlo.mean(x, j), 4 * MonteCarlo.meanError(variance, n), "mean j = " + j);
            assertEquals(variance, MonteCarlo.variance(x, j), 4 * MonteCarlo.varianceError(variance, n), "variance j = " + j);
        }
        assertEquals(x.max().getFloat() <= 6 && x.min().getFloat() >= -6, true, "samples stay in the box");
    }

    @Test
    void badArgumentsAreRefused() {
        GaussianMixture g = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1});
        GaussianMixture g3 = GaussianMixture.gaussian(new double[] {0, 0, 0}, new double[] {1, 1, 1});
        assertThrows(IllegalArgumentException.class, () -> TiltedDensity.of(g, g, Double.NaN, LO, HI, 10));
        assertThrows(IllegalArgumentException.class, () -> TiltedDensity.of(g3, g3, 1, LO, HI, 10));
        assertThrows(IllegalArgumentException.class, () -> TiltedDensity.of(g, g, 1, HI, LO, 10));
        assertThrows(IllegalArgumentException.class, () -> TiltedDensity.of(g, g, 1, LO, HI, 1));
    }
}
