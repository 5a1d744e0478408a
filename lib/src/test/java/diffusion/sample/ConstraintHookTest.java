package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.LectureAnnealedLangevin;
import diffusion.sde.Predictor;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.VpSde;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-step constraint hook of GridSampler: samplers are unchanged without it, and it sees every move. */
class ConstraintHookTest extends ManagedTest {

    private static final GaussianMixture DATA = GaussianMixture.of(new double[] {0.4, 0.6},
            new double[][] {{-1, 0.5}, {1, -0.5}}, new double[][] {{0.2, 0.3}, {0.3, 0.2}});

    private record Case(GridSampler sampler, GaussianMixtureOracle oracle, TimeGrid grid, int movesPerStep) {
    }

    private static List<Case> cases() {
        VpSde sde = new VpSde(0.1, 20);
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        NoiseLadder ladder = NoiseLadder.geometric(3, 0.05, 6);
        GaussianMixtureOracle vp = new GaussianMixtureOracle(DATA, sde);
        GaussianMixtureOracle ddpm = new GaussianMixtureOracle(DATA, schedule);
        GaussianMixtureOracle ncsn = new GaussianMixtureOracle(DATA, ladder);
        TimeGrid uniform = TimeGrid.uniform(sde, 40, 1e-3);
        TimeGrid discrete = TimeGrid.of(Timesteps.uniform(schedule, 10));
        return List.of(new Case(GeneralisedReverse.ddim(0), ddpm, discrete, 1),
                new Case(GeneralisedReverse.ddpm(ReverseVariance.BETA), ddpm, discrete, 1),
                new Case(PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION), vp, uniform, 1),
                new Case(PredictorCorrector.of(Predictor.EULER_MARUYAMA, LangevinCorrector.snr(0.16, 2)), vp, uniform, 3),
                new Case(PredictorCorrector.correctorOnly(LangevinCorrector.annealed(1e-3, 3)), ncsn, TimeGrid.full(ladder), 3),
                new Case(new LectureAnnealedLangevin(1e-3, 2), ncsn, TimeGrid.full(ladder), 2));
    }

    /** constrained(Constraint.NONE) draws the same noise and gives bit-identical samples to run. */
    @Test
    void theIdentityConstraintLeavesEverySamplerUnchanged() {
        for (Case c : cases()) {
            float[] plain = c.sampler().sample(manager, c.oracle(), c.grid(), Noise.seeded(3), Monitor.quiet(), 64).samples().toFloatArray();
            Sampler.Result constrained = c.sampler().constrained(Constraint.NONE)
                    .sample(manager, c.oracle(), c.grid(), Noise.seeded(3), Monitor.quiet(), 64);
            assertArrayEquals(plain, constrained.samples().toFloatArray(), 0f, c.sampler().name());
        }
    }

    /**
     * The constraint is applied after every move at the time the state is then at: once per step at s for one-move
     * samplers, after each corrector step at t and after the predictor at s for predictor-corrector, after each of
     * annealed Langevin's M steps at its level t.
     */
    @Test
    void theConstraintSeesEveryMoveAtItsTime() {
        for (Case c : cases()) {
            List<Double> times = new ArrayList<>();
            Constraint recorder = (x, t, noise) -> {
                times.add(t);
                return x;
            };
            c.sampler().constrained(recorder).sample(manager, c.oracle(), c.grid(), Noise.seeded(3), Monitor.quiet(), 4);
            List<Double> expected = new ArrayList<>();
            boolean predictorless = c.sampler() instanceof LectureAnnealedLangevin
                    || c.sampler().name().startsWith("annealed");
            for (int k = 0; k < c.grid().steps(); k++) {
                int inner = predictorless ? c.movesPerStep() : c.movesPerStep() - 1;
                for (int j = 0; j < inner; j++) {
                    expected.add(c.grid().time(k));
                }
                if (!predictorless) {
                    expected.add(c.grid().time(k + 1));
                }
            }
            assertEquals(expected, times, c.sampler().name());
        }
    }

    /** A constraint's output is the state: pinning coordinate 1 to 0.25 leaves it there in every sample. */
    @Test
    void theConstrainedStateIsWhatTheSamplerCarriesOn() {
        Constraint pin = (x, t, noise) -> {
            NDArray y = x.duplicate();
            y.set(new ai.djl.ndarray.index.NDIndex(":, 1"), 0.25f);
            return y;
        };
        for (Case c : cases()) {
            NDArray x = c.sampler().constrained(pin).sample(manager, c.oracle(), c.grid(), Noise.seeded(5), Monitor.quiet(), 16).samples();
            assertEquals(0, x.get(":, 1").sub(0.25f).abs().max().getFloat(), 0f, c.sampler().name());
        }
    }
}
