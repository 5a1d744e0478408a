package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.Toy2D;
import diffusion.metrics.MonteCarlo;
import diffusion.schedule.TimeGrid;
import diffusion.score.GaussianMixtureOracle;
import org.junit.jupiter.api.Test;

/** The study notes' reverse step against Euler-Maruyama: the right one is Euler-Maruyama; the notes' one loses its noise. */
class NotesReverseStepTest extends ManagedTest {

    private static final VpSde VP = new VpSde(0.1, 20);

    @Test
    void rightStepIsEulerMaruyamaAndNotesStepDiffers() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), VP);
        TimeGrid grid = TimeGrid.uniform(VP, 30, 1e-3);
        NDArray start = Noise.seeded(1).normal(manager, new Shape(500, 2));
        NDArray right = NotesReverseStep.right().run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
        NDArray em = PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA).run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).samples();
        assertTrue(right.sub(em).abs().max().getFloat() < 1e-4);
        assertEquals(30, NotesReverseStep.notes().run(manager, oracle, grid, Noise.seeded(2), Monitor.quiet(), start).nfe());

        // one step from t = 0.5 to 0.4: x - drift dt + g dt z (notes) with the same z
        TimeGrid one = TimeGrid.of(VP, 0.5, 0.4);
        NDArray notes = NotesReverseStep.notes().run(manager, oracle, one, Noise.seeded(3), Monitor.quiet(), start).samples();
        NDArray z = Noise.seeded(3).normal(manager, new Shape(500, 2));
        NDArray expected = start.sub(new ReverseSde(VP, oracle).drift(start, 0.5).mul(0.1)).add(z.mul(VP.diffusion(0.5) * 0.1));
        assertTrue(notes.sub(expected).abs().max().getFloat() < 1e-4);
        // with many levels the notes' sampler collapses the variance below the data's (about 1)
        NDArray collapsed = NotesReverseStep.notes().sample(manager, oracle, TimeGrid.uniform(VP, 200, 1e-3), Noise.seeded(4), Monitor.quiet(), 500).samples();
        assertTrue(MonteCarlo.variance(collapsed, 0) < 0.9, "variance " + MonteCarlo.variance(collapsed, 0));
    }
}
