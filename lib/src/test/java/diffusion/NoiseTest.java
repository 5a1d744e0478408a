package diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoiseTest extends ManagedTest {

    private static final Shape SHAPE = new Shape(1000, 2);

    /** The same seed gives bitwise the same sequence of normal and uniform draws; another seed another sequence. */
    @Test
    void aSeededSourceRepeatsItsDrawsExactly() {
        try (NDManager m = manager.newSubManager()) {
            Noise first = Noise.seeded(42);
            Noise second = Noise.seeded(42);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(first.normal(m, SHAPE).toFloatArray(), second.normal(m, SHAPE).toFloatArray(), "normal draw " + i);
                assertArrayEquals(first.uniform(m, SHAPE).toFloatArray(), second.uniform(m, SHAPE).toFloatArray(), "uniform draw " + i);
            }
            assertFalse(Arrays.equals(Noise.seeded(42).normal(m, SHAPE).toFloatArray(), Noise.seeded(43).normal(m, SHAPE).toFloatArray()));
        }
    }

    /**
     * Seeded draws leave DJL's engine generator where it was: a random op after resetting the engine seed gives the
     * same values whether or not seeded draws (or a whole sampler run on a seeded source) came in between.
     */
    @Test
    void aSeededSourceDoesNotTouchTheEngineGenerator() {
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(9);
            float[] untouched = m.randomNormal(SHAPE).toFloatArray();
            Engine.getInstance().setRandomSeed(9);
            Noise noise = Noise.seeded(1);
            noise.normal(m, SHAPE);
            noise.uniform(m, SHAPE);
            NoiseSchedule schedule = NoiseSchedule.linear(20);
            GeneralisedReverse.ddpm(ReverseVariance.BETA).sample(m, new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule),
                    TimeGrid.full(schedule), noise, Monitor.quiet(), 100);
            assertArrayEquals(untouched, m.randomNormal(SHAPE).toFloatArray());
        }
    }

    /**
     * The draws have the laws they claim: normal draws mean 0 and variance 1, uniform draws in [0, 1) with mean 1/2 and
     * variance 1/12 (200000 values; 5 standard errors).
     */
    @Test
    void normalAndUniformDrawsHaveTheirLaws() {
        int n = 200_000;
        try (NDManager m = manager.newSubManager()) {
            NDArray z = Noise.seeded(3).normal(m, new Shape(n, 1));
            assertEquals(0, MonteCarlo.mean(z, 0), 5 * MonteCarlo.meanError(1, n));
            assertEquals(1, MonteCarlo.variance(z, 0), 5 * MonteCarlo.varianceError(1, n));
            NDArray u = Noise.seeded(3).uniform(m, new Shape(n, 1));
            assertTrue(u.min().getFloat() >= 0 && u.max().getFloat() < 1, "U[0, 1)");
            assertEquals(0.5, MonteCarlo.mean(u, 0), 5 * MonteCarlo.meanError(1.0 / 12, n));
            // the variance of a uniform sample variance: (1/80 - 1/144) / n, i.e. (mu_4 - sigma^4) / n
            assertEquals(1.0 / 12, MonteCarlo.variance(u, 0), 5 * Math.sqrt((1.0 / 80 - 1.0 / 144) / n));
            assertEquals(new Shape(n, 1), z.getShape());
        }
    }

    /** A replayed source hands out copies of the given arrays in order, in the caller's manager; the originals stay as they were. */
    @Test
    void aReplayedSourceHandsOutTheGivenArraysInOrder() {
        try (NDManager m = manager.newSubManager(); NDManager caller = manager.newSubManager()) {
            NDArray a = m.create(new float[] {1, 2}, new Shape(1, 2));
            NDArray b = m.create(new float[] {3, 4}, new Shape(1, 2));
            Noise replay = Noise.replay(List.of(a, b));
            NDArray first = replay.normal(caller, new Shape(1, 2));
            NDArray second = replay.normal(caller, new Shape(1, 2));
            assertArrayEquals(new float[] {1, 2}, first.toFloatArray());
            assertArrayEquals(new float[] {3, 4}, second.toFloatArray());
            assertNotSame(a, first);
            assertEquals(caller, first.getManager());
            first.muli(0);
            assertArrayEquals(new float[] {1, 2}, a.toFloatArray(), "the given array is not handed out itself");
        }
    }

    /** Replay refuses a draw of another shape, one draw too many and any uniform draw, naming the draw. */
    @Test
    void aReplayedSourceRefusesTheWrongShapeTooManyDrawsAndUniformDraws() {
        try (NDManager m = manager.newSubManager()) {
            Noise replay = Noise.replay(List.of(m.zeros(new Shape(2, 2)), m.zeros(new Shape(2, 2))));
            assertMessage("draw 1 has shape (2, 2) but the algorithm asked for (2, 3)", () -> replay.normal(m, new Shape(2, 3)));
            replay.normal(m, new Shape(2, 2));
            assertMessage("draw 3 of shape (2, 2) requested, but only 2 normal draws were given", () -> replay.normal(m, new Shape(2, 2)));
            assertMessage("uniform draw", () -> Noise.replay(List.of()).uniform(m, new Shape(1)));
            // the same through a sampler: DDPM on 10 steps wants a prior draw and 9 noise draws, and 5 are not enough
            NoiseSchedule schedule = NoiseSchedule.linear(10);
            List<NDArray> five = List.of(m.zeros(new Shape(4, 2)), m.zeros(new Shape(4, 2)), m.zeros(new Shape(4, 2)),
                    m.zeros(new Shape(4, 2)), m.zeros(new Shape(4, 2)));
            assertMessage("draw 6 of shape (4, 2) requested, but only 5", () -> GeneralisedReverse.ddpm(ReverseVariance.BETA)
                    .sample(m, new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule), TimeGrid.full(schedule), Noise.replay(five),
                            Monitor.quiet(), 4));
        }
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message names " + fragment + ": " + e.getMessage());
    }
}
