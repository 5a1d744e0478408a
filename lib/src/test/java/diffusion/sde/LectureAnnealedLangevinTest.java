package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LectureAnnealedLangevinTest {

    private static final NoiseLadder LADDER = NoiseLadder.geometric(3, 0.01, 5);
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(Toy2D.eightGaussians(), LADDER);

    /**
     * The lecture's update is annealed Langevin with the noise term removed: fed all-zero noise, Song and Ermon's
     * sampler (corrector only on the full ladder grid) gives the same samples; fed real noise, it does not.
     */
    @Test
    void isAnnealedLangevinWithoutItsNoise() {
        double epsilon = 1e-4;
        int steps = 3;
        TimeGrid grid = TimeGrid.full(LADDER);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray start = Noise.seeded(1).normal(m, new Shape(200, 2)).mul(LADDER.sigma(1));
            List<NDArray> zeros = new ArrayList<>();
            for (int k = 0; k < LADDER.levels() * steps; k++) {
                zeros.add(m.zeros(new Shape(200, 2)));
            }
            PredictorCorrector annealed = PredictorCorrector.correctorOnly(LangevinCorrector.annealed(epsilon, steps));
            NDArray noiseless = annealed.run(m, ORACLE, grid, Noise.replay(zeros), Monitor.quiet(), start).samples();
            var lecture = new LectureAnnealedLangevin(epsilon, steps).run(m, ORACLE, grid, Noise.replay(List.of()), Monitor.quiet(), start);
            assertTrue(lecture.samples().sub(noiseless).abs().max().getFloat() <= 1e-5);
            assertEquals(LADDER.levels() * steps, lecture.nfe());
            NDArray noisy = annealed.run(m, ORACLE, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
            assertTrue(noisy.sub(lecture.samples()).abs().max().getFloat() > 1e-2);
        }
    }

    /** Gradient ascent collapses onto the modes: the spread around them falls well below the data's (0.2 per coordinate). */
    @Test
    void collapsesOntoTheModes() {
        try (NDManager m = NDManager.newBaseManager()) {
            int perLevel = 50;
            NDArray x = new LectureAnnealedLangevin(2e-3 / perLevel, perLevel).sample(m, ORACLE, TimeGrid.full(LADDER), Noise.seeded(3),
                    Monitor.quiet(), 2000).samples();
            NDArray radius = x.square().sum(new int[] {1}).sqrt().reshape(-1, 1);
            NDArray data = Toy2D.eightGaussians().sample(m, 2000, 4);
            NDArray dataRadius = data.square().sum(new int[] {1}).sqrt().reshape(-1, 1);
            assertTrue(MonteCarlo.variance(radius, 0) < 0.5 * MonteCarlo.variance(dataRadius, 0),
                    "radial variance " + MonteCarlo.variance(radius, 0) + " vs data " + MonteCarlo.variance(dataRadius, 0));
        }
    }
}
