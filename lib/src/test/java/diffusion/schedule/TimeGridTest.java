package diffusion.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

class TimeGridTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final VpSde VP = new VpSde(0.1, 20);
    private static final SubVpSde SUB_VP = new SubVpSde(0.1, 20);
    private static final VeSde VE = new VeSde(0.01, 50);

    /** The discrete grids: a sub-sequence walks tau_K, ..., tau_1, 0; the full grid T, ..., 0 (a ladder: L, ..., 1, 0). */
    @Test
    void discreteGridsWalkTheStepsDownToTheData() {
        TimeGrid sub = TimeGrid.of(Timesteps.of(SCHEDULE, 1, 40, 700));
        assertArrayEquals(new double[] {700, 40, 1, 0}, sub.times());
        assertEquals(3, sub.steps());
        assertEquals(700, sub.start());
        assertEquals(0, sub.end());
        assertEquals(40, sub.time(1));
        assertArrayEquals(new double[] {0, 1, 40, 700}, sub.increasing());
        assertEquals(SCHEDULE, sub.kernel());
        TimeGrid full = TimeGrid.full(NoiseSchedule.linear(5));
        assertArrayEquals(new double[] {5, 4, 3, 2, 1, 0}, full.times());
        assertArrayEquals(new double[] {3, 2, 1, 0}, TimeGrid.full(NoiseLadder.of(3, 2, 1)).times());
        assertEquals(TimeGrid.of(Timesteps.full(SCHEDULE)), TimeGrid.full(SCHEDULE), "the full sub-sequence is the full grid");
    }

    /** t_k = start + (end - start) k / N, ending exactly at end (to 1e-15: one double rounding of numbers <= 1). */
    @Test
    void aUniformGridHasEqualStepsAndEndsWhereAsked() {
        TimeGrid grid = TimeGrid.uniform(VP, 8, 1e-3);
        assertEquals(8, grid.steps());
        assertEquals(1, grid.start(), 0);
        assertEquals(1e-3, grid.end(), 0);
        for (int k = 0; k < 8; k++) {
            assertEquals((1 - 1e-3) / 8, grid.time(k) - grid.time(k + 1), 1e-15, "step " + k);
        }
        assertArrayEquals(new double[] {0.5, 0.4, 0.3, 0.2}, TimeGrid.uniform(VE, 0.5, 0.2, 3).times(), 1e-15);
    }

    /**
     * Karras et al.'s grid is uniform in sigma^(1/rho) from sigmaMax to sigmaMin: sigma(t_0) = sigmaMax and
     * sigma(t_N) = sigmaMin, and every sigma(t_k)^(1/rho) lies on the line between them. Tolerance 1e-9 relative: the
     * times come from bisection to 1e-15 in t, which moves sigma by |d log sigma / dt| 1e-15 (at most ~1e-12 here).
     */
    @Test
    void theKarrasGridRunsFromSigmaMaxToSigmaMinUniformlyInSigmaToTheOneOverRho() {
        double rho = 7;
        for (Object[] c : new Object[][] {{VE, 0.02, 40.0}, {VP, 0.002, 80.0}, {SUB_VP, 0.01, 1.0}}) {
            PerturbationKernel kernel = (PerturbationKernel) c[0];
            double sigmaMin = (double) c[1];
            double sigmaMax = (double) c[2];
            TimeGrid grid = TimeGrid.karras(kernel, 12, sigmaMin, sigmaMax, rho);
            assertEquals(sigmaMax, kernel.sigma(grid.start()), 1e-9 * sigmaMax, kernel + ": sigma(t_0) = sigmaMax");
            assertEquals(sigmaMin, kernel.sigma(grid.end()), 1e-9 * sigmaMin, kernel + ": sigma(t_N) = sigmaMin");
            double a = Math.pow(sigmaMax, 1 / rho);
            double b = Math.pow(sigmaMin, 1 / rho);
            for (int k = 0; k <= 12; k++) {
                double expected = Math.pow(a + (b - a) * k / 12, rho);
                assertEquals(expected, kernel.sigma(grid.time(k)), 1e-9 * expected, kernel + ": sigma_" + k);
            }
        }
        // sigmaMax may be the kernel's largest sigma itself: the grid then starts at tMax
        assertEquals(1, TimeGrid.karras(VE, 5, 0.02, VE.sigma(1), rho).start(), 1e-12);
    }

    /**
     * DPM-Solver's grid is uniform in lambda = log(m^2 / s^2) from lambda(tMax) to lambda(end): every step changes
     * lambda by the same amount, to 1e-9 (bisection to 1e-15 in t moves lambda by |d lambda / dt| 1e-15, below 1e-11
     * for t >= 1e-3), on VP, sub-VP and VE.
     */
    @Test
    void theLogSnrGridHasEqualStepsInLogSnr() {
        for (PerturbationKernel kernel : new PerturbationKernel[] {VP, SUB_VP, VE}) {
            TimeGrid grid = TimeGrid.logSnr(kernel, 20, 1e-3);
            assertEquals(kernel.tMax(), grid.start(), 0);
            assertEquals(1e-3, grid.end(), 0);
            double step = (kernel.logSnr(1e-3) - kernel.logSnr(kernel.tMax())) / 20;
            assertTrue(step > 0, "lambda grows towards the data");
            for (int k = 0; k < 20; k++) {
                assertEquals(step, kernel.logSnr(grid.time(k + 1)) - kernel.logSnr(grid.time(k)), 1e-9, kernel + ": step " + k);
            }
        }
    }

    @Test
    void badGridsAreRefusedWithAClearMessage() {
        assertMessage("strictly decreasing", () -> TimeGrid.of(VP, 0.5, 0.5, 0.1));
        assertMessage("times[1] = 0.6 >= times[0] = 0.2", () -> TimeGrid.of(VP, 0.2, 0.6));
        assertMessage("times[0] = 1.5 must lie in [0, 1.0]", () -> TimeGrid.of(VP, 1.5, 0.2));
        assertMessage("times[2] = -0.1 must lie in [0, 1.0]", () -> TimeGrid.of(VP, 0.5, 0.2, -0.1));
        assertMessage("times[0] = 1001.0 must lie in [0, 1000.0]", () -> TimeGrid.of(SCHEDULE, 1001, 0));
        assertMessage("times[1] = 5.5: " + SCHEDULE + " is discrete and needs an integer time", () -> TimeGrid.of(SCHEDULE, 10, 5.5, 0));
        assertMessage("at least 2", () -> TimeGrid.of(VP, 0.5));
        for (PerturbationKernel discrete : new PerturbationKernel[] {SCHEDULE, NoiseLadder.of(3, 2, 1)}) {
            assertMessage("a Karras grid needs a continuous kernel", () -> TimeGrid.karras(discrete, 10, 0.1, 1, 7));
            assertMessage("a log-SNR grid needs a continuous kernel", () -> TimeGrid.logSnr(discrete, 10, 1));
            assertMessage("a uniform grid needs a continuous kernel", () -> TimeGrid.uniform(discrete, 10, 1));
        }
        assertMessage("is continuous", () -> TimeGrid.full(VP));
        assertMessage("sigmaMax = 100.0", () -> TimeGrid.karras(VE, 10, 0.02, 100, 7));
        assertMessage("sigmaMin = 0.0", () -> TimeGrid.karras(VE, 10, 0, 40, 7));
        assertMessage("N = 0", () -> TimeGrid.uniform(VP, 0, 1e-3));
        assertMessage("rho", () -> TimeGrid.karras(VE, 10, 0.02, 40, 0));
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message names " + fragment + ": " + e.getMessage());
    }
}
