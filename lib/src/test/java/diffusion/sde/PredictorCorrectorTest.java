package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.MmdBaseline;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.ScoreModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reverse-SDE samplers: their step formulas, the NFE count, sampling a mixture with the exact score, bad input. */
class PredictorCorrectorTest extends ManagedTest {

    private static final VeSde VE = new VeSde(0.01, 10);
    private static final VpSde VP = new VpSde(0.1, 20);
    private static final SubVpSde SUB_VP = new SubVpSde(0.1, 20);
    private static final GaussianMixture DATA = Toy2D.eightGaussians();

    /**
     * With the exact score every sampler family reproduces the eight Gaussians: MMD^2 between 2000 samples (denoised
     * at eps = 1e-3) and fresh data lies below the data-versus-data baseline at that size (mean + 4 sd over 10 pairs)
     * for predictor only (Euler-Maruyama under VP, reverse diffusion under sub-VP, N = 100), predictor-corrector
     * (reverse diffusion + Langevin r = 0.16 under VE, N = 100) and corrector only (annealed Langevin, M = 2, N = 200,
     * VE). Power: five Euler-Maruyama steps under VE, and one Langevin step per level without a predictor, are rejected.
     */
    @Test
    void everySamplerReproducesTheMixtureWithTheExactScore() {
        int n = 2000;
        double threshold = MmdBaseline.of(manager, DATA, n, 10, 100).threshold(4);
        LangevinCorrector langevin = new LangevinCorrector(0.16, 1);
        assertTrue(mmd(VP, PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 100, 1e-3, true), n) <= threshold);
        assertTrue(mmd(SUB_VP, PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION, 100, 1e-3, true), n) <= threshold);
        assertTrue(mmd(VE, PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, langevin, 100, 1e-3, true), n) <= threshold);
        assertTrue(mmd(VE, PredictorCorrector.correctorOnly(new LangevinCorrector(0.16, 2), 200, 1e-3, true), n) <= threshold);
        assertTrue(mmd(VE, PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 5, 1e-3, true), n) > threshold);
        assertTrue(mmd(VE, PredictorCorrector.correctorOnly(langevin, 100, 1e-3, true), n) > threshold);
    }

    /** MMD^2 between n samples of sampler with the oracle of DATA under sde (seed 7) and n fresh data points. */
    private static double mmd(Sde sde, PredictorCorrector sampler, int n) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = sampler.sample(m, new ReverseSde(sde, new GaussianMixtureOracle(DATA, sde)), n, 7).samples();
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

    /** The signal-to-noise rule: epsilon = 2 alpha (r mean ||z|| / mean ||s||)^2, and the step is x + eps s + sqrt(2 eps) z. */
    @Test
    void theLangevinStepFollowsTheSignalToNoiseRule() {
        NDArray score = manager.create(new float[] {3, 4, 0, 2}, new Shape(2, 2)); // norms 5 and 2: mean 3.5
        NDArray z = manager.create(new float[] {1, 0, 0, -2}, new Shape(2, 2)); // norms 1 and 2: mean 1.5
        NDArray x = manager.create(new float[] {1, 1, 1, 1}, new Shape(2, 2));
        LangevinCorrector corrector = new LangevinCorrector(0.2, 1);
        double epsilon = 2 * 0.9 * Math.pow(0.2 * 1.5 / 3.5, 2);
        assertEquals(epsilon, corrector.stepSize(score, z, 0.9), 1e-7);
        float[] next = corrector.step(x, score, z, 0.9).toFloatArray();
        assertEquals(1 + epsilon * 3 + Math.sqrt(2 * epsilon), next[0], 1e-6);
        assertEquals(1 + epsilon * 2 - 2 * Math.sqrt(2 * epsilon), next[3], 1e-6);
    }

    /**
     * The NFE returned with the samples is the number of score evaluations the sampler made (counted by a wrapper):
     * N per predictor, N M per corrector, 1 for the denoising step; and x lives in the caller's manager alone.
     */
    @Test
    void theScoreEvaluationsAreCounted() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, VE);
        for (PredictorCorrector sampler : List.of(
                PredictorCorrector.predictorOnly(Predictor.ANCESTRAL, 7, 1e-3, false),
                PredictorCorrector.of(Predictor.EULER_MARUYAMA, new LangevinCorrector(0.1, 3), 7, 1e-3, true),
                PredictorCorrector.correctorOnly(new LangevinCorrector(0.1, 2), 7, 1e-3, true))) {
            Counting counting = new Counting(oracle);
            try (NDManager m = manager.newSubManager()) {
                SdeSampler.Result result = sampler.sample(m, new ReverseSde(VE, counting), 10, 1);
                assertEquals(counting.calls, result.scoreEvaluations(), sampler.name());
                assertEquals(sampler.scoreEvaluations(), result.scoreEvaluations(), sampler.name());
                assertEquals(1, m.getManagedArrays().size(), sampler.name() + ": arrays left in the caller's manager");
            }
        }
        assertEquals(7 + 21 + 1, PredictorCorrector.of(Predictor.EULER_MARUYAMA, new LangevinCorrector(0.1, 3), 7, 1e-3, true).scoreEvaluations());
    }

    /** The same seed draws the same samples, and a run shorter than two seconds prints no progress line. */
    @Test
    void aShortRunIsSilentAndTheSameSeedDrawsTheSameSamples() {
        PredictorCorrector sampler = PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, new LangevinCorrector(0.16, 1), 5, 1e-3, true);
        ReverseSde reverse = new ReverseSde(VE, new GaussianMixtureOracle(DATA, VE));
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (NDManager m = manager.newSubManager()) {
            float[] expected = sampler.sample(m, reverse, 20, 3).samples().toFloatArray();
            System.setOut(new PrintStream(printed));
            float[] actual;
            try {
                actual = sampler.sample(m, reverse, 20, 3).samples().toFloatArray();
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
        NDManager fresh = manager.newSubManager();
        rejects("snr", () -> new LangevinCorrector(0, 1));
        rejects("snr", () -> new LangevinCorrector(-0.1, 1));
        rejects("steps", () -> new LangevinCorrector(0.1, 0));
        rejects("steps", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 0, 1e-3, false));
        rejects("eps", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 10, 0, false));
        rejects("eps", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 10, -1e-3, false));
        rejects("predictor", () -> new PredictorCorrector(Predictor.NONE, Optional.empty(), 10, 1e-3, false));
        rejects("eps", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 10, 1, false)
                .sample(fresh, new ReverseSde(SUB_VP, subVpOracle), 10, 1));
        rejects("sde", () -> PredictorCorrector.predictorOnly(Predictor.ANCESTRAL, 10, 1e-3, false)
                .sample(fresh, new ReverseSde(SUB_VP, subVpOracle), 10, 1));
        rejects("n", () -> PredictorCorrector.predictorOnly(Predictor.EULER_MARUYAMA, 10, 1e-3, false)
                .sample(fresh, new ReverseSde(SUB_VP, subVpOracle), 0, 1));
        rejects("dt", () -> PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION, 10, 1e-3, false)
                .sample(fresh, new ReverseSde(VP, new GaussianMixtureOracle(DATA, VP)), 10, 1)); // beta(t) dt >= 1
        rejects("t", () -> Predictor.EULER_MARUYAMA.step(VE, 1.5, 0.1));
        rejects("dt", () -> Predictor.EULER_MARUYAMA.step(VE, 0.05, 0.1));
        assertEquals(0, fresh.getManagedArrays().size(), "no work before the checks");
        fresh.close();
    }

    private static void rejects(String parameter, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertTrue(error.getMessage().contains(parameter), "message '" + error.getMessage() + "' should name " + parameter);
    }

    /** A score model that counts its evaluations (score, epsilon and denoise each count one). */
    private static final class Counting implements ScoreModel {

        private final ScoreModel model;
        private int calls;

        Counting(ScoreModel model) {
            this.model = model;
        }

        @Override
        public int dim() {
            return model.dim();
        }

        @Override
        public PerturbationKernel kernel() {
            return model.kernel();
        }

        @Override
        public NDArray epsilon(NDArray x, double t) {
            calls++;
            return model.epsilon(x, t);
        }

        @Override
        public NDArray score(NDArray x, double t) {
            calls++;
            return model.score(x, t);
        }
    }
}
