package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Noise;
import org.junit.jupiter.api.Test;

/**
 * Lecture 000's Theorem 1 with a state-dependent G(x, t) = sigma x: the score is the derivative of the log-normal
 * log density, the forward SDE has the stated log-normal marginals, the reverse SDE with the divergence term
 * -d/dx G^2 returns the data's law, and without it the law is measurably wrong.
 */
class GeometricBrownianMotionTest extends ManagedTest {

    private static final double MU = 0.2;
    private static final double SIGMA = 0.6;
    private static final double A = 0;
    private static final double V = 0.25;
    private static final GeometricBrownianMotion GBM = new GeometricBrownianMotion(MU, SIGMA, A, V);
    private static final int N = 20000;

    /** The score against central differences of log p_t(x) = -log x - (log x - m)^2 / (2 s^2) - log(2 pi s^2) / 2. */
    @Test
    void scoreIsTheDerivativeOfTheLogDensity() {
        double t = 0.7;
        double m = GBM.logMean(t);
        double s2 = GBM.logVariance(t);
        for (double x : new double[] {0.1, 0.5, 1, 2, 5}) {
            double h = 1e-5 * x;
            double numeric = (logDensity(x + h, m, s2) - logDensity(x - h, m, s2)) / (2 * h);
            double score = GBM.score(manager.create(new double[] {x}), t).getDouble(0);
            // float64 central difference: truncation ~h^2 |p'''|, rounding ~1e-16 / h; both below 1e-7 relative here
            assertEquals(numeric, score, 1e-7 * Math.abs(numeric) + 1e-9, "x = " + x);
        }
    }

    private static double logDensity(double x, double m, double s2) {
        return -Math.log(x) - (Math.log(x) - m) * (Math.log(x) - m) / (2 * s2) - 0.5 * Math.log(2 * Math.PI * s2);
    }

    /** Euler-Maruyama on the forward SDE from log-normal data has log x_1 ~ N(a + (mu - sigma^2/2), v + sigma^2). */
    @Test
    void forwardMarginalIsLogNormal() {
        try (NDManager scope = manager.newSubManager()) {
            Noise noise = Noise.seeded(3);
            NDArray x = GBM.sample(scope, N, 0, noise).toType(DataType.FLOAT64, false);
            int steps = 1000;
            double dt = 1.0 / steps;
            for (int k = 0; k < steps; k++) {
                NDArray z = noise.normal(scope, x.getShape()).toType(DataType.FLOAT64, false);
                x = x.add(x.mul(MU * dt)).add(x.mul(z).mul(SIGMA * Math.sqrt(dt))); // x + mu x dt + sigma x sqrt(dt) z
            }
            assertLogMoments(x.log(), GBM.logMean(1), GBM.logVariance(1), "forward");
        }
    }

    /** With -d/dx G^2 the reverse SDE from p_1 returns log x_0 ~ N(a, v); without it the mean is off by many SE. */
    @Test
    void reverseSdeNeedsTheDivergenceTerm() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray xT = GBM.sample(scope, N, 1, Noise.seeded(5));
            NDArray with = GBM.reverse(scope, xT, 1, 1000, Noise.seeded(6), true).log();
            assertLogMoments(with, A, V, "with the divergence term");
            NDArray without = GBM.reverse(scope, xT, 1, 1000, Noise.seeded(6), false).log();
            double mean = without.mean().getFloat();
            double se = Math.sqrt(V / N);
            assertTrue(Math.abs(mean - A) > 20 * se, "without the divergence term the mean of log x_0 is " + mean + ", SE " + se);
        }
    }

    /**
     * Mean and variance of log x against (m, s2): 4 standard errors of a normal sample (sqrt(s2 / n), s2 sqrt(2 / n))
     * plus Euler-Maruyama's first-order bias at dt = 1e-3, bounded by 2 sigma^2 dt (the size of one step's Ito term).
     */
    private static void assertLogMoments(NDArray logX32, double m, double s2, String what) {
        NDArray logX = logX32.toType(DataType.FLOAT64, false);
        double mean = logX.mean().getDouble();
        double var = logX.sub(mean).square().mean().getDouble();
        double bias = 2 * SIGMA * SIGMA * 1e-3;
        assertEquals(m, mean, 4 * Math.sqrt(s2 / N) + bias, what + ": mean");
        assertEquals(s2, var, 4 * s2 * Math.sqrt(2.0 / N) + bias, what + ": variance");
    }

    /** Refusals: sigma &lt;= 0, v &lt;= 0, t &lt; 0, steps &lt; 1, a batch that is not (n, 1). */
    @Test
    void refusesBadInputs() {
        assertMessage("sigma", () -> new GeometricBrownianMotion(MU, 0, A, V));
        assertMessage("v", () -> new GeometricBrownianMotion(MU, SIGMA, A, -1));
        assertMessage("mu", () -> new GeometricBrownianMotion(Double.NaN, SIGMA, A, V));
        assertMessage("t", () -> GBM.logMean(-0.1));
        NDArray x = manager.ones(new Shape(4, 1));
        assertMessage("steps", () -> GBM.reverse(manager, x, 1, 0, Noise.seeded(1), true));
        assertMessage("xT", () -> GBM.reverse(manager, manager.ones(new Shape(4, 2)), 1, 10, Noise.seeded(1), true));
    }

    private static void assertMessage(String fragment, Runnable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
