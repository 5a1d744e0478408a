package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reverse-SDE samplers: their step formulas against closed forms (replayed noise), the order corrector-then-predictor,
 * the NFE count, the monitor, sampling a mixture with the exact score, bad input.
 */
class PredictorCorrectorTest extends ManagedTest {

    private static final VeSde VE = new VeSde(0.01, 10);
    private static final VpSde VP = new VpSde(0.1, 20);
    private static final SubVpSde SUB_VP = new SubVpSde(0.1, 20);
    private static final GaussianMixture DATA = Toy2D.eightGaussians();
    private static final double EPS = 1e-3;

    /** Gaussian data N(MU_j, V_j) per coordinate: the diffused score -(x - m mu) / (m^2 v + s^2) is known in closed form. */
    private static final double[] MU = {1.5, -0.5};
    private static final double[] V = {0.25, 2.0};
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(MU, V);

    /**
     * With the exact score every sampler family reproduces the eight Gaussians: MMD^2 between 2000 samples (denoised
     * at eps = 1e-3 by Tweedie's step, thenDenoise) and fresh data lies below the data-versus-data baseline at that size
     * (mean + 4 sd over 10 pairs) for predictor only (Euler-Maruyama under VP, reverse diffusion under sub-VP, N = 100
     * uniform steps down to eps), predictor-corrector (Langevin r = 0.16 then reverse diffusion, under VE, N = 100) and
     * corrector only (Langevin with the snr rule, M = 2, N = 200, VE). Power: five Euler-Maruyama steps under VE, and one
     * Langevin step per level without a predictor, are rejected.
     */
    @Test
    void everySamplerReproducesTheMixtureWithTheExactScore() {
        int n = 2000;
        double threshold = MmdBaseline.of(manager, DATA, n, 10, 100).threshold(4);
        LangevinCorrector langevin = LangevinCorrector.snr(0.16, 1);
        assertBelow(threshold, mmd(VP, PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA), 100, n));
        assertBelow(threshold, mmd(SUB_VP, PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION), 100, n));
        assertBelow(threshold, mmd(VE, PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, langevin), 100, n));
        assertBelow(threshold, mmd(VE, PredictorCorrector.correctorOnly(LangevinCorrector.snr(0.16, 2)), 200, n));
        double fewSteps = mmd(VE, PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA), 5, n);
        assertTrue(fewSteps > threshold, "five Euler-Maruyama steps: MMD^2 " + fewSteps + " <= threshold " + threshold);
        double correctorOnly = mmd(VE, PredictorCorrector.correctorOnly(langevin), 100, n);
        assertTrue(correctorOnly > threshold, "one Langevin step per level: MMD^2 " + correctorOnly + " <= threshold " + threshold);
    }

    private static void assertBelow(double threshold, double mmd) {
        assertTrue(mmd <= threshold, "MMD^2 " + mmd + " > threshold " + threshold);
    }

    /** MMD^2 between n denoised samples of sampler with the oracle of DATA under sde on N uniform steps (seed 7) and n fresh data points. */
    private static double mmd(Sde sde, PredictorCorrector sampler, int steps, int n) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = sampler.thenDenoise().sample(m, new GaussianMixtureOracle(DATA, sde), TimeGrid.uniform(sde, steps, EPS),
                    Noise.seeded(7), Monitor.quiet(), n).samples();
            return Mmd.rbf(x, DATA.sample(m, n, 8));
        }
    }

    /** Euler-Maruyama is x - [f x - g^2 s] dt + g sqrt(dt) z with the drift of ReverseSde: c_x x + c_s s = x - drift dt. */
    @Test
    void eulerMaruyamaStepsAlongTheReverseDrift() {
        for (Sde sde : List.of(VE, VP, SUB_VP)) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, sde);
            ReverseSde reverse = new ReverseSde(sde, oracle);
            NDArray x = DATA.sample(manager, 50, 3);
            double t = 0.4, dt = 0.01;
            Predictor.Step step = Predictor.EULER_MARUYAMA.step(sde, t, dt);
            NDArray expected = x.sub(reverse.drift(x, t).mul(dt));
            NDArray actual = x.mul(step.cx()).add(oracle.score(x, t).mul(step.cs()));
            assertTrue(expected.sub(actual).abs().max().getFloat() < 1e-5 * (1 + expected.abs().max().getFloat()), sde.name());
            assertEquals(sde.diffusion(t) * Math.sqrt(dt), step.sigma(), 1e-15);
        }
    }

    /**
     * Ancestral sampling runs the SDE's own chain backwards: DDPM (VP) x_{i-1} = (x + beta_i s) / sqrt(1 - beta_i)
     * + sqrt(beta_i) z with beta_i = beta(t) dt; SMLD (VE) x + (sigma_i^2 - sigma_{i-1}^2) s + sigma z with
     * sigma^2 = sigma_{i-1}^2 (sigma_i^2 - sigma_{i-1}^2) / sigma_i^2.
     */
    @Test
    void ancestralSamplingIsTheDdpmAndSmldChain() {
        double t = 0.5, dt = 0.01;
        double beta = VP.beta(t) * dt;
        Predictor.Step ddpm = Predictor.ANCESTRAL.step(VP, t, dt);
        assertEquals(1 / Math.sqrt(1 - beta), ddpm.cx(), 1e-14);
        assertEquals(beta / Math.sqrt(1 - beta), ddpm.cs(), 1e-14);
        assertEquals(Math.sqrt(beta), ddpm.sigma(), 1e-14);
        double si = VE.sigma(t), previous = VE.sigma(t - dt);
        Predictor.Step smld = Predictor.ANCESTRAL.step(VE, t, dt);
        assertEquals(1, smld.cx(), 1e-14);
        assertEquals(si * si - previous * previous, smld.cs(), 1e-12);
        assertEquals(Math.sqrt(previous * previous * (si * si - previous * previous) / (si * si)), smld.sigma(), 1e-12);
    }

    /**
     * The reverse-diffusion sampler's steps are their closed forms, given x and the noise (replayed): for VP,
     * x_s = (2 - sqrt(1 - beta(t) dt)) x + beta(t) dt s(x, t) + sqrt(beta(t) dt) z; for VE,
     * x_s = x + (sigma_t^2 - sigma_s^2) s(x, t) + sqrt(sigma_t^2 - sigma_s^2) z; on a two-step grid each step with its
     * own t and dt = t - s. The expectation is computed in double with the closed-form Gaussian score; the sampler runs in
     * float32, so they agree to float32 precision: a few roundings (2^-24 = 6e-8 each) of terms no larger than the
     * largest |x_s|, bounded by 1e-6 (1 + max |x_s|).
     */
    @Test
    void theReverseDiffusionStepIsItsClosedForm() {
        double[] times = {0.6, 0.55, 0.52}; // beta(t) dt = 0.60, 0.33 under VP: the DDPM chain needs beta(t) dt < 1
        for (Sde sde : List.of(VP, VE)) {
            TimeGrid grid = TimeGrid.of(sde, times);
            float[][] x = {{0.4f, -1.1f}, {2.0f, 0.3f}, {-0.7f, 1.9f}};
            float[][] z1 = {{0.5f, -0.2f}, {-1.3f, 0.8f}, {0.1f, 2.1f}};
            float[][] z2 = {{-0.9f, 0.4f}, {1.2f, -0.6f}, {0.3f, -1.7f}};
            double[][] expected = toDouble(x);
            float[][][] noises = {z1, z2};
            for (int k = 0; k < 2; k++) {
                double t = times[k], s = times[k + 1], dt = t - s;
                double cx, cs, sigma;
                if (sde == VP) {
                    double betaDt = VP.beta(t) * dt;
                    cx = 2 - Math.sqrt(1 - betaDt);
                    cs = betaDt;
                    sigma = Math.sqrt(betaDt);
                } else {
                    double variance = square(VE.sigma(t)) - square(VE.sigma(s));
                    cx = 1;
                    cs = variance;
                    sigma = Math.sqrt(variance);
                }
                double[][] score = score(sde, expected, t);
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 2; j++) {
                        expected[i][j] = cx * expected[i][j] + cs * score[i][j] + sigma * noises[k][i][j];
                    }
                }
            }
            try (NDManager m = manager.newSubManager()) {
                NDArray actual = PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION).run(m, new GaussianMixtureOracle(GAUSSIAN, sde),
                        grid, Noise.replay(List.of(m.create(z1), m.create(z2))), Monitor.quiet(), m.create(x)).samples();
                assertClose(expected, actual, sde.name() + " reverse diffusion");
            }
        }
    }

    /**
     * A predictor-corrector step from t to s, in score_sde's order: M = 2 Langevin steps at t with the snr rule,
     * h_j = 2 alpha (r mean_i ||z_j,i|| / mean_i ||s(x_j-1, t)_i||)^2, alpha = (m(t) / m(s))^2,
     * x_j = x_j-1 + h_j s(x_j-1, t) + sqrt(2 h_j) z_j, then the reverse-diffusion predictor from t to s applied to x_2 with
     * the third draw. Computed by hand in double with the exact Gaussian score, it matches the sampler to float32
     * precision (as above, 1e-6 (1 + max |x|)); the other order with the same draws in the same roles (predictor t -> s,
     * then the corrector at s, as Song et al.'s Algorithm 2 reads and as this library did before) lands farther away than
     * 100 times that tolerance, so the test tells the orders apart.
     */
    @Test
    void aPredictorCorrectorStepCorrectsAtTThenPredicts() {
        double t = 0.5, s = 0.45, r = 0.16;
        float[][] x = {{0.4f, -1.1f}, {2.0f, 0.3f}, {-0.7f, 1.9f}, {1.2f, 1.0f}};
        float[][] zc1 = {{0.5f, -0.2f}, {-1.3f, 0.8f}, {0.1f, 2.1f}, {-0.4f, -0.4f}};
        float[][] zc2 = {{-0.9f, 0.4f}, {1.2f, -0.6f}, {0.3f, -1.7f}, {0.8f, 0.2f}};
        float[][] zp = {{0.2f, 1.4f}, {-0.5f, -0.1f}, {1.1f, 0.6f}, {-1.6f, 0.9f}};
        for (Sde sde : List.of(VP, VE)) {
            double alpha = square(sde.meanScale(t) / sde.meanScale(s));
            Sde.Transition chain = sde.discretize(t, t - s);
            double[][] corrected = langevin(sde, langevin(sde, toDouble(x), zc1, t, alpha, r), zc2, t, alpha, r);
            double[][] expected = reverseDiffusion(sde, corrected, zp, t, chain);
            double[][] predictorFirst = langevin(sde, langevin(sde, reverseDiffusion(sde, toDouble(x), zp, t, chain), zc1, s, alpha, r),
                    zc2, s, alpha, r); // the same draws in the same roles, the other order
            try (NDManager m = manager.newSubManager()) {
                PredictorCorrector sampler = PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(r, 2));
                NDArray actual = sampler.run(m, new GaussianMixtureOracle(GAUSSIAN, sde), TimeGrid.of(sde, t, s),
                        Noise.replay(List.of(m.create(zc1), m.create(zc2), m.create(zp))), Monitor.quiet(), m.create(x)).samples();
                assertClose(expected, actual, sde.name() + " corrector then predictor");
                double apart = maxDifference(predictorFirst, actual.toFloatArray());
                assertTrue(apart > 100 * tolerance(expected), sde.name() + ": the predictor-first order lies only " + apart + " away");
            }
        }
    }

    /** One Langevin step at t with the snr rule, in double: x + h s(x, t) + sqrt(2 h) z. */
    private static double[][] langevin(Sde sde, double[][] x, float[][] z, double t, double alpha, double r) {
        double[][] score = score(sde, x, t);
        double h = 2 * alpha * square(r * meanNorm(toDouble(z)) / meanNorm(score));
        double[][] next = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                next[i][j] = x[i][j] + h * score[i][j] + Math.sqrt(2 * h) * z[i][j];
            }
        }
        return next;
    }

    /** The reverse-diffusion step from t, in double: (2 - a) x + G^2 s(x, t) + G z. */
    private static double[][] reverseDiffusion(Sde sde, double[][] x, float[][] z, double t, Sde.Transition chain) {
        double[][] score = score(sde, x, t);
        double[][] next = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                next[i][j] = (2 - chain.a()) * x[i][j] + square(chain.G()) * score[i][j] + chain.G() * z[i][j];
            }
        }
        return next;
    }

    /** The exact score of the diffused Gaussian data, -(x - m mu) / (m^2 v + s^2), in double. */
    private static double[][] score(PerturbationKernel kernel, double[][] x, double t) {
        double m = kernel.meanScale(t), s = kernel.std(t);
        double[][] score = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                score[i][j] = -(x[i][j] - m * MU[j]) / (m * m * V[j] + s * s);
            }
        }
        return score;
    }

    private static double meanNorm(double[][] x) {
        double total = 0;
        for (double[] row : x) {
            double squared = 0;
            for (double v : row) {
                squared += v * v;
            }
            total += Math.sqrt(squared);
        }
        return total / x.length;
    }

    private static double[][] toDouble(float[][] x) {
        double[][] y = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = new double[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                y[i][j] = x[i][j];
            }
        }
        return y;
    }

    /** Float32 precision for results of size max |x|: 1e-6 (1 + max |x|). */
    private static double tolerance(double[][] expected) {
        double largest = 0;
        for (double[] row : expected) {
            for (double v : row) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        return 1e-6 * (1 + largest);
    }

    private static double maxDifference(double[][] expected, float[] actual) {
        double worst = 0;
        int d = expected[0].length;
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < d; j++) {
                worst = Math.max(worst, Math.abs(expected[i][j] - actual[i * d + j]));
            }
        }
        return worst;
    }

    private static void assertClose(double[][] expected, NDArray actual, String what) {
        double difference = maxDifference(expected, actual.toFloatArray());
        assertTrue(difference <= tolerance(expected), what + ": max |difference| " + difference + " > " + tolerance(expected));
    }

    /**
     * The signal-to-noise rule: h = 2 alpha (r mean ||z|| / mean ||s||)^2, and the step is x + h s + sqrt(2 h) z; the
     * annealed rule (Song and Ermon): h = alpha_i / 2 = epsilon s(t)^2 / (2 s_L^2), s_L the std at the grid's last but
     * one time.
     */
    @Test
    void theLangevinStepFollowsItsStepSizeRules() {
        NDArray score = manager.create(new float[] {3, 4, 0, 2}, new Shape(2, 2)); // norms 5 and 2: mean 3.5
        NDArray z = manager.create(new float[] {1, 0, 0, -2}, new Shape(2, 2)); // norms 1 and 2: mean 1.5
        NDArray x = manager.create(new float[] {1, 1, 1, 1}, new Shape(2, 2));
        TimeGrid grid = TimeGrid.uniform(VE, 10, EPS);
        LangevinCorrector corrector = LangevinCorrector.snr(0.2, 1);
        double h = 2 * 0.9 * Math.pow(0.2 * 1.5 / 3.5, 2);
        assertEquals(h, corrector.stepSize(score, z, 0.9, 0.5, grid), 1e-7);
        float[] next = corrector.step(x, score, z, 0.9, 0.5, grid).toFloatArray();
        assertEquals(1 + h * 3 + Math.sqrt(2 * h), next[0], 1e-6);
        assertEquals(1 + h * 2 - 2 * Math.sqrt(2 * h), next[3], 1e-6);
        LangevinCorrector annealed = LangevinCorrector.annealed(2e-5, 3);
        double t = grid.time(4);
        double expected = 0.5 * 2e-5 * square(VE.std(t)) / square(VE.std(grid.time(9)));
        assertEquals(expected, annealed.stepSize(score, z, 1, t, grid), 1e-12 * expected);
    }

    /**
     * The NFE returned with the samples is the number of model evaluations the sampler made (counted by a wrapper):
     * N per predictor, N M per corrector, 1 for the denoising step; and x lives in the caller's manager alone.
     */
    @Test
    void theModelEvaluationsAreCounted() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, VE);
        TimeGrid grid = TimeGrid.uniform(VE, 7, EPS);
        List<Sampler> samplers = List.of(
                PredictorCorrector.predictorOnly(Predictor.ANCESTRAL),
                PredictorCorrector.of(Predictor.EULER_MARUYAMA, LangevinCorrector.snr(0.1, 3)).thenDenoise(),
                PredictorCorrector.correctorOnly(LangevinCorrector.snr(0.1, 2)).thenDenoise());
        int[] expected = {7, 7 + 21 + 1, 14 + 1};
        for (int i = 0; i < samplers.size(); i++) {
            Sampler sampler = samplers.get(i);
            Counting counting = new Counting(oracle);
            try (NDManager m = manager.newSubManager()) {
                Sampler.Result result = sampler.sample(m, counting, grid, Noise.seeded(1), Monitor.quiet(), 10);
                assertEquals(counting.calls, result.nfe(), sampler.name());
                assertEquals(expected[i], result.nfe(), sampler.name());
                assertEquals(1, m.getManagedArrays().size(), sampler.name() + ": arrays left in the caller's manager");
            }
        }
    }

    /**
     * The monitor is told start once (the sampler's name, N steps), then step k = 1..N with the grid's times t_1 > ... >
     * t_N and the current state, then end once.
     */
    @Test
    void theMonitorSeesStartEveryStepAndEnd() {
        TimeGrid grid = TimeGrid.uniform(VE, 6, EPS);
        for (PredictorCorrector sampler : List.of(PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA),
                PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 2)),
                PredictorCorrector.correctorOnly(LangevinCorrector.annealed(2e-5, 2)))) {
            Recording recording = new Recording();
            try (NDManager m = manager.newSubManager()) {
                sampler.sample(m, new GaussianMixtureOracle(DATA, VE), grid, Noise.seeded(2), recording, 5);
            }
            recording.assertSaw(sampler.name(), grid);
        }
    }

    /** A monitor that records its calls. */
    static final class Recording implements Monitor {

        final List<String> labels = new ArrayList<>();
        final List<Long> totals = new ArrayList<>();
        final List<Long> ks = new ArrayList<>();
        final List<Double> times = new ArrayList<>();
        final List<Shape> shapes = new ArrayList<>();
        int ends;

        @Override
        public void start(String label, long total) {
            labels.add(label);
            totals.add(total);
        }

        @Override
        public void step(long k, double t, NDArray x, String status) {
            ks.add(k);
            times.add(t);
            shapes.add(x.getShape());
        }

        @Override
        public void end() {
            ends++;
        }

        /** One start (label, N), steps 1..N at t_1 > ... > t_N of grid with states of shape (n, d), one end. */
        void assertSaw(String label, TimeGrid grid) {
            assertEquals(List.of(label), labels);
            assertEquals(List.of((long) grid.steps()), totals);
            List<Long> expectedKs = new ArrayList<>();
            List<Double> expectedTimes = new ArrayList<>();
            for (int k = 1; k <= grid.steps(); k++) {
                expectedKs.add((long) k);
                expectedTimes.add(grid.time(k));
            }
            assertEquals(expectedKs, ks, label);
            assertEquals(expectedTimes, times, label);
            for (int k = 1; k < times.size(); k++) {
                assertTrue(times.get(k) < times.get(k - 1), label + ": times must decrease");
            }
            assertEquals(1, shapes.stream().distinct().count(), label + ": one state shape");
            assertEquals(1, ends, label);
        }
    }

    /** The same seed draws the same samples, and a run shorter than two seconds prints no progress line. */
    @Test
    void aShortRunIsSilentAndTheSameSeedDrawsTheSameSamples() {
        Sampler sampler = PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)).thenDenoise();
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, VE);
        TimeGrid grid = TimeGrid.uniform(VE, 5, EPS);
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (NDManager m = manager.newSubManager()) {
            float[] expected = sampler.sample(m, oracle, grid, Noise.seeded(3), Monitor.quiet(), 20).samples().toFloatArray();
            System.setOut(new PrintStream(printed));
            float[] actual;
            try {
                actual = sampler.sample(m, oracle, grid, Noise.seeded(3), Monitor.progress(), 20).samples().toFloatArray();
            } finally {
                System.setOut(console);
            }
            assertArrayEquals(expected, actual);
            assertEquals("", printed.toString());
        }
    }

    /** Bad settings are rejected before any work, naming the parameter. */
    @Test
    void badSettingsAreRejected() {
        GaussianMixtureOracle subVpOracle = new GaussianMixtureOracle(DATA, SUB_VP);
        TimeGrid subVpGrid = TimeGrid.uniform(SUB_VP, 10, EPS);
        NDManager fresh = manager.newSubManager();
        rejects("snr", () -> LangevinCorrector.snr(0, 1));
        rejects("snr", () -> LangevinCorrector.snr(-0.1, 1));
        rejects("steps", () -> LangevinCorrector.snr(0.1, 0));
        rejects("epsilon", () -> LangevinCorrector.annealed(0, 1));
        rejects("predictor", () -> PredictorCorrector.predictorOnly(Predictor.NONE));
        rejects("predictor", () -> PredictorCorrector.predictorOnly(null));
        rejects("N", () -> TimeGrid.uniform(SUB_VP, 0, EPS));
        rejects("strictly decreasing", () -> TimeGrid.uniform(SUB_VP, 10, 1)); // eps = T: no interval
        rejects("end = -0.001", () -> TimeGrid.uniform(SUB_VP, 10, -EPS));
        rejects("sde", () -> PredictorCorrector.predictorOnly(Predictor.ANCESTRAL)
                .sample(fresh, subVpOracle, subVpGrid, Noise.seeded(1), Monitor.quiet(), 10));
        rejects("n", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA)
                .sample(fresh, subVpOracle, subVpGrid, Noise.seeded(1), Monitor.quiet(), 0));
        rejects("model.kernel()", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA)
                .sample(fresh, subVpOracle, TimeGrid.uniform(new SubVpSde(0.1, 20), 10, EPS), Noise.seeded(1), Monitor.quiet(), 10));
        rejects("dt", () -> PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION).sample(fresh,
                new GaussianMixtureOracle(DATA, VP), TimeGrid.uniform(VP, 10, EPS), Noise.seeded(1), Monitor.quiet(), 10)); // beta(t) dt >= 1
        rejects("t", () -> Predictor.EULER_MARUYAMA.step(VE, 1.5, 0.1));
        rejects("dt", () -> Predictor.EULER_MARUYAMA.step(VE, 0.05, 0.1));
        assertEquals(0, fresh.getManagedArrays().size(), "no work before the checks");
        fresh.close();
    }

    /**
     * The predictors need an SDE (f and g): with a predictor, a model of a discrete NoiseSchedule is refused before any
     * work, with a message that says why and what to use instead; corrector only runs on it (it needs only the score).
     */
    @Test
    void aPredictorRefusesADiscreteScheduleModel() {
        NoiseSchedule schedule = NoiseSchedule.linear(100);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, schedule);
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, 10));
        for (PredictorCorrector sampler : List.of(PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA),
                PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(0.16, 1)))) {
            try (NDManager fresh = manager.newSubManager()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> sampler.sample(fresh, oracle, grid, Noise.seeded(1), Monitor.quiet(), 4));
                assertTrue(e.getMessage().contains("needs an SDE kernel") && e.getMessage().contains("GeneralisedReverse"), e.getMessage());
                assertEquals(0, fresh.getManagedArrays().size(), "no work before the check");
            }
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray x = PredictorCorrector.correctorOnly(LangevinCorrector.snr(0.16, 1))
                    .sample(m, oracle, grid, Noise.seeded(1), Monitor.quiet(), 4).samples();
            assertEquals(new Shape(4, 2), x.getShape());
        }
    }

    private static void rejects(String parameter, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertTrue(error.getMessage().contains(parameter), "message '" + error.getMessage() + "' should name " + parameter);
    }

    private static double square(double x) {
        return x * x;
    }

    /** A score model that counts its evaluations (every prediction goes through output). */
    private static final class Counting implements ScoreModel {

        private final ScoreModel model;
        private int calls;

        Counting(ScoreModel model) {
            this.model = model;
        }

        @Override
        public Shape sampleShape() {
            return model.sampleShape();
        }

        @Override
        public PerturbationKernel kernel() {
            return model.kernel();
        }

        @Override
        public Parameterisation parameterisation() {
            return model.parameterisation();
        }

        @Override
        public NDArray output(NDArray x, double t) {
            calls++;
            return model.output(x, t);
        }
    }
}
