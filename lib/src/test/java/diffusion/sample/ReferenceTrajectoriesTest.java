package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.ReferenceFixture;
import diffusion.process.ReverseVariance;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our discrete samplers replayed against trajectories that improved-diffusion itself produced (openai/improved-diffusion,
 * GaussianDiffusion / SpacedDiffusion, commit and command in the fixture; regenerate with tools/reference/generate.py):
 * p_sample_loop with FIXED_LARGE and FIXED_SMALL over all 1000 steps of the linear schedule, the same on
 * space_timesteps(1000, [50]), ddim_sample_loop with eta = 0 and 0.5 on "ddim50" and [50], and both with
 * clip_denoised=True (our withX0(X0Transform.clip(1)); the reference takes the posterior mean of the clipped x0_hat
 * and x_t, and DDIM's eps re-derived from it, which our q_lambda form equals algebraically), each from the same
 * x_T and with the very draws the reference's torch.randn_like returned (float32-exact numbers in the fixture). The
 * network is a fixed analytic stand-in, written here as EPS: eps(x, t) = 0.5 tanh(x) + 0.1 t_ref / 1000 with
 * t_ref = t - 1 the reference's 0-based timestep (our steps are 1-indexed).
 *
 * <p>Draws: the reference calls randn_like on EVERY step (the last one, into t = 0, multiplied by nonzero_mask = 0;
 * DDIM with eta = 0 multiplied by sigma = 0), so it draws K per run; ours asks only for the draws it uses: K - 1 for DDPM
 * and DDIM with eta &gt; 0 (none on the step into the data), 0 for DDIM with eta = 0. The replay hands ours the
 * reference's first K - 1 draws, which are the ones the reference used, in the same order; the counts are asserted.
 */
class ReferenceTrajectoriesTest extends ManagedTest {

    private static final JsonObject FIXTURE = ReferenceFixture.load("/reference/improved_diffusion.json");
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    /**
     * Float32 tolerance against the reference's float64 states, relative to the state's scale (its largest entry, at
     * least 1). The reference holds x in float64 but casts every schedule coefficient to float32 (_extract_into_tensor's
     * .float()); we compute in float32 throughout. Each step then carries some ten float32 roundings (2^-24 = 6e-8 each)
     * of numbers of the state's size; the DDPM map x_t -> x_{t-1} multiplies earlier errors by 1/sqrt(alpha_t) just as
     * it grows the state, so errors relative to the state's scale add up over the steps like a random walk:
     * 1000 steps ~ sqrt(1000) * 10 * 6e-8 = 2e-5 at worst, 50 steps ~ 4e-6. The tolerances, 1e-5 and 3e-6, sit at
     * about 5 times the measured errors (1.9e-6 over 1000 steps, at most 9e-7 over 50; the test prints them).
     */
    private static double tolerance(int steps) {
        return steps > 100 ? 1e-5 : 3e-6;
    }

    /** The stand-in network of the fixture: eps(x, t) = 0.5 tanh(x) + 0.1 (t - 1) / 1000, t our 1-indexed step. */
    private static final ScoreModel EPS = ScoreModel.of(new Shape(2), SCHEDULE, Parameterisation.EPSILON,
            (x, t) -> x.tanh().mul(0.5f).add((float) (0.1 * (t - 1) / 1000))); // t_ref = t - 1

    /** Each reference run replayed through our sampler on the matching grid: every recorded state, to float32 precision. */
    @Test
    void samplersFollowImprovedDiffusionsTrajectories() {
        List<NDArray> noises = new ArrayList<>();
        JsonArray recorded = FIXTURE.getAsJsonArray("noises");
        Shape shape = new Shape(4, 2);
        for (JsonElement draw : recorded) {
            noises.add(manager.create(floats(draw.getAsJsonArray()), shape));
        }
        NDArray start = manager.create(floats(FIXTURE.getAsJsonArray("start")), shape);
        for (JsonElement element : FIXTURE.getAsJsonArray("runs")) {
            JsonObject run = element.getAsJsonObject();
            String name = run.get("name").getAsString();
            int[] steps = ints(run.getAsJsonArray("timesteps_0based"));
            int K = steps.length;
            int[] ours = new int[K];
            for (int k = 0; k < K; k++) {
                ours[k] = steps[k] + 1; // our 1-indexed steps
            }
            TimeGrid grid = K == SCHEDULE.T() ? TimeGrid.full(SCHEDULE) : TimeGrid.of(Timesteps.of(SCHEDULE, ours));
            if (K == SCHEDULE.T()) {
                assertEquals(TimeGrid.of(Timesteps.full(SCHEDULE)), grid);
            }
            boolean ddim = !run.get("eta").isJsonNull();
            double eta = ddim ? run.get("eta").getAsDouble() : 1;
            GeneralisedReverse sampler = ddim ? GeneralisedReverse.ddim(eta)
                    : GeneralisedReverse.ddpm("FIXED_LARGE".equals(run.get("model_var_type").getAsString())
                            ? ReverseVariance.BETA : ReverseVariance.BETA_TILDE);
            if (run.get("clip_denoised").getAsBoolean()) {
                sampler = sampler.withX0(X0Transform.clip(1)); // clip_denoised=True: x0_hat clamped to [-1, 1]
            }

            assertEquals(K, run.get("reference_draws").getAsInt(), name + ": the reference draws once per step");
            int expectedDraws = ddim && eta == 0 ? 0 : K - 1; // ours: none into the data, none when sigma = 0
            int[] drawn = {0};
            Noise replay = Noise.replay(noises.subList(0, expectedDraws));
            Noise counting = new Noise() {
                @Override
                public NDArray normal(NDManager m, Shape s) {
                    drawn[0]++;
                    return replay.normal(m, s);
                }

                @Override
                public NDArray uniform(NDManager m, Shape s) {
                    return replay.uniform(m, s);
                }
            };
            List<float[]> states = new ArrayList<>();
            try (NDManager m = manager.newSubManager()) {
                Sampler.Result result = sampler.run(m, EPS, grid, counting,
                        Monitor.observer((x, t) -> states.add(x.toFloatArray())), start);
                assertEquals(expectedDraws, drawn[0], name + ": our sampler's draws");
                assertArrayEquals(states.get(K - 1), result.samples().toFloatArray(), name);
            }
            assertEquals(K, states.size(), name);
            double worst = 0;
            for (JsonElement e : run.getAsJsonArray("states")) {
                JsonObject state = e.getAsJsonObject();
                int step = state.get("step").getAsInt();
                double[] expected = ReferenceFixture.doubles(state.getAsJsonArray("x"));
                float[] actual = states.get(step - 1);
                double scale = 1;
                for (double v : expected) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < expected.length; i++) {
                    double error = Math.abs(actual[i] - expected[i]) / scale;
                    worst = Math.max(worst, error);
                    assertTrue(error <= tolerance(K), name + ", step " + step + " (t = " + grid.time(step) + "), entry " + i
                            + ": ours " + actual[i] + ", reference " + expected[i] + ", error " + error + " of scale " + scale);
                }
            }
            double[] last = ReferenceFixture.doubles(run.getAsJsonArray("final"));
            for (int i = 0; i < last.length; i++) {
                assertEquals(last[i], states.get(K - 1)[i], tolerance(K) * Math.max(1, Math.abs(last[i])) * 4, name + ": x_0");
            }
            System.out.printf("reference %-45s K = %4d: largest error %.2e of the state's scale%n", name, K, worst);
        }
    }

    /**
     * Timesteps.uniform(schedule, K) is space_timesteps(1000, [K]) shifted to 1-indexed steps, for every K of the fixture
     * but K = 1, where improved-diffusion takes its step 0 (our t = 1) and we take t = T (a stated convention: a single
     * step from the data's neighbour would not start from noise).
     */
    @Test
    void uniformTimestepsAreImprovedDiffusionsRespacing() {
        for (Map.Entry<String, JsonElement> entry : FIXTURE.getAsJsonObject("space_timesteps").entrySet()) {
            int K = Integer.parseInt(entry.getKey());
            int[] theirs = ints(entry.getValue().getAsJsonArray());
            int[] ours = Timesteps.uniform(SCHEDULE, K).steps();
            if (K == 1) {
                assertArrayEquals(new int[] {0}, theirs);
                assertArrayEquals(new int[] {SCHEDULE.T()}, ours, "K = 1: our convention tau_1 = T");
                continue;
            }
            for (int k = 0; k < K; k++) {
                theirs[k] += 1;
            }
            assertArrayEquals(theirs, ours, "K = " + K);
        }
    }

    /** The numbers of a nested array, flattened, parsed as double and rounded to float (the fixture's float32 values). */
    static float[] floats(JsonArray array) {
        return ReferenceFixture.floats(ReferenceFixture.doubles(array));
    }

    private static int[] ints(JsonArray array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }
}
