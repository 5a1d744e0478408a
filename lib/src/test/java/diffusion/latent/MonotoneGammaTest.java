package diffusion.latent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.ManagedTest;
import org.junit.jupiter.api.Test;

class MonotoneGammaTest extends ManagedTest {

    @Test
    void endPointsAreTheGivenOnesAndGammaIncreases() {
        MonotoneGamma schedule = MonotoneGamma.random(manager, -6, 8, 16, 1);
        assertEquals(-6, schedule.gamma(0), 1e-12);
        assertEquals(8, schedule.gamma(1), 1e-12);
        double previous = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= 1000; i++) {
            double gamma = schedule.gamma(i / 1000.0);
            assertTrue(gamma > previous, "gamma increases at t = " + i / 1000.0);
            previous = gamma;
        }
    }

    @Test
    void theDerivativeIsTheFiniteDifference() {
        MonotoneGamma schedule = MonotoneGamma.random(manager, -6, 8, 16, 2);
        double h = 1e-5;
        for (double t : new double[] {0.1, 0.37, 0.5, 0.9}) {
            double central = (schedule.gamma(t + h) - schedule.gamma(t - h)) / (2 * h);
            // central difference error h^2 gamma''' / 6: gamma''' is at most ~10^4 here (sigmoids of slope <= ~40), so 1e-5 relative.
            assertEquals(central, schedule.gammaDerivative(t), 1e-5 * Math.abs(central), "t = " + t);
        }
        assertEquals(14, MonotoneGamma.linear(-6, 8).gammaDerivative(0.3), 1e-12, "the linear schedule's slope");
    }

    @Test
    void kernelIsVariancePreservingWithTheSigmoids() {
        MonotoneGamma schedule = MonotoneGamma.linear(-4, 6);
        double t = 0.25; // gamma = -1.5
        double alphaBar = 1 / (1 + Math.exp(-1.5));
        assertEquals(alphaBar, schedule.alphaBar(t), 1e-12);
        assertEquals(Math.exp(1.5), schedule.snr(t), 1e-12);
        assertEquals(1, Math.pow(schedule.meanScale(t), 2) + Math.pow(schedule.std(t), 2), 1e-12);
        assertEquals(Math.log(schedule.snr(t)), schedule.logSnr(t), 1e-12, "the kernel's log-SNR is -gamma");
    }

    @Test
    void refusesNonMonotoneSchedulesBeforeWork() {
        assertMessage(() -> MonotoneGamma.linear(3, 3), "gamma1 = 3.0 <= gamma0 = 3.0");
        assertMessage(() -> MonotoneGamma.linear(3, -1), "gamma1 = -1.0 <= gamma0 = 3.0");
        assertMessage(() -> new MonotoneGamma(-1, 1, 1, 0, new double[] {1, -2}, new double[] {0, 0}, new double[] {1, 1}),
                "w2[1] = -2.0");
        assertMessage(() -> new MonotoneGamma(-1, 1, -1, 0, new double[0], new double[0], new double[0]), "w1 = -1.0");
        assertMessage(() -> MonotoneGamma.linear(-1, 1).gamma(1.5), "t = 1.5");
        assertMessage(() -> MonotoneGamma.random(manager, -1, 1, 0, 0), "width = 0");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
