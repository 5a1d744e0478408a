package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.Toy2D;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

class LectureAlgorithm2Test {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);

    /** One step of each sampler from the same x_t with the same noise seed. */
    private static NDArray[] oneStep(NDManager m, int t) {
        NDArray x = Noise.seeded(1).normal(m, new Shape(500, 2));
        TimeGrid grid = TimeGrid.of(SCHEDULE, t, t - 1);
        NDArray lecture = new LectureAlgorithm2(ReverseVariance.BETA_TILDE).run(m, ORACLE, grid, Noise.seeded(2), Monitor.quiet(), x).samples();
        NDArray ddpm = GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE).run(m, ORACLE, grid, Noise.seeded(2), Monitor.quiet(), x).samples();
        return new NDArray[] {x, lecture, ddpm};
    }

    /**
     * With the same x_t and the same noise draws the lecture's step differs from DDPM's by the coefficient alone:
     * x_ddpm - x_lecture = (sqrt(beta_t) - beta_t / sqrt(1 - alphaBar_t)) eps(x_t, t) / sqrt(alpha_t), and the
     * coefficient is about 1 / sqrt(beta_t) times too large at large t (7 at t = T here).
     */
    @Test
    void differsFromDdpmByTheCoefficientOfEps() {
        try (NDManager m = NDManager.newBaseManager()) {
            for (int t : new int[] {2, 50, 500, 1000}) {
                NDArray[] r = oneStep(m, t);
                double gap = LectureAlgorithm2.lectureCoefficient(SCHEDULE, t) - LectureAlgorithm2.ddpmCoefficient(SCHEDULE, t);
                NDArray expected = ORACLE.epsilon(r[0], t).mul(gap / Math.sqrt(SCHEDULE.alpha(t)));
                double error = r[2].sub(r[1]).sub(expected).abs().max().getFloat();
                assertTrue(error <= 1e-4 * Math.max(1, expected.abs().max().getFloat()), "t = " + t + ": error " + error);
                assertTrue(r[2].sub(r[1]).abs().max().getFloat() > 1e-3, "t = " + t + ": the two steps must differ");
            }
            assertTrue(LectureAlgorithm2.lectureCoefficient(SCHEDULE, 1000) > 5 * LectureAlgorithm2.ddpmCoefficient(SCHEDULE, 1000));
        }
    }

    /** At t = 1 (alphaBar_1 = alpha_1) the two coefficients agree, and the last step adds no noise in either. */
    @Test
    void agreesWithDdpmAtTheLastStep() {
        assertEquals(LectureAlgorithm2.ddpmCoefficient(SCHEDULE, 1), LectureAlgorithm2.lectureCoefficient(SCHEDULE, 1), 1e-12);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] r = oneStep(m, 1);
            assertTrue(r[2].sub(r[1]).abs().max().getFloat() <= 1e-6);
        }
    }

    /** The full chain draws as many normals as DDPM: replayed noise of exactly that length is consumed by both. */
    @Test
    void runsTheFullGridAndRefusesOthers() {
        try (NDManager m = NDManager.newBaseManager()) {
            NoiseSchedule small = NoiseSchedule.linear(20);
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), small);
            Sampler.Result result = new LectureAlgorithm2(ReverseVariance.BETA).sample(m, oracle, TimeGrid.full(small), Noise.seeded(3), Monitor.quiet(), 10);
            assertEquals(20, result.nfe());
            assertEquals(new Shape(10, 2), result.samples().getShape());
            assertThrows(IllegalArgumentException.class, () -> new LectureAlgorithm2(ReverseVariance.BETA)
                    .sample(m, oracle, TimeGrid.of(small, 20, 10, 0), Noise.seeded(3), Monitor.quiet(), 10));
        }
    }
}
