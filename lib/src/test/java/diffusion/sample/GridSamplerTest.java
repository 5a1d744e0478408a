package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.DivergedException;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loop every grid sampler shares: divergence is stopped and named, and the monitor sees start, every step, end. */
class GridSamplerTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(10);

    /**
     * A noise predictor that predicts eps = 0, except at time badTime, where the second row is NaN; it counts its calls.
     */
    private static final class BrokenModel implements ScoreModel {
        private final PerturbationKernel kernel;
        private final double badTime;
        private final List<Double> calls = new ArrayList<>();

        BrokenModel(PerturbationKernel kernel, double badTime) {
            this.kernel = kernel;
            this.badTime = badTime;
        }

        @Override
        public Shape sampleShape() {
            return new Shape(2);
        }

        @Override
        public PerturbationKernel kernel() {
            return kernel;
        }

        @Override
        public Parameterisation parameterisation() {
            return Parameterisation.EPSILON;
        }

        @Override
        public NDArray output(NDArray x, double t) {
            calls.add(t);
            NDArray eps = x.zerosLike();
            if (t == badTime) {
                eps.set(new ai.djl.ndarray.index.NDIndex("1, :"), Float.NaN);
            }
            return eps;
        }
    }

    /**
     * DDPM on the full grid 10, ..., 0 with a model that returns NaN at t = 7: the step from 7 to 6 is step 4, and the
     * run stops there with a DivergedException naming the sampler, the step, the time reached (t = 6) and the one
     * sample of three that left the reals; the model is not called again, and the monitor is told the run ended.
     */
    @Test
    void aDdpmRunOnAModelThatReturnsNanStopsNamingTheSamplerTheStepAndTheTime() {
        BrokenModel model = new BrokenModel(SCHEDULE, 7);
        GeneralisedReverse sampler = GeneralisedReverse.ddpm(ReverseVariance.BETA);
        List<String> events = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            DivergedException e = assertThrows(DivergedException.class,
                    () -> sampler.sample(m, model, TimeGrid.full(SCHEDULE), Noise.seeded(1), recorder(events), 3));
            assertEquals(sampler.name(), e.algorithm());
            assertEquals(4, e.step());
            assertEquals("DDPM (sigma^2 = beta) diverged at step 4 (t = 6.0): 1 of 3 samples have NaN or infinite entries", e.getMessage());
            assertEquals(List.of(10.0, 9.0, 8.0, 7.0), model.calls, "no evaluation after the diverging step");
            assertEquals(List.of("start DDPM (sigma^2 = beta) 10", "step 1 9.0", "step 2 8.0", "step 3 7.0", "end"), events);
        }
    }

    /** The same on a DDIM sub-sequence grid 10, 7, 5, 2, 0 (eta = 0): NaN at t = 7 is step 2, reaching t = 5. */
    @Test
    void aDdimRunOnASubSequenceStopsAtTheStepOfTheBadTime() {
        BrokenModel model = new BrokenModel(SCHEDULE, 7);
        GeneralisedReverse sampler = GeneralisedReverse.ddim(0);
        try (NDManager m = manager.newSubManager()) {
            DivergedException e = assertThrows(DivergedException.class, () -> sampler.sample(m, model,
                    TimeGrid.of(Timesteps.of(SCHEDULE, 2, 5, 7, 10)), Noise.seeded(1), Monitor.quiet(), 3));
            assertEquals("DDIM (eta = 0.0)", e.algorithm());
            assertEquals(2, e.step());
            assertTrue(e.getMessage().startsWith("DDIM (eta = 0.0) diverged at step 2 (t = 5.0)"), e.getMessage());
            assertTrue(e instanceof IllegalStateException, "a state error, not an argument error");
        }
    }

    /** A healthy run tells the monitor start(name, N), step k = 1..N with the time reached, then end; NFE = N. */
    @Test
    void theMonitorSeesStartEveryStepAndEnd() {
        BrokenModel model = new BrokenModel(SCHEDULE, Double.NaN); // never NaN
        List<String> events = new ArrayList<>();
        try (NDManager m = manager.newSubManager()) {
            Sampler.Result result = GeneralisedReverse.ddim(0).sample(m, model, TimeGrid.of(Timesteps.of(SCHEDULE, 2, 5, 7, 10)),
                    Noise.seeded(1), recorder(events), 3);
            assertEquals(4, result.nfe());
            assertEquals(List.of("start DDIM (eta = 0.0) 4", "step 1 7.0", "step 2 5.0", "step 3 2.0", "step 4 0.0", "end"), events);
        }
    }

    private static Monitor recorder(List<String> events) {
        return new Monitor() {
            @Override
            public void start(String label, long total) {
                events.add("start " + label + " " + total);
            }

            @Override
            public void step(long k, double t, NDArray x, String status) {
                events.add("step " + k + " " + t);
            }

            @Override
            public void end() {
                events.add("end");
            }
        };
    }
}
