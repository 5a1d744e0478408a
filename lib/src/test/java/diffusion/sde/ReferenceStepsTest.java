package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.ReferenceFixture;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Single steps of score_sde_pytorch's own ReverseDiffusionPredictor and LangevinCorrector (snr 0.16, n_steps 1) for
 * VPSDE(0.1, 20, N = 1000) and VESDE(0.01, 50, N = 1000), recorded by tools/reference/generate.py (repository, commit
 * and command in the fixture) with the score stand-in SCORE(x, t) = -(0.5 tanh(x) + 0.1 t) and the reference's own
 * noise draws, replayed through our PredictorCorrector.
 *
 * <p>Their predictor takes discrete_betas[i] = beta(i/(N-1))/N (VP) or discrete_sigmas[i], discrete_sigmas[i-1] (VE)
 * with i = floor(t (N-1)); ours takes beta(t) (t - s) and sigma(t), sigma(s) on our grid step t -&gt; s. The steps are
 * the same when beta(t) (t - s) = beta_i (VP) or sigma(t)^2 - sigma(s)^2 = sigma_i^2 - sigma_{i-1}^2 (VE): at t =
 * i/(N-1) that is s = t - 1/N (VP) and s = (i-1)/(N-1) (VE). Such an s exists at every time but the reference's
 * last one (VE at i = 0, which steps to sigma = 0, below our VE kernel's sigma(0) = sigma_min). Their corrector's alpha
 * is 1 - beta_i (VP), ours (m(t)/m(s))^2 = exp(-(B(t) - B(s))): no grid makes these equal, so for VP the corrector and
 * a whole PC step are asserted to be what we do, with the measured difference.
 *
 * <p>Tolerance: float32 precision of one step relative to its scale (the largest entry of x and of the reference's
 * result, at least 1): the step is about ten float32 roundings (2^-24 = 6e-8) and the corrector's two batch norms are
 * read back as float32; 2e-6 of the scale allows some 30 of them (measured: below 5e-7).
 */
class ReferenceStepsTest extends ManagedTest {

    private static final JsonObject FIXTURE = ReferenceFixture.load("/reference/score_sde.json");
    private static final Shape SHAPE = new Shape(4, 2);
    private static final double TOLERANCE = 2e-6;
    private static final double SNR = FIXTURE.get("snr").getAsDouble();

    /** The fixture's score stand-in on a kernel: score(x, t) = -(0.5 tanh(x) + 0.1 t). */
    private static ScoreModel score(Sde sde) {
        return ScoreModel.of(new Shape(2), sde, Parameterisation.SCORE, (x, t) -> x.tanh().mul(0.5f).add((float) (0.1 * t)).neg());
    }

    private record Case(JsonObject json, Sde sde, String label, double t, int timestep, double[] x, List<double[]> noises) {

        static List<Case> all() {
            VpSde vp = new VpSde(0.1, 20);
            VeSde ve = new VeSde(0.01, 50);
            List<Case> cases = new ArrayList<>();
            for (JsonElement e : FIXTURE.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                assertEquals(1000, c.get("N").getAsInt());
                List<double[]> noises = new ArrayList<>();
                for (JsonElement z : c.getAsJsonArray("noises")) {
                    noises.add(ReferenceFixture.doubles(z.getAsJsonArray()));
                }
                Sde sde = "VP".equals(c.get("sde").getAsString()) ? vp : ve;
                cases.add(new Case(c, sde, c.get("sde").getAsString() + " at t = " + c.get("time").getAsDouble() + " ("
                        + c.get("time_label").getAsString() + ", i = " + c.get("timestep").getAsInt() + ")",
                        c.get("time").getAsDouble(), c.get("timestep").getAsInt(), ReferenceFixture.doubles(c.getAsJsonArray("x")), noises));
            }
            return cases;
        }

        boolean vp() {
            return sde instanceof VpSde;
        }

        double[] reference(String step, String field) {
            return ReferenceFixture.doubles(json.getAsJsonObject(step).getAsJsonArray(field));
        }

        /** The s with beta(t) (t - s) = beta_i (VP) or sigma(s)^2 = sigma(t)^2 - (sigma_i^2 - sigma_{i-1}^2) (VE); NaN if none. */
        double matchedS() {
            if (sde instanceof VpSde v) {
                return t - json.get("discrete_beta").getAsDouble() / v.beta(t);
            }
            VeSde v = (VeSde) sde;
            double sigma = json.get("discrete_sigma").getAsDouble();
            double adjacent = json.get("adjacent_sigma").getAsDouble();
            double target = v.sigma(t) * v.sigma(t) - (sigma * sigma - adjacent * adjacent); // sigma(s)^2
            double s = Math.log(Math.sqrt(target) / v.sigma(0)) / Math.log(v.sigma(1) / v.sigma(0));
            return target > 0 && s >= 0 ? s : Double.NaN;
        }
    }

    /** The reverse-diffusion predictor on the matched grid step equals theirs, at every recorded time where one exists. */
    @Test
    void reverseDiffusionPredictorIsScoreSdesOnTheMatchedGrid() {
        int compared = 0;
        for (Case c : Case.all()) {
            double s = c.matchedS();
            if (Double.isNaN(s)) {
                // The reference's last step (VE, i = 0) adds G = sigma_min and lands at sigma = 0; our VE kernel's
                // times end at sigma(0) = sigma_min, so no step of ours is that one.
                assertTrue(!c.vp() && c.timestep == 0, c.label);
                continue;
            }
            double[] ours = run(PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION), c, s, 1);
            assertClose(c.reference("predictor", "x"), ours, c.x, c.label + ", predictor with s = " + s);
            compared++;
        }
        assertEquals(15, compared);
    }

    /**
     * On the grid of the reference's own times: at t = i/(N-1) the matched s is t - 1/N (VP) or (i-1)/(N-1) (VE), and
     * the steps agree. On get_pc_sampler's grid linspace(1, 1e-3, N) (spacing exactly 1/N) the reference rounds t down
     * to i/(N-1) = floor(t (N-1))/(N-1) before looking up beta_i or sigma_i, while our step from t_k to t_{k+1} uses
     * beta(t_k)/N or sigma(t_k), sigma(t_{k+1}): the steps differ. Ours is asserted to be the reference's step with
     * its coefficients replaced by ours, x'' = (2 - a') x + (G'^2 / G^2)(x_mean - (2 - a) x) + (G' / G)(x' - x_mean) in
     * the reference's x_mean and x', and the difference is printed. Over the whole linspace grid |G'^2/G^2 - 1| (VP:
     * beta(t)/beta(i/(N-1)) - 1) has median 1.0e-3 and maximum 0.166 (t = 0.002, i = 1: beta = 0.1398 against 0.1199);
     * for VE |G'/G - 1| has median 3.8e-3 and maximum 8.0e-3 (again at t = 0.002). The recorded steps move by 9e-7
     * (t = 0.999), 5.0e-4 (t = 0.5) and 8.0e-2 (t = 0.002) of their size for VP, 8.1e-4, 3.9e-3 and 8.0e-3 for VE.
     */
    @Test
    void predictorOnTheReferenceTimes() {
        for (Case c : Case.all()) {
            boolean onLattice = c.json.get("time_label").getAsString().startsWith("i/");
            if (c.timestep == 0) {
                continue; // t = 1e-3, the reference's last step, goes to t = 0 (sigma = 0 for VE)
            }
            double s = onLattice ? (c.vp() ? c.t - 1.0 / 1000 : (c.timestep - 1) / 999.0) : c.t - 1e-3;
            double[] ours = run(PredictorCorrector.predictorOnly(Predictor.REVERSE_DIFFUSION), c, s, 1);
            double[] theirs = c.reference("predictor", "x");
            if (onLattice) {
                assertClose(theirs, ours, c.x, c.label + ", predictor on the lattice i/(N-1)");
                continue;
            }
            double[] mean = c.reference("predictor", "x_mean");
            double g2, a;
            if (c.vp()) {
                g2 = c.json.get("discrete_beta").getAsDouble();
                a = Math.sqrt(1 - g2);
            } else {
                double sigma = c.json.get("discrete_sigma").getAsDouble();
                double adjacent = c.json.get("adjacent_sigma").getAsDouble();
                g2 = sigma * sigma - adjacent * adjacent;
                a = 1;
            }
            Sde.Transition chain = c.sde.discretize(c.t, c.t - s);
            double[] expected = new double[ours.length];
            for (int i = 0; i < ours.length; i++) {
                double scoreTerm = (mean[i] - (2 - a) * c.x[i]) / g2; // the reference's score at (x, t)
                expected[i] = (2 - chain.a()) * c.x[i] + chain.G() * chain.G() * scoreTerm + chain.G() / Math.sqrt(g2) * (theirs[i] - mean[i]);
            }
            assertClose(expected, ours, c.x, c.label + ", predictor on the linspace grid: theirs with our G^2 = " + chain.G() * chain.G()
                    + " for their " + g2);
            System.out.printf("score_sde predictor on linspace grid, %-50s: G'^2/G^2 - 1 = %+.2e, |ours - theirs| = %.2e of the step%n",
                    c.label, chain.G() * chain.G() / g2 - 1, relativeToStep(ours, theirs, c.x));
        }
    }

    /**
     * The Langevin corrector. With their alpha (1 - beta_i for VP, 1 for VE) our LangevinCorrector.step is theirs to
     * float32 precision. Through our sampler the alpha is (m(t)/m(s))^2: for VE (1) the step is theirs; for VP it is
     * theirs with the step size h scaled by r = alpha_ours / alpha_theirs, i.e. x + r (x_mean - x) + sqrt(r) (x' -
     * x_mean) in the reference's x_mean and x', which is asserted. On the matched grid r - 1 is at most 2.13e-4 (t = 1,
     * beta_i = 0.02: exp(-beta_i + ...) against 1 - beta_i, a second-order difference of about beta_i^2 / 2; the same
     * 2.13e-4 bounds it over every lattice time i/(N-1) with s = t - 1/N), and it moves the state by at most 1.2e-4 of
     * the corrector's step in the recorded cases (r - 1 = 1e-5 near t = 0).
     */
    @Test
    void langevinCorrectorIsScoreSdesWithOurAlpha() {
        LangevinCorrector corrector = LangevinCorrector.snr(SNR, 1);
        double worstR = 0;
        for (Case c : Case.all()) {
            double[] theirs = c.reference("corrector", "x");
            double[] mean = c.reference("corrector", "x_mean");
            double s = Double.isNaN(c.matchedS()) ? c.t / 2 : c.matchedS();
            TimeGrid grid = TimeGrid.of(c.sde, c.t, s);
            double alphaTheirs = c.vp() ? c.json.get("alpha").getAsDouble() : 1;
            try (NDManager m = manager.newSubManager()) {
                NDArray x = m.create(ReferenceFixture.floats(c.x), SHAPE);
                NDArray z = m.create(ReferenceFixture.floats(c.noises.get(0)), SHAPE);
                double[] step = toDoubles(corrector.step(x, score(c.sde).score(x, c.t), z, alphaTheirs, c.t, grid).toFloatArray());
                assertClose(theirs, step, c.x, c.label + ", corrector with their alpha");
            }
            double[] ours = run(PredictorCorrector.correctorOnly(corrector), c, s, 1);
            double alphaOurs = Math.pow(c.sde.meanScale(c.t) / c.sde.meanScale(s), 2);
            double r = alphaOurs / alphaTheirs;
            if (!c.vp()) {
                assertEquals(1, alphaOurs);
                assertClose(theirs, ours, c.x, c.label + ", corrector in our sampler");
                continue;
            }
            double[] expected = new double[theirs.length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = c.x[i] + r * (mean[i] - c.x[i]) + Math.sqrt(r) * (theirs[i] - mean[i]);
            }
            assertClose(expected, ours, c.x, c.label + ", corrector in our sampler: theirs with h scaled by r = " + r);
            double difference = relativeToStep(ours, theirs, c.x);
            worstR = Math.max(worstR, Math.abs(r - 1));
            System.out.printf("score_sde corrector, %-50s: alpha ours/theirs - 1 = %+.2e, |ours - theirs| = %.2e of the step%n",
                    c.label, r - 1, difference);
            assertTrue(difference < 1.5e-4, c.label + ": " + difference);
        }
        assertTrue(worstR > 1e-4 && worstR < 2.2e-4, "largest |alpha_ours / alpha_theirs - 1| = " + worstR);
    }

    /**
     * One step of get_pc_sampler's loop (corrector at t, then predictor at t, drawing the corrector's noise first, as
     * ours does) against our PredictorCorrector on the matched grid: VE equal to float32 precision; VP differs by the
     * corrector's alpha only (measured: at most 1.1e-4 of the step, at t = 1).
     */
    @Test
    void predictorCorrectorStepIsScoreSdesLoopBody() {
        PredictorCorrector pc = PredictorCorrector.of(Predictor.REVERSE_DIFFUSION, LangevinCorrector.snr(SNR, 1));
        for (Case c : Case.all()) {
            double s = c.matchedS();
            if (Double.isNaN(s)) {
                continue;
            }
            double[] ours = run(pc, c, s, 2);
            double[] theirs = c.reference("pc_step", "x");
            if (!c.vp()) {
                assertClose(theirs, ours, c.x, c.label + ", PC step");
                continue;
            }
            double difference = relativeToStep(ours, theirs, c.x);
            System.out.printf("score_sde PC step, %-50s: |ours - theirs| = %.2e of the step%n", c.label, difference);
            assertTrue(difference < 1.2e-4, c.label + ": " + difference);
        }
    }

    /** One grid step t -&gt; s of sampler from the case's x with the case's first draws; asserts the number of draws. */
    private static double[] run(Sampler sampler, Case c, double s, int draws) {
        try (NDManager m = manager.newSubManager()) {
            List<NDArray> noises = new ArrayList<>();
            for (int j = 0; j < draws; j++) {
                noises.add(m.create(ReferenceFixture.floats(c.noises.get(j)), SHAPE));
            }
            Noise replay = Noise.replay(noises);
            NDArray x = m.create(ReferenceFixture.floats(c.x), SHAPE);
            double[] out = toDoubles(sampler.run(m, score(c.sde), TimeGrid.of(c.sde, c.t, s), replay, Monitor.quiet(), x)
                    .samples().toFloatArray());
            try (NDManager probe = m.newSubManager()) { // every given draw was asked for, and no more
                assertThrowsOnMore(replay, probe, c.label);
            }
            return out;
        }
    }

    private static void assertThrowsOnMore(Noise replay, NDManager m, String label) {
        try {
            replay.normal(m, SHAPE);
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError(label + ": the sampler asked for fewer draws than the reference made");
    }

    private static void assertClose(double[] expected, double[] actual, double[] x, String label) {
        double scale = 1;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.max(Math.abs(expected[i]), Math.abs(x[i])));
        }
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs(actual[i] - expected[i]) / scale;
            assertTrue(error <= TOLERANCE, label + ", entry " + i + ": ours " + actual[i] + ", reference " + expected[i]
                    + ", error " + error + " of scale " + scale);
        }
    }

    /** max_i |ours_i - theirs_i| / max_i |theirs_i - x_i|: the difference as a fraction of the reference's step. */
    private static double relativeToStep(double[] ours, double[] theirs, double[] x) {
        double difference = 0;
        double step = 0;
        for (int i = 0; i < ours.length; i++) {
            difference = Math.max(difference, Math.abs(ours[i] - theirs[i]));
            step = Math.max(step, Math.abs(theirs[i] - x[i]));
        }
        return difference / step;
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

}
