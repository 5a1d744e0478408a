package diffusion.mcmc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.DivergedException;
import diffusion.data.GaussianMixture;
import diffusion.metrics.MonteCarlo;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LangevinTest {

    private static final int PARTICLES = 20_000;

    /**
     * ULA on N(0, sigma^2) is the AR(1) chain x' = (1 - h / sigma^2) x + sqrt(2 h) z, whose stationary variance is
     * 2 h / (1 - (1 - h / sigma^2)^2) = sigma^2 / (1 - h / (2 sigma^2)). After 100 steps (contraction 0.8^100) the
     * particles' variance matches that closed form within 5 standard errors, and is 5 errors away from sigma^2.
     */
    @Test
    void ulaHasTheKnownBiasedStationaryVariance() {
        double sigma2 = 1.0;
        double h = 0.2;
        MixtureTarget target = new MixtureTarget(GaussianMixture.gaussian(new double[] {0}, new double[] {sigma2}));
        try (NDManager m = NDManager.newBaseManager()) {
            Run run = Langevin.ula(h, 100).run(m, target, m.zeros(new Shape(PARTICLES, 1)), 3, 0);
            double variance = MonteCarlo.variance(run.samples(), 0);
            double stationary = sigma2 / (1 - h / (2 * sigma2));
            double error = MonteCarlo.varianceError(stationary, PARTICLES);
            assertEquals(stationary, variance, 5 * error, "ULA stationary variance");
            assertTrue(Math.abs(variance - sigma2) > 5 * error, "the O(h) bias is resolved: " + variance + " vs " + sigma2);
            assertEquals(0, MonteCarlo.mean(run.samples(), 0), 5 * MonteCarlo.meanError(stationary, PARTICLES));
            assertEquals(100L * PARTICLES, run.gradientEvaluations());
            assertEquals(0, run.densityEvaluations());
            assertTrue(Double.isNaN(run.acceptanceRate()));
        }
    }

    /**
     * MALA leaves N(mu, diag(v)) exactly invariant: with h = 0.4 (ULA's variance bias would be 25% on the first
     * coordinate) the particles' mean and variance after 100 steps match the target within 5 standard errors; acceptance is strictly between 0 and 1 and the cost is
     * one density and one gradient per particle and step plus one of each at the start.
     */
    @Test
    void malaHasTheTargetAsStationaryLaw() {
        double[] mean = {1.0, -2.0};
        double[] variance = {0.5, 2.0};
        MixtureTarget target = new MixtureTarget(GaussianMixture.gaussian(mean, variance));
        int steps = 100;
        int particles = 10_000;
        try (NDManager m = NDManager.newBaseManager()) {
            Run run = Langevin.mala(0.4, steps).run(m, target, m.zeros(new Shape(particles, 2)), 4, 0);
            for (int j = 0; j < 2; j++) {
                assertEquals(mean[j], MonteCarlo.mean(run.samples(), j), 5 * MonteCarlo.meanError(variance[j], particles), "mean " + j);
                assertEquals(variance[j], MonteCarlo.variance(run.samples(), j), 5 * MonteCarlo.varianceError(variance[j], particles),
                        "variance " + j);
            }
            assertTrue(run.acceptanceRate() > 0 && run.acceptanceRate() < 1, "acceptance " + run.acceptanceRate());
            assertEquals((steps + 1L) * particles, run.densityEvaluations());
            assertEquals((steps + 1L) * particles, run.gradientEvaluations());
        }
    }

    @Test
    void snapshotsRecordTheParticlesAlongTheWay() {
        MixtureTarget target = MixtureTarget.axes(2, 3, 0.5, 1, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            Run run = Langevin.ula(0.05, 10).run(m, target, m.zeros(new Shape(8, 2)), 5, 5);
            assertEquals(Arrays.asList(0, 2, 4, 6, 8, 10), run.trajectory().stream().map(Run.Snapshot::step).toList());
            assertArrayEquals(run.samples().toFloatArray(), run.trajectory().get(5).state().toFloatArray());
            assertEquals(10.0, run.trajectory().get(5).evaluationsPerParticle());
        }
    }

    @Test
    void theSameSeedGivesBitwiseTheSameChain() {
        MixtureTarget target = MixtureTarget.axes(2, 3, 0.5, 1, 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = m.zeros(new Shape(100, 2));
            float[] first = Langevin.mala(0.1, 20).run(m, target, start, 9, 0).samples().toFloatArray();
            float[] second = Langevin.mala(0.1, 20).run(m, target, start, 9, 0).samples().toFloatArray();
            float[] other = Langevin.mala(0.1, 20).run(m, target, start, 10, 0).samples().toFloatArray();
            assertArrayEquals(first, second);
            assertFalse(Arrays.equals(first, other));
            assertArrayEquals(new float[200], start.toFloatArray(), "the initial particles are left untouched");
        }
    }

    /**
     * ULA with h = 3 on N(0, 1) multiplies x by 1 - h = -2 per step, so |x_k| is about 2^k: the mixture's squared
     * distances overflow float32 (max about 2^128) once |x| passes 2^64, the mixture refuses such a point, and the run
     * stops with an error naming the step.
     */
    @Test
    void aDivergingChainStopsNamingTheStep() {
        MixtureTarget target = new MixtureTarget(GaussianMixture.gaussian(new double[] {0}, new double[] {1}));
        try (NDManager m = NDManager.newBaseManager()) {
            DivergedException e = assertThrows(DivergedException.class,
                    () -> Langevin.ula(3, 1000).run(m, target, m.ones(new Shape(10, 1)), 1, 0));
            assertTrue(e.step() >= 60 && e.step() <= 68, "step " + e.step());
            assertTrue(e.getMessage().contains("ULA (h = 3.0) diverged at step " + e.step()), e.getMessage());
        }
    }

    @Test
    void badInputIsRejected() {
        MixtureTarget target = MixtureTarget.axes(2, 3, 0.5, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Langevin.ula(0, 10));
        assertThrows(IllegalArgumentException.class, () -> Langevin.mala(-0.1, 10));
        assertThrows(IllegalArgumentException.class, () -> Langevin.ula(Double.NaN, 10));
        assertThrows(IllegalArgumentException.class, () -> Langevin.ula(0.1, 0));
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> Langevin.ula(0.1, 5).run(m, target, m.zeros(new Shape(10, 3)), 1, 0));
            assertTrue(shape.getMessage().contains("initial"), shape.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> Langevin.ula(0.1, 5).run(m, target, m.zeros(new Shape(10, 2)).add(Float.NaN), 1, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> Langevin.ula(0.1, 5).run(m, target, m.zeros(new Shape(10, 2)), 1, -1));
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                    () -> Langevin.ula(0.1, 5).run(m, MeteredTargetTest.BROKEN, m.ones(new Shape(10, 2)).mul(2), 1, 0));
            assertTrue(nan.getMessage().contains("non-finite gradient"), nan.getMessage());
        }
    }
}
