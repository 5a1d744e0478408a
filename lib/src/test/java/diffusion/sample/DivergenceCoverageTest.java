package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.DivergedException;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.ode.Euler;
import diffusion.ode.FixedStepSolver;
import diffusion.ode.Heun;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.LectureAnnealedLangevin;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/**
 * The finiteness check of GridSampler and FixedStepSolver covers every sampler built on them: annealed Langevin (both
 * forms), predictor-corrector and predictor alone, Euler and Heun each stop with a DivergedException naming themselves
 * when a score or field that grows like 1e30 x drives the float32 state to infinity, instead of returning it.
 */
class DivergenceCoverageTest extends ManagedTest {

    private static final NoiseLadder LADDER = NoiseLadder.geometric(10, 0.01, 5);
    private static final VpSde VP = new VpSde(0.1, 20);

    /** A score model on kernel whose score 1e30 x sends any Langevin or reverse-SDE step to infinity. */
    private static ScoreModel exploding(PerturbationKernel kernel) {
        return ScoreModel.of(new Shape(2), kernel, Parameterisation.SCORE, (x, t) -> x.mul(1e30f));
    }

    private static void stopsNamingItself(Sampler sampler, ScoreModel model, TimeGrid grid) {
        try (NDManager m = manager.newSubManager()) {
            DivergedException e = assertThrows(DivergedException.class,
                    () -> sampler.sample(m, model, grid, Noise.seeded(1), Monitor.quiet(), 4));
            assertEquals(sampler.name(), e.algorithm());
            assertTrue(e.step() >= 1 && e.step() <= grid.steps(), e.getMessage());
            assertTrue(e.getMessage().endsWith("of 4 samples have NaN or infinite entries"), e.getMessage());
        }
    }

    @Test
    void annealedLangevinStops() {
        stopsNamingItself(PredictorCorrector.correctorOnly(LangevinCorrector.annealed(0.1, 2)), exploding(LADDER), TimeGrid.full(LADDER));
    }

    @Test
    void theLecturesAnnealedLangevinStops() {
        stopsNamingItself(new LectureAnnealedLangevin(0.1, 2), exploding(LADDER), TimeGrid.full(LADDER));
    }

    @Test
    void predictorCorrectorStops() {
        stopsNamingItself(PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)), exploding(VP),
                TimeGrid.uniform(VP, 100, 1e-3));
    }

    @Test
    void aPredictorAloneStops() {
        stopsNamingItself(PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA), exploding(VP), TimeGrid.uniform(VP, 100, 1e-3));
    }

    /**
     * dx/dt = 1e30 x over [0, 1] in 4 steps of h = 1/4, in float32: Euler's x grows by 2.5e29 per step and overflows
     * at step 2; Heun's second stage already overflows at step 1.
     */
    @Test
    void eulerAndHeunStopAtTheStepThatOverflows() {
        for (FixedStepSolver solver : new FixedStepSolver[] {new Euler(), new Heun()}) {
            DivergedException e = assertThrows(DivergedException.class, () -> solver.solve(manager, (x, t) -> x.mul(1e30f),
                    manager.ones(new Shape(3, 2)), new double[] {0, 0.25, 0.5, 0.75, 1}));
            assertEquals(solver.name(), e.algorithm());
            assertEquals(solver instanceof Euler ? 2 : 1, e.step(), e.getMessage());
        }
    }
}
