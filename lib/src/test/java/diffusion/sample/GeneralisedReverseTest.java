package diffusion.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.metrics.MonteCarlo;
import diffusion.nn.EpsMlp;
import diffusion.process.ReverseVariance;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.LearnedVarianceModel;
import diffusion.score.NetworkScoreModel;
import diffusion.score.ScoreModel;
import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GeneralisedReverse, the one reverse sampler of the q_lambda family: DDPM (Ho et al.) with sigma^2 = beta or betaTilde,
 * DDIM (Song et al.) with eta in [0, 1], Nichol and Dhariwal's learned variance, and DDIM inversion. Step-for-step
 * claims replay given noise (Noise.replay) and compare with closed forms evaluated in double precision in the test;
 * distributional claims use the exact Gaussian-mixture oracle and fixed seeds.
 */
class GeneralisedReverseTest extends ManagedTest {

    private static final int N = 2000;
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(Toy2D.eightGaussians(), SCHEDULE);

    /**
     * Float32 tolerance of one reverse step compared with its closed form in double: the library forms x0_hat =
     * (x_t - s_t eps) / m_t, then m_s x0_hat + c eps + sigma z, about ten float32 roundings (relative 2^-24 = 6e-8 each)
     * of intermediate numbers no larger than scale = (m_s / m_t) (|x_t| + |eps|) + |eps| + sigma |z|; 1e-6 scale is
     * about 16 such roundings (the measured errors are a few 1e-7 scale).
     */
    private static double stepTolerance(double scale) {
        return 1e-6 * scale;
    }

    // ---------------------------------------------------------------- closed forms, step for step

    /**
     * DDPM (Ho et al., Algorithm 2) step for step on the full schedule, given x_T and the per-step noise:
     * x_{t-1} = (x_t - beta_t / sqrt(1 - alphaBar_t) eps(x_t, t)) / sqrt(alpha_t) + sigma_t z with sigma_t^2 = beta_t or
     * betaTilde_t and z = 0 at t = 1, computed here in double from the oracle's eps at the sampler's own x_t. Two
     * stretches of the T = 1000 grid: the first steps from T (m_t = 0.006, where x0_hat is largest) and the last ones
     * down to the data (z = 0 at t = 1; no draw is asked for there, so the replay list holds one z per step into t > 0).
     */
    @Test
    void ddpmStepsAreHoEtAlsUpdate() {
        for (ReverseVariance variance : new ReverseVariance[] {ReverseVariance.BETA, ReverseVariance.BETA_TILDE}) {
            for (double[] times : new double[][] {{1000, 999, 998, 997, 996}, {4, 3, 2, 1, 0}}) {
                try (NDManager m = manager.newSubManager()) {
                    TimeGrid grid = TimeGrid.of(SCHEDULE, times);
                    NDArray start = Noise.seeded(1).normal(m, new Shape(64, 2));
                    List<NDArray> z = draws(m, 2, times[times.length - 1] == 0 ? grid.steps() - 1 : grid.steps(), new Shape(64, 2));
                    GeneralisedReverse sampler = GeneralisedReverse.ddpm(variance);
                    List<float[]> states = trajectory(m, sampler, ORACLE, grid, start, z);
                    for (int k = 0; k < grid.steps(); k++) {
                        int t = (int) grid.time(k);
                        double[] x = toDouble(states.get(k));
                        double[] eps = epsilonAt(m, ORACLE, states.get(k), t);
                        double beta = SCHEDULE.beta(t);
                        double sigma = t == 1 ? 0 : Math.sqrt(variance == ReverseVariance.BETA ? beta : SCHEDULE.betaTilde(t));
                        double[] noise = t == 1 ? new double[x.length] : toDouble(z.get(k).toFloatArray());
                        double[] expected = new double[x.length];
                        double scale = 0;
                        for (int i = 0; i < x.length; i++) {
                            expected[i] = (x[i] - beta / Math.sqrt(1 - SCHEDULE.alphaBar(t)) * eps[i]) / Math.sqrt(1 - beta)
                                    + sigma * noise[i];
                            scale = Math.max(scale, Math.sqrt(SCHEDULE.alphaBar(t - 1) / SCHEDULE.alphaBar(t)) * (Math.abs(x[i])
                                    + Math.abs(eps[i])) + Math.abs(eps[i]) + sigma * Math.abs(noise[i]));
                        }
                        assertClose(expected, states.get(k + 1), stepTolerance(scale), sampler.name() + ", step t = " + t);
                    }
                }
            }
        }
    }

    /**
     * DDIM on a sub-sequence (tau = 1, 200, 400, 600, 800, 1000), step for step: Song et al.'s eq. 12,
     * x_s = sqrt(aBar_s) (x_t - sqrt(1 - aBar_t) eps) / sqrt(aBar_t) + sqrt(1 - aBar_s - sigma^2) eps + sigma z with
     * sigma = eta sqrt((1 - aBar_s) / (1 - aBar_t)) sqrt(1 - aBar_t / aBar_s), for eta = 0 (deterministic: the replay
     * list is empty, so any draw would fail) and eta = 0.5 (one z per step into s > 0; sigma = 0 on the step into the data).
     */
    @Test
    void ddimStepsAreSongEtAlsEquationTwelveOnASubSequence() {
        Timesteps steps = Timesteps.of(SCHEDULE, 1, 200, 400, 600, 800, 1000);
        TimeGrid grid = TimeGrid.of(steps);
        for (double eta : new double[] {0.0, 0.5}) {
            try (NDManager m = manager.newSubManager()) {
                NDArray start = Noise.seeded(2).normal(m, new Shape(64, 2));
                List<NDArray> z = draws(m, 3, eta == 0 ? 0 : grid.steps() - 1, new Shape(64, 2));
                GeneralisedReverse sampler = GeneralisedReverse.ddim(eta);
                List<float[]> states = trajectory(m, sampler, ORACLE, grid, start, z);
                for (int k = 0; k < grid.steps(); k++) {
                    int t = (int) grid.time(k);
                    int s = (int) grid.time(k + 1);
                    double aT = SCHEDULE.alphaBar(t);
                    double aS = SCHEDULE.alphaBar(s);
                    double sigma = eta * Math.sqrt((1 - aS) / (1 - aT)) * Math.sqrt(1 - aT / aS);
                    double[] x = toDouble(states.get(k));
                    double[] eps = epsilonAt(m, ORACLE, states.get(k), t);
                    double[] noise = sigma > 0 ? toDouble(z.get(k).toFloatArray()) : new double[x.length];
                    double[] expected = new double[x.length];
                    double scale = 0;
                    for (int i = 0; i < x.length; i++) {
                        double x0 = (x[i] - Math.sqrt(1 - aT) * eps[i]) / Math.sqrt(aT);
                        expected[i] = Math.sqrt(aS) * x0 + Math.sqrt(1 - aS - sigma * sigma) * eps[i] + sigma * noise[i];
                        scale = Math.max(scale, Math.sqrt(aS / aT) * (Math.abs(x[i]) + Math.abs(eps[i])) + Math.abs(eps[i])
                                + sigma * Math.abs(noise[i]));
                    }
                    assertClose(expected, states.get(k + 1), stepTolerance(scale), sampler.name() + ", step " + t + " -> " + s);
                }
            }
        }
    }

    /**
     * eta = 1 DDIM is DDPM with sigma^2 = betaTilde on the same grid: sigma^2 = 1^2 betaTilde(t, s) is the posterior
     * variance itself, so with the same prior draw and the same noise the two runs coincide, on every kernel: the discrete
     * linear and cosine schedules (respaced to 50 steps) and the VP, sub-VP and VE SDEs (50 uniform steps down to t = 1e-3).
     * The runs share one update, so they agree bitwise here; the tolerance, 1e-6 of the largest |x| on the way, would
     * also admit an implementation that rounds the two variances differently (a few float32 roundings per step over 50
     * steps of a contracting map). Power check: eta = 0 on the same noise is a different sampler.
     */
    @Test
    void etaOneDdimIsDdpmWithBetaTildeOnEveryKernel() {
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        NoiseSchedule cosine = NoiseSchedule.cosine(1000);
        VpSde vp = new VpSde(0.1, 20);
        SubVpSde subVp = new SubVpSde(0.1, 20);
        VeSde ve = new VeSde(0.01, 50);
        TimeGrid[] grids = {TimeGrid.of(Timesteps.uniform(linear, 50)), TimeGrid.of(Timesteps.uniform(cosine, 50)),
            TimeGrid.uniform(vp, 50, 1e-3), TimeGrid.uniform(subVp, 50, 1e-3), TimeGrid.uniform(ve, 50, 1e-3)};
        for (TimeGrid grid : grids) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), grid.kernel());
            try (NDManager m = manager.newSubManager()) {
                double[] largest = {0};
                Monitor track = Monitor.observer((x, t) -> largest[0] = Math.max(largest[0], x.abs().max().getFloat()));
                float[] ddim = GeneralisedReverse.ddim(1).sample(m, oracle, grid, Noise.seeded(21), track, 500).samples().toFloatArray();
                float[] ddpm = GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE).sample(m, oracle, grid, Noise.seeded(21), track, 500)
                        .samples().toFloatArray();
                assertArrayEquals(ddpm, ddim, (float) (1e-6 * largest[0]), grid.kernel() + ": DDIM (eta = 1) vs DDPM (betaTilde)");
                float[] deterministic = GeneralisedReverse.ddim(0).sample(m, oracle, grid, Noise.seeded(21), Monitor.quiet(), 500)
                        .samples().toFloatArray();
                assertTrue(maxDifference(deterministic, ddpm) > 0.1, grid.kernel() + ": eta = 0 is a different sampler (power check)");
            }
        }
    }

    // ---------------------------------------------------------------- the learned variance

    /**
     * Nichol and Dhariwal's sampler, step for step on the full grid of a T = 10 schedule: one network evaluation per step
     * (NFE = number of steps: eps and v come from one forward pass), and x_{t-1} = mu + sigma z with the eps-form mean
     * and the per-element variance sigma^2 = exp(v log beta_t + (1 - v) log betaTilde_t) (no noise at t = 1), computed
     * here in double from the network's own eps and v at the sampler's x_t (tolerance as for the fixed-variance steps).
     * The schedule, beta from 0.01 to 0.2, keeps an untrained network's chain at moderate |x| (linear(10) rescales beta_T
     * to 0.999, where the untrained chain overflows).
     */
    @Test
    void theLearnedVarianceSamplerUsesOnePassPerStepAndTheInterpolatedLogVariance() {
        NoiseSchedule schedule = NoiseSchedule.linear(10, 0.01, 0.2);
        try (NDManager m = manager.newSubManager()) {
            Environment.seed(4);
            EpsMlp network = new EpsMlp(2, 4, 16, 2, 8);
            network.initialize(m);
            LearnedVarianceModel model = new LearnedVarianceModel(network, schedule);
            TimeGrid grid = TimeGrid.full(schedule);
            NDArray start = Noise.seeded(5).normal(m, new Shape(32, 2));
            List<NDArray> z = draws(m, 6, grid.steps() - 1, new Shape(32, 2));
            GeneralisedReverse sampler = GeneralisedReverse.learned();
            List<float[]> states = new ArrayList<>();
            states.add(start.toFloatArray());
            Sampler.Result result = sampler.run(m, model, grid, Noise.replay(z), Monitor.observer((x, t) -> states.add(x.toFloatArray())), start);
            assertEquals(grid.steps(), result.nfe(), "one evaluation (eps and v together) per step");
            for (int k = 0; k < grid.steps(); k++) {
                int t = (int) grid.time(k);
                NDArray xt = m.create(states.get(k), new Shape(32, 2));
                double[] x = toDouble(states.get(k));
                double[] eps = toDouble(model.epsilon(xt, t).toFloatArray());
                double[] v = toDouble(model.interpolation(xt, t).toFloatArray());
                double beta = schedule.beta(t);
                double[] noise = t == 1 ? new double[x.length] : toDouble(z.get(k).toFloatArray());
                double[] expected = new double[x.length];
                double scale = 0;
                for (int i = 0; i < x.length; i++) {
                    double sigma = t == 1 ? 0 : Math.exp(0.5 * (v[i] * Math.log(beta) + (1 - v[i]) * Math.log(schedule.betaTilde(t))));
                    expected[i] = (x[i] - beta / Math.sqrt(1 - schedule.alphaBar(t)) * eps[i]) / Math.sqrt(1 - beta) + sigma * noise[i];
                    scale = Math.max(scale, Math.sqrt(schedule.alphaBar(t - 1) / schedule.alphaBar(t)) * (Math.abs(x[i]) + Math.abs(eps[i]))
                            + Math.abs(eps[i]) + sigma * Math.abs(noise[i]));
                }
                assertClose(expected, states.get(k + 1), stepTolerance(scale), "learned variance, step t = " + t);
            }
        }
    }

    /**
     * A learned variance whose interpolation is v = 1 everywhere is DDPM with sigma^2 = beta_t: with the same seed it
     * samples what ddpm(BETA) samples from the same network's eps. Tolerance 1e-5 relative to the largest |x_0|:
     * exp((1 log beta + 0 log betaTilde) / 2) is sqrt(beta_t) up to float32 rounding of the log-space sum, a relative
     * 1e-7 per step on sigma z, carried along by the chain (which scales errors as it scales x) over 50 steps. The
     * untrained network's chain grows to |x| ~ 100 (its eps does not undo the 1 / sqrt(alpha_t) growth), hence relative.
     */
    @Test
    void aLearnedVarianceOfVOneReproducesDdpmWithBeta() {
        NoiseSchedule schedule = NoiseSchedule.linear(50);
        try (NDManager m = manager.newSubManager()) {
            Environment.seed(8);
            EpsMlp network = new EpsMlp(2, 4, 16, 1, 8);
            network.initialize(m);
            Parameter[] last = lastLayer(network);
            last[0].getArray().set(new NDIndex("2:, :"), 0); // the v rows of the output layer: weight 0 ...
            last[1].getArray().set(new NDIndex("2:"), 1); // ... bias 1, so v = 1 at every input
            LearnedVarianceModel learned = new LearnedVarianceModel(network, schedule);
            NDArray probe = Noise.seeded(9).normal(m, new Shape(5, 2));
            assertArrayEquals(new float[10], learned.interpolation(probe, 17).sub(1).toFloatArray(), 0f, "v = 1");
            TimeGrid grid = TimeGrid.full(schedule);
            float[] ddpm = GeneralisedReverse.ddpm(ReverseVariance.BETA).sample(m, new NetworkScoreModel(network, schedule), grid,
                    Noise.seeded(8), Monitor.quiet(), 300).samples().toFloatArray();
            float[] reverse = GeneralisedReverse.learned().sample(m, learned, grid, Noise.seeded(8), Monitor.quiet(), 300)
                    .samples().toFloatArray();
            float largest = 0;
            for (float value : ddpm) {
                largest = Math.max(largest, Math.abs(value));
            }
            assertArrayEquals(ddpm, reverse, 1e-5f * largest);
        }
    }

    // ---------------------------------------------------------------- distributional claims with the exact oracle

    /**
     * With the exact oracle score, ancestral sampling reproduces the data: the MMD between samples and fresh data
     * lies within the data-versus-data baseline at the same sample size (mean + 4 standard deviations over 10 pairs
     * of independent data sets), for both fixed variances.
     */
    @Test
    void ddpmWithTheExactOracleReproducesTheMixture() {
        GaussianMixture data = Toy2D.eightGaussians();
        try (NDManager m = manager.newSubManager()) {
            MmdBaseline baseline = MmdBaseline.of(m, data, N, 10, 100);
            double threshold = baseline.threshold(4);
            for (ReverseVariance variance : new ReverseVariance[] {ReverseVariance.BETA, ReverseVariance.BETA_TILDE}) {
                GeneralisedReverse sampler = GeneralisedReverse.ddpm(variance);
                NDArray samples = sampler.sample(m, ORACLE, TimeGrid.full(SCHEDULE), Noise.seeded(7), Monitor.quiet(), N).samples();
                double mmd = Mmd.rbf(samples, data.sample(m, N, 8));
                assertTrue(mmd <= threshold, sampler.name() + ": MMD " + mmd + " > baseline " + baseline);
            }
            // Power check: the same statistic flags a wrong law (the mixture with its modes at 1.3 x the radius).
            GaussianMixture shifted = data.diffuse(1.3, 0.0);
            assertTrue(Mmd.rbf(shifted.sample(m, N, 9), data.sample(m, N, 10)) > threshold, "the baseline rejects a wrong law");
        }
    }

    /**
     * With the exact score the reverse chain passes through the forward marginals: for x_0 ~ N(0, v) the variance of
     * x_t is alphaBar_t v + 1 - alphaBar_t at every t (tolerance 5 Monte Carlo standard errors of a variance,
     * v_t sqrt(2 / (n - 1)); the discretisation error at T = 1000 is far smaller). The monitor sees every step, with the
     * time reached: t = 999, ..., 0.
     */
    @Test
    void theMonitorSeesEveryIntermediateMarginal() {
        double v = 0.25;
        int n = 20_000;
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0.0}, new double[] {v}), SCHEDULE);
        double[] variance = new double[SCHEDULE.T()];
        int[] calls = {0};
        try (NDManager m = manager.newSubManager()) {
            NDArray samples = GeneralisedReverse.ddpm(ReverseVariance.BETA_TILDE).sample(m, oracle, TimeGrid.full(SCHEDULE), Noise.seeded(13),
                    Monitor.observer((x, t) -> {
                        assertEquals(SCHEDULE.T() - 1 - calls[0], t, 0, "the time reached by step " + (calls[0] + 1));
                        variance[(int) t] = MonteCarlo.variance(x, 0);
                        calls[0]++;
                    }), n).samples();
            assertEquals(SCHEDULE.T(), calls[0]);
            assertEquals(MonteCarlo.variance(samples, 0), variance[0], 0.0, "the last call sees x_0");
            for (int t = 0; t < SCHEDULE.T(); t += 50) {
                double expected = SCHEDULE.alphaBar(t) * v + 1 - SCHEDULE.alphaBar(t);
                assertEquals(expected, variance[t], 5 * MonteCarlo.varianceError(expected, n), "Var(x_t) at t = " + t);
            }
        }
    }

    @Test
    void theSameSeedGivesBitwiseTheSameSamples() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(Toy2D.eightGaussians(), schedule);
        TimeGrid grid = TimeGrid.full(schedule);
        GeneralisedReverse sampler = GeneralisedReverse.ddpm(ReverseVariance.BETA);
        try (NDManager m = manager.newSubManager()) {
            float[] first = sampler.sample(m, oracle, grid, Noise.seeded(11), Monitor.quiet(), 500).samples().toFloatArray();
            float[] second = sampler.sample(m, oracle, grid, Noise.seeded(11), Monitor.quiet(), 500).samples().toFloatArray();
            float[] other = sampler.sample(m, oracle, grid, Noise.seeded(12), Monitor.quiet(), 500).samples().toFloatArray();
            assertArrayEquals(first, second);
            assertFalse(Arrays.equals(first, other));
        }
    }

    // ---------------------------------------------------------------- DDIM inversion

    /**
     * Inversion then decoding with eta = 0 reconstructs the data, with an error that shrinks as K grows (both are
     * Euler discretisations of the same probability-flow ODE): on eight Gaussians with the exact score, the mean
     * reconstruction error falls at each of K = 10, 50, 200, 1000 and is below 0.01 at K = 1000 (the data have unit
     * variance per coordinate).
     */
    @Test
    void inversionThenDecodingReconstructsWithAnErrorThatShrinksWithK() {
        double previous = Double.POSITIVE_INFINITY;
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = Toy2D.eightGaussians().sample(m, 200, 3);
            for (int K : new int[] {10, 50, 200, 1000}) {
                try (NDScope scope = new NDScope()) {
                    TimeGrid grid = TimeGrid.of(Timesteps.uniform(SCHEDULE, K));
                    NDArray latent = GeneralisedReverse.invert(m, ORACLE, grid, x0, Monitor.quiet());
                    NDArray back = GeneralisedReverse.ddim(0).run(m, ORACLE, grid, Noise.replay(List.of()), Monitor.quiet(), latent).samples();
                    double error = back.sub(x0).norm(new int[] {1}).mean().getFloat();
                    assertTrue(error < previous, "K = " + K + ": error " + error + " not below " + previous);
                    previous = error;
                }
            }
        }
        assertTrue(previous < 0.01, "K = 1000: mean reconstruction error " + previous);
    }

    /** Inverting the data gives latents distributed like N(0, I): per-coordinate variance 1 within 5 standard errors plus the K = 100 discretisation. */
    @Test
    void invertedDataLookLikeStandardNormalLatents() {
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0.5, -0.5}, new double[] {0.3, 2.0});
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        int n = 5000;
        try (NDManager m = manager.newSubManager()) {
            NDArray latent = GeneralisedReverse.invert(m, oracle, TimeGrid.of(Timesteps.uniform(SCHEDULE, 100)), data.sample(m, n, 4),
                    Monitor.quiet());
            // the exact flow maps N(mu, v) to N(sqrt(aBar_T) mu, aBar_T v + 1 - aBar_T) at t = T
            for (int j = 0; j < 2; j++) {
                double expected = SCHEDULE.alphaBar(1000) * data.variances()[0][j] + 1 - SCHEDULE.alphaBar(1000);
                assertEquals(expected, MonteCarlo.variance(latent, j), 5 * MonteCarlo.varianceError(expected, n), "Var of latent " + j);
            }
        }
    }

    // ---------------------------------------------------------------- refusals

    /** Every refusal comes before any work, as an IllegalArgumentException whose message says what is wrong. */
    @Test
    void badInputIsRefusedWithAClearMessage() {
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(SCHEDULE, 10));
        TimeGrid foreign = TimeGrid.of(Timesteps.uniform(NoiseSchedule.linear(1000), 10)); // an equal schedule, another object
        assertMessage("eta = -0.1", () -> GeneralisedReverse.ddim(-0.1));
        assertMessage("eta = 1.5 must lie in [0, 1]", () -> GeneralisedReverse.ddim(1.5));
        try (NDManager m = manager.newSubManager()) {
            NDArray good = m.zeros(new Shape(4, 2));
            NDArray threeD = m.zeros(new Shape(4, 3));
            GeneralisedReverse ddim = GeneralisedReverse.ddim(0);
            assertMessage("grid is over", () -> ddim.run(m, ORACLE, foreign, Noise.seeded(1), Monitor.quiet(), good));
            assertMessage("build the grid on model.kernel()", () -> ddim.sample(m, ORACLE, foreign, Noise.seeded(1), Monitor.quiet(), 4));
            assertMessage("grid is over", () -> GeneralisedReverse.invert(m, ORACLE, foreign, good, Monitor.quiet()));
            assertMessage("start has shape (4, 3): expected (n, 2)", () -> ddim.run(m, ORACLE, grid, Noise.seeded(1), Monitor.quiet(), threeD));
            assertMessage("start has shape (4, 3)", () -> GeneralisedReverse.invert(m, ORACLE, grid, threeD, Monitor.quiet()));
            assertMessage("start has shape (4)", () -> ddim.run(m, ORACLE, grid, Noise.seeded(1), Monitor.quiet(), m.zeros(new Shape(4))));
            assertMessage("n = 0", () -> ddim.sample(m, ORACLE, grid, Noise.seeded(1), Monitor.quiet(), 0));
            IllegalArgumentException learned = assertMessage("needs a LearnedVarianceModel",
                    () -> GeneralisedReverse.learned().run(m, ORACLE, grid, Noise.seeded(1), Monitor.quiet(), good));
            assertTrue(learned.getMessage().contains("GaussianMixtureOracle"), "names the model given: " + learned.getMessage());
            assertTrue(learned.getMessage().startsWith(GeneralisedReverse.learned().name()), "names the sampler: " + learned.getMessage());
            assertMessage("a learned variance needs the model's v", () -> GeneralisedReverse.learned().step(SCHEDULE, good, 5, 4, good, good));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** count standard normal arrays of the given shape from a seeded source. */
    static List<NDArray> draws(NDManager m, long seed, int count, Shape shape) {
        Noise noise = Noise.seeded(seed);
        List<NDArray> z = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            z.add(noise.normal(m, shape));
        }
        return z;
    }

    /** x(t_0), ..., x(t_N) of a run from start with the replayed noise z (which must be used up exactly). */
    static List<float[]> trajectory(NDManager m, Sampler sampler, ScoreModel model, TimeGrid grid, NDArray start, List<NDArray> z) {
        List<float[]> states = new ArrayList<>();
        states.add(start.toFloatArray());
        Noise replay = Noise.replay(z);
        sampler.run(m, model, grid, replay, Monitor.observer((x, t) -> states.add(x.toFloatArray())), start);
        assertThrows(IllegalArgumentException.class, () -> replay.normal(m, start.getShape()), "every replayed draw was used");
        assertEquals(grid.steps() + 1, states.size());
        return states;
    }

    /** The model's eps at exactly the state x (float values of shape (n, 2)), in double. */
    static double[] epsilonAt(NDManager m, ScoreModel model, float[] x, double t) {
        NDArray state = m.create(x, new Shape(x.length / 2, 2));
        return toDouble(model.epsilon(state, t).toType(DataType.FLOAT32, false).toFloatArray());
    }

    static double[] toDouble(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    static void assertClose(double[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tolerance, what + ": max |closed form - sampler| = " + worst + " > " + tolerance);
    }

    private static double maxDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** The output layer's weight (outputs, width) and bias (outputs). */
    private static Parameter[] lastLayer(EpsMlp network) {
        Parameter weight = null;
        Parameter bias = null;
        for (Pair<String, Parameter> entry : network.getParameters()) {
            weight = entry.getValue().getType() == Parameter.Type.WEIGHT ? entry.getValue() : weight;
            bias = entry.getValue().getType() == Parameter.Type.BIAS ? entry.getValue() : bias;
        }
        assertEquals(new Shape(4, 16), weight.getArray().getShape(), "the last weight is the output layer's");
        return new Parameter[] {weight, bias};
    }

    private static IllegalArgumentException assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message names " + fragment + ": " + e.getMessage());
        return e;
    }
}
