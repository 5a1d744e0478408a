package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class OrnsteinUhlenbeckTest {

    private static final OrnsteinUhlenbeck OU = OrnsteinUhlenbeck.KERNEL;

    /**
     * Moments of a linear SDE dY = (A Y + b) dt + g dB solve m' = A m + b and V' = 2 A V + g^2; integrated by RK4
     * with 10^4 steps they are exact to about 1e-12.
     */
    private static double[] moments(double a, double b, double g2, double m0, double v0, double time) {
        int steps = 10_000;
        double h = time / steps;
        double m = m0;
        double v = v0;
        for (int i = 0; i < steps; i++) {
            double k1 = a * m + b, l1 = 2 * a * v + g2;
            double k2 = a * (m + h / 2 * k1) + b, l2 = 2 * a * (v + h / 2 * l1) + g2;
            double k3 = a * (m + h / 2 * k2) + b, l3 = 2 * a * (v + h / 2 * l2) + g2;
            double k4 = a * (m + h * k3) + b, l4 = 2 * a * (v + h * l3) + g2;
            m += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
            v += h / 6 * (l1 + 2 * l2 + 2 * l3 + l4);
        }
        return new double[] {m, v};
    }

    /**
     * The forward SDE dX = f X dt + g dB of the kernel as an Sde, f = -1 and g = sqrt(2), from X_0 = x_0 has mean
     * e^{-s} x_0 and variance 1 - e^{-2 s}: the kernel's m(s) and sigma(s)^2.
     */
    @Test
    void kernelIsTheLawOfTheForwardSde() {
        assertEquals(-1, OU.driftRate(0.7));
        assertEquals(2, OU.diffusion(0.7) * OU.diffusion(0.7), 1e-15);
        for (double s : new double[] {0.01, 0.3, 1.0, 4.0}) {
            double[] exact = moments(OU.driftRate(s), 0, OU.diffusion(s) * OU.diffusion(s), 1.0, 0.0, s);
            assertEquals(exact[0], OU.meanScale(s), 1e-10, "m(s)");
            assertEquals(exact[1], OU.std(s) * OU.std(s), 1e-10, "sigma(s)^2");
        }
    }

    /**
     * The exponential integrator solves the reverse SDE with frozen score, dY = (Y + 2 v) dt + sqrt(2) dB, exactly:
     * mean e^eta y + 2 (e^eta - 1) v, variance e^{2 eta} - 1. The lecture's line 5 coefficient e^eta - 1 on v does
     * not: it misses the mean by (e^eta - 1) v.
     */
    @Test
    void exponentialIntegratorCoefficientsSolveTheReverseSde() {
        double y = 0.7;
        double v = -1.3;
        for (double eta : new double[] {0.01, 0.1, 0.5}) {
            double[] exact = moments(1, 2 * v, 2, y, 0, eta);
            assertEquals(exact[0], OU.stateCoefficient(eta) * y + OU.scoreCoefficient(eta) * v, 1e-10, "mean, eta = " + eta);
            assertEquals(exact[1], OU.noiseStd(eta) * OU.noiseStd(eta), 1e-10, "variance, eta = " + eta);
            double lectureMean = Math.exp(eta) * y + Math.expm1(eta) * v;
            assertTrue(Math.abs(lectureMean - exact[0]) > 1e3 * 1e-10, "the lecture's line 5 misses the mean at eta = " + eta);
        }
    }

    /** The process has no horizon (T = infinity, prior N(0, I) at any time): a grid over it names its start time. */
    @Test
    void aGridOverTheProcessNamesItsStart() {
        assertEquals(Double.POSITIVE_INFINITY, OU.T());
        assertEquals(1, OU.priorStd(3.0));
        diffusion.schedule.TimeGrid grid = diffusion.schedule.TimeGrid.uniform(OU, 3.0, 0.01, 10);
        assertEquals(3.0, grid.start());
        assertEquals(0.01, grid.end());
        assertEquals(10, grid.steps());
    }

    /** (e^{-s} x_0 - x) / (1 - e^{-2 s}) is the score in x of N(e^{-s} x_0, (1 - e^{-2 s}) I). */
    @Test
    void conditionalScoreIsTheScoreOfTheKernel() {
        double s = 0.4;
        double[] x0 = {1.5, -0.5};
        double variance = OU.std(s) * OU.std(s);
        GaussianMixture kernel = GaussianMixture.gaussian(new double[] {OU.meanScale(s) * x0[0], OU.meanScale(s) * x0[1]},
                new double[] {variance, variance});
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(20, 2)).toType(DataType.FLOAT64, false);
            NDArray start = m.create(new double[][] {x0});
            assertArrayEquals(kernel.score(x).toDoubleArray(), OU.conditionalScore(x, start, s).toDoubleArray(), 1e-12);
            assertThrows(IllegalArgumentException.class, () -> OU.conditionalScore(x, start, 0));
        }
    }
}
