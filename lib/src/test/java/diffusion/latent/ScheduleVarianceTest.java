package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

/**
 * The schedule's interior: L_inf is the same for every schedule with the same end points, the single-draw estimator's
 * second moment is the stated integral (checked against Monte Carlo draws of ContinuousBound), the Cauchy-Schwarz
 * bound holds, and the fit approaches it.
 */
class ScheduleVarianceTest extends ManagedTest {

    private static final double[] VARIANCE = {1, 0.25};
    private static final GaussianMixture DATA = GaussianMixture.gaussian(new double[] {0.5, -1}, VARIANCE);
    private static final ScheduleVariance EXACT = ScheduleVariance.gaussian(VARIANCE, -6, 8, 2001);

    /** E Lhat by quadrature equals ContinuousBound.gaussian's closed form, to the quadrature's 1e-6 relative. */
    @Test
    void theMeanIsTheClosedFormBound() {
        double closed = ContinuousBound.gaussian(VARIANCE, MonotoneGamma.linear(-6, 8));
        assertEquals(closed, EXACT.mean(), 1e-6 * closed);
    }

    /**
     * Proposition: E Lhat^2 = 1/4 int gamma'^2 e^{-2 gamma} e_4 dt. 400 uniform t's, 50 pairs each, of
     * ContinuousBound.uniformDraws under a random schedule: the mean of Lhat^2 (SE from the 400 per-t means, the t's being
     * independent) lies within 4 SE of secondMoment, and the mean of Lhat within 4 SE of L_inf.
     */
    @Test
    void theSecondMomentIsWhatTheDrawsGive() {
        MonotoneGamma schedule = MonotoneGamma.random(manager, -6, 8, 4, 3);
        var moments = ContinuousBound.uniformDraws(manager, new GaussianMixtureOracle(DATA, schedule), DATA, 400, 50, 4);
        var second = moments.second();
        var first = moments.first();
        assertEquals(EXACT.secondMoment(schedule), second.mean(), 4 * second.standardError(), "E Lhat^2, SE " + second.standardError());
        assertEquals(EXACT.mean(), first.mean(), 4 * first.standardError(), "E Lhat, SE " + first.standardError());
    }

    /**
     * The tables estimated with the exact denoiser (101 points, 20000 pairs each) give L_inf and the linear schedule's
     * E Lhat^2 within 1.5% of the exact tables': the per-point relative SE of ||x - xhat||^4 is about
     * sqrt(5 / 20000) = 1.6% (an exponential's fourth moment), and averaging over the ~100 independent points brings the
     * integrals' SE to about 0.3%, so 1.5% is 5 SE.
     */
    @Test
    void theEstimatedTablesAgreeWithTheExactOnes() {
        MonotoneGamma linear = MonotoneGamma.linear(-6, 8);
        ScheduleVariance estimated = ScheduleVariance.estimate(manager, new GaussianMixtureOracle(DATA, linear), DATA, 101, 20000, 5);
        assertEquals(EXACT.mean(), estimated.mean(), 0.015 * EXACT.mean());
        assertEquals(EXACT.secondMoment(linear), estimated.secondMoment(linear), 0.015 * EXACT.secondMoment(linear));
    }

    /**
     * Cauchy-Schwarz: every schedule's E Lhat^2 is at least leastSecondMoment, which is at least L_inf^2 (Var &gt;= 0);
     * the fit from a random width-4 network lowers E Lhat^2 and ends within 5% of the bound (the network family cannot
     * reach it exactly), while the linear schedule is more than 5% above it.
     */
    @Test
    void theFitApproachesTheCauchySchwarzBound() {
        double least = EXACT.leastSecondMoment();
        assertTrue(least >= EXACT.mean() * EXACT.mean(), least + " vs " + EXACT.mean() * EXACT.mean());
        MonotoneGamma linear = MonotoneGamma.linear(-6, 8);
        MonotoneGamma start = MonotoneGamma.random(manager, -6, 8, 4, 7);
        for (MonotoneGamma s : new MonotoneGamma[] {linear, start, MonotoneGamma.random(manager, -6, 8, 4, 8)}) {
            assertTrue(EXACT.secondMoment(s) >= least * (1 - 1e-6), s + ": " + EXACT.secondMoment(s) + " < " + least);
        }
        MonotoneGamma fitted = EXACT.fit(start, 300, 0.05);
        System.out.printf("E Lhat^2: linear %.4f, start %.4f, fitted %.4f, least %.4f; L_inf^2 %.4f%n", EXACT.secondMoment(linear),
                EXACT.secondMoment(start), EXACT.secondMoment(fitted), least, EXACT.mean() * EXACT.mean());
        assertTrue(EXACT.secondMoment(fitted) < EXACT.secondMoment(start));
        assertTrue(EXACT.secondMoment(fitted) <= 1.05 * least, "fitted " + EXACT.secondMoment(fitted) + " vs least " + least);
        assertTrue(EXACT.secondMoment(linear) > 1.05 * least, "linear " + EXACT.secondMoment(linear) + " vs least " + least);
        assertEquals(fitted.gamma(0), -6, 1e-9);
        assertEquals(fitted.gamma(1), 8, 1e-9);
    }

    /**
     * The best schedule gamma*(t) runs from gamma0 to gamma1, increases, and keeps gamma*' e^{-gamma*} sqrt(e_4(gamma*))
     * constant (central differences at 99 interior times; equal to 2 sqrt(leastSecondMoment) within 1%, the
     * differences' error at step 1e-3).
     */
    @Test
    void theBestScheduleSpendsEqualCostPerUnitTime() {
        double[] ts = new double[101];
        for (int i = 0; i <= 100; i++) {
            ts[i] = i / 100.0;
        }
        double[] g = EXACT.optimalGammas(ts);
        assertEquals(-6, g[0], 1e-9);
        assertEquals(8, g[100], 1e-6);
        double constant = 2 * Math.sqrt(EXACT.leastSecondMoment());
        for (int i = 1; i < 100; i++) {
            assertTrue(g[i] > g[i - 1]);
            double[] near = EXACT.optimalGammas(new double[] {ts[i] - 1e-3, ts[i] + 1e-3});
            double slope = (near[1] - near[0]) / 2e-3;
            double sum = 0;
            double squares = 0;
            for (double variance : VARIANCE) {
                double a = variance / (1 + Math.exp(-g[i]) * variance); // the coordinate's error variance at SNR e^{-g}
                sum += a;
                squares += a * a;
            }
            double e4 = sum * sum + 2 * squares;
            assertEquals(constant, slope * Math.exp(-g[i]) * Math.sqrt(e4), 0.01 * constant, "t = " + ts[i]);
        }
    }

    @Test
    void mismatchedEndPointsAndLinearStartsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> EXACT.secondMoment(MonotoneGamma.linear(-4, 8)));
        assertThrows(IllegalArgumentException.class, () -> EXACT.fit(MonotoneGamma.linear(-6, 8), 10, 0.01));
        assertThrows(IllegalArgumentException.class, () -> ScheduleVariance.gaussian(VARIANCE, 8, -6, 10));
        assertThrows(IllegalArgumentException.class, () -> ScheduleVariance.gaussian(new double[] {-1}, -6, 8, 10));
        assertThrows(IllegalArgumentException.class, () -> EXACT.fit(MonotoneGamma.random(manager, -6, 8, 2, 1), 0, 0.01));
    }
}
