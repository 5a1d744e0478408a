package diffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NoiseScheduleTest {

    @Test
    void linearScheduleRunsFromBeta1ToBetaTEvenly() {
        NoiseSchedule s = NoiseSchedule.linear(1000);
        assertEquals(1e-4, s.beta(1), 1e-15);
        assertEquals(0.02, s.beta(1000), 1e-15);
        double step = (0.02 - 1e-4) / 999;
        for (int t = 2; t <= 1000; t++) {
            assertEquals(step, s.beta(t) - s.beta(t - 1), 1e-15, "constant increment at t = " + t);
        }
    }

    @Test
    void alphaBarIsTheProductOfAlphasWithAlphaBarZeroEqualToOne() {
        NoiseSchedule s = NoiseSchedule.cosine(50);
        assertEquals(1.0, s.alphaBar(0));
        double product = 1.0;
        for (int t = 1; t <= 50; t++) {
            product *= 1.0 - s.beta(t);
            assertEquals(s.alpha(t), 1.0 - s.beta(t), 0.0);
            assertEquals(product, s.alphaBar(t), 1e-14, "alphaBar_" + t);
        }
    }

    @Test
    void cosineAlphaBarIsTheRatioOfCosinesWhereBetasAreNotClipped() {
        int T = 1000;
        double s = 0.008;
        NoiseSchedule schedule = NoiseSchedule.cosine(T);
        double f0 = Math.pow(Math.cos(s / (1 + s) * Math.PI / 2), 2);
        int checked = 0;
        for (int t = 1; t <= T; t++) {
            if (schedule.beta(t) >= 0.999) {
                break; // clipping starts: the closed form no longer applies from here on
            }
            double f = Math.pow(Math.cos(((double) t / T + s) / (1 + s) * Math.PI / 2), 2);
            assertEquals(f / f0, schedule.alphaBar(t), 1e-12, "alphaBar_" + t);
            checked++;
        }
        assertTrue(checked >= T - 1, "closed form checked at " + checked + " steps");
        for (int t = 1; t <= T; t++) {
            assertTrue(schedule.beta(t) <= 0.999, "beta_t clipped at 0.999");
        }
        assertEquals(0.999, schedule.beta(T), 0.0, "the last beta hits the clip");
    }

    @Test
    void posteriorCoefficientsAndVarianceFollowFromGaussianConditioning() {
        // Proposition 2 by conditioning the joint Gaussian of (x_{t-1}, x_t) given x_0:
        // Cov(x_{t-1}, x_t) = sqrt(alpha_t)(1 - alphaBar_{t-1}), Var(x_t) = 1 - alphaBar_t,
        // so E[x_{t-1}|x_t,x_0] = sqrt(alphaBar_{t-1}) x_0 + Cov/Var (x_t - sqrt(alphaBar_t) x_0).
        NoiseSchedule s = NoiseSchedule.linear(200);
        for (int t = 1; t <= 200; t++) {
            double cov = Math.sqrt(s.alpha(t)) * (1 - s.alphaBar(t - 1));
            double var = 1 - s.alphaBar(t);
            double coefXt = cov / var;
            double coefX0 = Math.sqrt(s.alphaBar(t - 1)) - coefXt * Math.sqrt(s.alphaBar(t));
            double conditionalVariance = (1 - s.alphaBar(t - 1)) - cov * cov / var;
            assertEquals(coefXt, s.posteriorMeanCoefXt(t), 1e-12, "x_t coefficient at t = " + t);
            assertEquals(coefX0, s.posteriorMeanCoefX0(t), 1e-12, "x_0 coefficient at t = " + t);
            assertEquals(conditionalVariance, s.betaTilde(t), 1e-12, "betaTilde at t = " + t);
        }
        assertEquals(0.0, s.betaTilde(1), 0.0, "betaTilde_1 = 0 since alphaBar_0 = 1");
    }

    @Test
    void snrIsAlphaBarOverOneMinusAlphaBarAndDecreases() {
        NoiseSchedule s = NoiseSchedule.linear(100);
        for (int t = 1; t <= 100; t++) {
            assertEquals(s.alphaBar(t) / (1 - s.alphaBar(t)), s.snr(t), 1e-9 * s.snr(t));
            if (t > 1) {
                assertTrue(s.snr(t) < s.snr(t - 1));
            }
        }
    }

    @Test
    void fromAlphaBarInvertsAlphaBar() {
        NoiseSchedule s = NoiseSchedule.cosine(30);
        double[] alphaBars = new double[30];
        for (int t = 1; t <= 30; t++) {
            alphaBars[t - 1] = s.alphaBar(t);
        }
        NoiseSchedule back = NoiseSchedule.fromAlphaBar(alphaBars);
        for (int t = 1; t <= 30; t++) {
            assertEquals(s.beta(t), back.beta(t), 1e-12);
        }
    }

    @Test
    void perturbationKernelIsSqrtAlphaBarAndSqrtOneMinusAlphaBar() {
        NoiseSchedule s = NoiseSchedule.linear(10);
        assertEquals(Math.sqrt(s.alphaBar(7)), s.meanScale(7), 0.0);
        assertEquals(Math.sqrt(1 - s.alphaBar(7)), s.std(7), 0.0);
        assertThrows(IllegalArgumentException.class, () -> s.std(2.5));
    }

    @Test
    void badInputIsRejectedWithTheParameterNamed() {
        assertMessage("T = 0", () -> NoiseSchedule.linear(0));
        assertMessage("beta_2 = 1.0", () -> NoiseSchedule.fromBetas(0.1, 1.0));
        assertMessage("beta_1 = 0.0", () -> NoiseSchedule.fromBetas(0.0));
        assertMessage("beta_1 = NaN", () -> NoiseSchedule.fromBetas(Double.NaN));
        assertMessage("alphaBar_2 = 0.9", () -> NoiseSchedule.fromAlphaBar(0.9, 0.9));
        assertMessage("t = 11", () -> NoiseSchedule.linear(10).beta(11));
        assertMessage("t = 0", () -> NoiseSchedule.linear(10).betaTilde(0));
        assertMessage("maxBeta = 1.0", () -> NoiseSchedule.cosine(10, 0.008, 1.0));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expected), "message '" + e.getMessage() + "' names " + expected);
    }
}
