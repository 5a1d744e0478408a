package diffusion.sde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.ManagedTest;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.analytic.GaussianFlowMap;
import diffusion.data.GaussianMixture;
import diffusion.data.Toy2D;
import diffusion.ode.DormandPrince;
import diffusion.ode.Euler;
import diffusion.ode.Heun;
import diffusion.ode.OdeSolver;
import diffusion.ode.VectorField;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.Sampler;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probability-flow sampler with the oracle's exact score: its marginals are the SDE's (eight Gaussians under VP, in
 * float64), its encoding inverts its decoding, Euler in sigma is DDIM with eta = 0, and on Gaussian data, whose flow
 * map is known in closed form, the solvers' errors and orders on uniform and Karras grids, in t and in sigma.
 */
class ProbabilityFlowTest extends ManagedTest {

    private static final VpSde SDE = new VpSde(0.1, 20);
    private static final GaussianMixture DATA = Toy2D.eightGaussians();
    private static final GaussianMixtureOracle ORACLE = new GaussianMixtureOracle(DATA, SDE);
    private static final double EPS = 1e-3;
    private static final double[] TIMES = {0.6, 0.3, 0.1, EPS};
    private static final int N = 4000;

    /** Gaussian data N(MU_j, V_j) per coordinate, whose probability-flow map is known in closed form. */
    private static final double[] MU = {1.5, -0.5};
    private static final double[] V = {0.25, 2.0};
    private static final GaussianMixture GAUSSIAN = GaussianMixture.gaussian(MU, V);

    /**
     * Moments of x(t) at TIMES for x(T) ~ p_T, transported from T down through TIMES one solve per interval (the
     * probability flow as a sampler when flow is null, else the given field); returns
     * [time][mean_0, mean_1, var_0, var_1, se(mean_0), se(mean_1), se(var_0), se(var_1)] with standard errors
     * sd / sqrt(N) for the means and sqrt((m4 - var^2) / N) (empirical fourth central moment) for the variances.
     */
    private double[][] momentsAlong(VectorField field) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ORACLE.marginal(SDE.T()).sample(scope, N, 3).toType(DataType.FLOAT64, false);
            OdeSolver solver = new DormandPrince(1e-6, 1e-6, 10_000);
            ProbabilityFlow flow = new ProbabilityFlow(solver, ProbabilityFlow.Time.T);
            double[][] moments = new double[TIMES.length][];
            double t = SDE.T();
            for (int i = 0; i < TIMES.length; i++) {
                x = field == null
                        ? flow.run(scope, ORACLE, TimeGrid.of(SDE, t, TIMES[i]), Noise.seeded(0), Monitor.quiet(), x).samples()
                        : solver.solve(scope, field, x, new double[] {t, TIMES[i]}).state();
                t = TIMES[i];
                NDArray mean = x.mean(new int[] {0});
                NDArray centred = x.sub(mean);
                NDArray variance = centred.square().mean(new int[] {0});
                NDArray fourth = centred.pow(4).mean(new int[] {0});
                double[] m = mean.toDoubleArray();
                double[] v = variance.toDoubleArray();
                double[] m4 = fourth.toDoubleArray();
                moments[i] = new double[] {m[0], m[1], v[0], v[1], Math.sqrt(v[0] / N), Math.sqrt(v[1] / N),
                    Math.sqrt((m4[0] - v[0] * v[0]) / N), Math.sqrt((m4[1] - v[1] * v[1]) / N)};
            }
            return moments;
        }
    }

    /** Largest |moment - exact| / standard error over TIMES, means and variances. */
    private static double worstZ(double[][] moments) {
        double worst = 0;
        for (int i = 0; i < TIMES.length; i++) {
            GaussianMixture marginal = ORACLE.marginal(TIMES[i]);
            double[] exact = {marginal.mean()[0], marginal.mean()[1], marginal.variance()[0], marginal.variance()[1]};
            for (int j = 0; j < 4; j++) {
                worst = Math.max(worst, Math.abs(moments[i][j] - exact[j]) / moments[i][4 + j]);
            }
        }
        return worst;
    }

    /**
     * The lecture's claim: the probability-flow ODE has the same marginals as the SDE. Starting from x(T) ~ p_T, the
     * flow's x(t) (ProbabilityFlow in t, RK45 at 1e-6) has the oracle marginal's mean and variance at t = 0.6, 0.3, 0.1,
     * 1e-3 within 4 standard errors (N = 4000; 16 comparisons, so a false alarm has probability ~ 1e-3). The negative
     * control: dropping the factor 1/2 (transporting by the reverse-SDE drift f - g^2 s without its noise) misses the
     * variances by far more.
     */
    @Test
    void probabilityFlowHasTheMarginalsOfTheSde() {
        double z = worstZ(momentsAlong(null));
        assertTrue(z < 4, "worst |moment - exact| / se = " + z);
        double control = worstZ(momentsAlong(new ReverseSde(SDE, ORACLE)::drift));
        assertTrue(control > 10, "the noiseless reverse drift should miss the marginals; worst z = " + control);
    }

    /**
     * Encoding then decoding reconstructs the data, in t and in sigma: each solve at rtol = atol = 1e-8 over ~ 100 steps
     * commits at most ~ 100 x 1e-8 = 1e-6 (entries of size ~ 2), so the round trip is within 2e-6.
     */
    @Test
    void encodingThenDecodingReconstructsTheData() {
        NDArray x = DATA.sample(manager, 200, 17).toType(DataType.FLOAT64, false);
        TimeGrid grid = TimeGrid.uniform(SDE, 1, EPS);
        for (ProbabilityFlow.Time time : ProbabilityFlow.Time.values()) {
            ProbabilityFlow flow = new ProbabilityFlow(new DormandPrince(1e-8, 1e-8, 10_000), time);
            NDArray latent = flow.encode(manager, ORACLE, grid, x, Monitor.quiet()).state();
            NDArray back = flow.run(manager, ORACLE, grid, Noise.seeded(0), Monitor.quiet(), latent).samples();
            double error = back.sub(x).abs().max().getDouble();
            assertTrue(error < 2e-6, time + ": max reconstruction error " + error);
            assertTrue(latent.sub(x).abs().max().getDouble() > 0.5, time + ": the latents must differ from the data");
        }
    }

    /** thenDenoise adds Tweedie's formula at the grid's end, applied to x(eps): one more evaluation. */
    @Test
    void denoisingAddsTweediesStep() {
        TimeGrid grid = TimeGrid.uniform(SDE, 20, EPS);
        ProbabilityFlow flow = new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.T);
        NDArray latent = Noise.seeded(4).normal(manager, new Shape(50, 2)).toType(DataType.FLOAT64, false);
        Sampler.Result plain = flow.run(manager, ORACLE, grid, Noise.seeded(0), Monitor.quiet(), latent);
        Sampler.Result denoised = flow.thenDenoise().run(manager, ORACLE, grid, Noise.seeded(0), Monitor.quiet(), latent);
        assertEquals(2 * 20, plain.nfe());
        assertEquals(plain.nfe() + 1, denoised.nfe());
        double difference = denoised.samples().sub(ORACLE.denoise(plain.samples(), EPS)).abs().max().getDouble();
        assertEquals(0, difference, 1e-12);
    }

    /**
     * sample draws x(t_0) = priorStd(t_0) z from the noise and runs from it; run and sample leave exactly their result
     * in the caller's manager (and nothing beside the caller's start), in t and in sigma.
     */
    @Test
    void sampleDrawsThePriorAndLeavesOnlyItsResult() {
        TimeGrid grid = TimeGrid.uniform(SDE, 10, EPS);
        for (ProbabilityFlow.Time time : ProbabilityFlow.Time.values()) {
            ProbabilityFlow flow = new ProbabilityFlow(new Heun(), time);
            NDArray start = Noise.seeded(5).normal(manager, new Shape(30, 2)).mul(SDE.priorStd(grid.start()));
            try (NDManager sampling = manager.newSubManager(); NDManager running = manager.newSubManager()) {
                Sampler.Result sampled = flow.sample(sampling, ORACLE, grid, Noise.seeded(5), Monitor.quiet(), 30);
                assertEquals(1, sampling.getManagedArrays().size(), time + ": sample");
                assertEquals(2 * 10, sampled.nfe());
                NDArray own = start.duplicate(); // the caller's start, in the caller's manager
                own.attach(running);
                NDArray run = flow.run(running, ORACLE, grid, Noise.seeded(5), Monitor.quiet(), own).samples();
                assertEquals(2, running.getManagedArrays().size(), time + ": run leaves its result beside the caller's start");
                assertEquals(0, run.sub(sampled.samples()).abs().max().getFloat(), 0, time + ": sample = run from the prior draw");
            }
        }
    }

    /**
     * Euler in sigma is DDIM (eta = 0) on the same grid: y = x / m, dy/dsigma = eps gives
     * x_s = m_s (x_t / m_t + (sigma_s - sigma_t) eps) = m_s x0_hat + s_s eps. From the same prior draws (float32, 500
     * points of the eight Gaussians' oracle) the two agree to float32 precision on a discrete schedule (20 uniform
     * timesteps of the linear 1000-step schedule, down to t = 0), on VP and on VE (sigma_max = 50), 20 uniform steps to
     * 1e-3: the two compute the same update in different orders, each step a few roundings of 2^-24 = 6e-8 relative to
     * states of size up to max |x| (y up to 150 max |x| / 150 under VP), accumulated over 20 steps: bounded by
     * 5e-6 (1 + max |x|) (measured 1.3e-6 to 1.6e-6 at max |x| ~ 2).
     */
    @Test
    void eulerInSigmaIsDdim() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        List<TimeGrid> grids = List.of(TimeGrid.of(Timesteps.uniform(schedule, 20)), TimeGrid.uniform(SDE, 20, EPS),
                TimeGrid.uniform(new VeSde(0.01, 50), 20, EPS));
        for (TimeGrid grid : grids) {
            GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, grid.kernel());
            try (NDManager m = manager.newSubManager()) {
                Sampler.Result euler = new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA)
                        .sample(m, oracle, grid, Noise.seeded(1), Monitor.quiet(), 500);
                Sampler.Result ddim = GeneralisedReverse.ddim(0).sample(m, oracle, grid, Noise.seeded(1), Monitor.quiet(), 500);
                double difference = euler.samples().sub(ddim.samples()).abs().max().getFloat();
                double tolerance = 5e-6 * (1 + ddim.samples().abs().max().getFloat());
                assertTrue(difference <= tolerance, grid.kernel() + ": max |Euler in sigma - DDIM| = " + difference + " > " + tolerance);
                assertEquals(ddim.nfe(), euler.nfe(), grid.kernel() + ": NFE");
            }
        }
    }

    /** max |x(t_N) - exact| over 200 float64 prior draws (seed 2) for the flow on grid with the Gaussian oracle. */
    private double flowError(ProbabilityFlow flow, TimeGrid grid) {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, grid.kernel());
        try (NDManager m = manager.newSubManager()) {
            NDArray start = Noise.seeded(2).normal(m, new Shape(200, 2)).toType(DataType.FLOAT64, false)
                    .mul(grid.kernel().priorStd(grid.start()));
            NDArray x = flow.run(m, oracle, grid, Noise.seeded(0), Monitor.quiet(), start).samples();
            return x.sub(new GaussianFlowMap(GAUSSIAN, grid.kernel()).map(start, grid.start(), grid.end())).abs().max().getDouble();
        }
    }

    /**
     * VE in sigma-time versus t-time (Karras et al.'s argument): on Gaussian data with the exact oracle, VeSde(0.01, 50)
     * and the same grid uniform in t from 1 to 0 (geometric in sigma), Euler in sigma has a far smaller error against
     * the exact flow map than Euler in t. For sigma^2 &gt;&gt; v the trajectories are straight lines in sigma, which Euler
     * in sigma follows exactly, while Euler in t, dx/dt = ln(sigma_max / sigma_min) sigma^2 (x - mu) / (v + sigma^2),
     * contracts x - mu by 1 - ln(5000) dt per step instead of exp(-ln(5000) dt). Both are first order, so the ratio of
     * errors tends to a constant: measured 21, 5.1, 6.9, 7.6 and 7.9 at N = 5, 10, 20, 40, 80; asserted: at least 4 at
     * each of those N (the errors themselves are 0.1 to 28 at states of size up to 150, far above float64 rounding).
     */
    @Test
    void eulerInSigmaBeatsEulerInTForVe() {
        VeSde ve = new VeSde(0.01, 50);
        for (int steps : new int[] {5, 10, 20, 40, 80}) {
            TimeGrid grid = TimeGrid.uniform(ve, steps, 0);
            double inT = flowError(new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.T), grid);
            double inSigma = flowError(new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA), grid);
            assertTrue(inT > 4 * inSigma, "N = " + steps + ": error in t " + inT + ", in sigma " + inSigma + ", ratio " + inT / inSigma);
        }
    }

    /**
     * Solver orders on a non-uniform grid: on Karras et al.'s rho = 7 grid from sigma = 40 down to 0.02 (VP and VE), with
     * the exact flow map of Gaussian data (analytic/GaussianFlowMap) as the reference, doubling N (which halves every step of the rho-grid: the 2N
     * grid contains the N grid) cuts Euler's error by about 2 and Heun's by about 4, in t and in sigma. Observed order
     * log2(e(128) / e(256)): within 0.05 of 1 (Euler) and 2 (Heun) (measured 0.985 to 1.013 and 1.995 to 2.017; rounding
     * in float64 is many orders below the smallest error, 8e-5).
     */
    @Test
    void eulerAndHeunHaveOrdersOneAndTwoOnAKarrasGrid() {
        for (PerturbationKernel kernel : List.of(SDE, new VeSde(0.01, 50))) {
            for (ProbabilityFlow.Time time : ProbabilityFlow.Time.values()) {
                for (OdeSolver solver : List.of(new Euler(), new Heun())) {
                    ProbabilityFlow flow = new ProbabilityFlow(solver, time);
                    double coarse = flowError(flow, TimeGrid.karras(kernel, 128, 0.02, 40, 7));
                    double fine = flowError(flow, TimeGrid.karras(kernel, 256, 0.02, 40, 7));
                    double order = Math.log(coarse / fine) / Math.log(2);
                    double expected = solver instanceof Euler ? 1 : 2;
                    assertEquals(expected, order, 0.05, kernel + ", " + flow.name() + ": errors " + coarse + ", " + fine);
                }
            }
        }
    }

    /**
     * A Karras grid must lie within the kernel's range of sigma at both ends: VE's sigma starts at sigma_min = 0.01, so
     * sigmaMin = 0.002 is refused with a message naming sigma(0) (rather than collapsing several points onto t = 0).
     */
    @Test
    void aKarrasGridBelowTheKernelsRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimeGrid.karras(new VeSde(0.01, 50), 16, 0.002, 40, 7));
        assertTrue(e.getMessage().contains("sigmaMin = 0.002") && e.getMessage().contains("sigma(0) = 0.01"), e.getMessage());
        assertEquals(0.01, new VeSde(0.01, 50).sigma(TimeGrid.karras(new VeSde(0.01, 50), 16, 0.01, 40, 7).end()), 1e-12);
    }

    /**
     * The flow in sigma runs on a discrete schedule's model: Heun in sigma on 20 uniform timesteps of the linear
     * schedule, down to t = 0, takes 2 evaluations per step but 1 on the last (an Euler step into sigma = 0, where the
     * field is undefined): NFE 39; and on Gaussian data it lands closer to the exact flow map than Euler in sigma (= DDIM)
     * by at least a factor 3 (measured 0.046 against 0.32).
     */
    @Test
    void heunInSigmaRunsOnADiscreteSchedule() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        TimeGrid grid = TimeGrid.of(Timesteps.uniform(schedule, 20));
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GAUSSIAN, schedule);
        ProbabilityFlow heun = new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA);
        try (NDManager m = manager.newSubManager()) {
            Sampler.Result result = heun.sample(m, oracle, grid, Noise.seeded(3), Monitor.quiet(), 100);
            assertEquals(2 * 19 + 1, result.nfe());
            assertTrue(Arguments.allFinite(result.samples()));
        }
        double heunError = flowError(heun, grid);
        double eulerError = flowError(new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA), grid);
        assertTrue(3 * heunError < eulerError, "Heun " + heunError + ", Euler " + eulerError);
    }

    /**
     * What the flow cannot do is refused before any work, with a message that says why: the flow in t on a discrete
     * schedule (it needs f and g), an adaptive solver in sigma on a discrete kernel (it evaluates between the integer
     * times), encoding from a grid that ends at the data (s = 0), an adaptive solver in t down to s = 0 (it evaluates the
     * score there), data of the wrong shape, a grid of another kernel.
     */
    @Test
    void whatTheFlowCannotDoIsRefused() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        TimeGrid discrete = TimeGrid.of(Timesteps.uniform(schedule, 20));
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(DATA, schedule);
        try (NDManager fresh = manager.newSubManager()) {
            NDArray start = fresh.zeros(new Shape(4, 2));
            refuses("needs an SDE kernel", () -> new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.T)
                    .run(fresh, oracle, discrete, Noise.seeded(0), Monitor.quiet(), start));
            refuses("evaluates between grid times", () -> new ProbabilityFlow(DormandPrince.withTolerance(1e-5), ProbabilityFlow.Time.SIGMA)
                    .run(fresh, oracle, discrete, Noise.seeded(0), Monitor.quiet(), start));
            refuses("s(t) = 0", () -> new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.SIGMA)
                    .encode(fresh, oracle, discrete, start, Monitor.quiet()));
            refuses("data", () -> new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.T)
                    .encode(fresh, ORACLE, TimeGrid.uniform(SDE, 5, EPS), fresh.zeros(new Shape(4, 3)), Monitor.quiet()));
            refuses("model.kernel()", () -> new ProbabilityFlow(new Euler(), ProbabilityFlow.Time.T)
                    .run(fresh, ORACLE, TimeGrid.uniform(new VpSde(0.1, 20), 5, EPS), Noise.seeded(0), Monitor.quiet(), start));
            refuses("score is undefined", () -> new ProbabilityFlow(DormandPrince.withTolerance(1e-5), ProbabilityFlow.Time.T)
                    .run(fresh, ORACLE, TimeGrid.uniform(SDE, SDE.T(), 0, 1), Noise.seeded(0), Monitor.quiet(), start));
            refuses("solver", () -> new ProbabilityFlow(null, ProbabilityFlow.Time.T));
            assertEquals(2, fresh.getManagedArrays().size(), "only the start and the wrong-shaped data: no work before the checks");
        }
    }

    private static void refuses(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should say " + fragment);
    }

    /**
     * The monitor is told start once (the sampler's name, N steps), then step k = 1..N with the grid's own times
     * t_1 &gt; ... &gt; t_N (the kernel's time, also when the solver steps in sigma), then end once.
     */
    @Test
    void theMonitorSeesStartEveryStepAndEnd() {
        NoiseSchedule schedule = NoiseSchedule.linear(1000);
        List<TimeGrid> grids = List.of(TimeGrid.uniform(SDE, 6, EPS), TimeGrid.of(Timesteps.uniform(schedule, 6)));
        for (TimeGrid grid : grids) {
            for (ProbabilityFlow.Time time : ProbabilityFlow.Time.values()) {
                if (time == ProbabilityFlow.Time.T && grid.kernel().discrete()) {
                    continue;
                }
                ProbabilityFlow flow = new ProbabilityFlow(new Heun(), time);
                PredictorCorrectorTest.Recording recording = new PredictorCorrectorTest.Recording();
                try (NDManager m = manager.newSubManager()) {
                    flow.sample(m, new GaussianMixtureOracle(DATA, grid.kernel()), grid, Noise.seeded(2), recording, 5);
                }
                recording.assertSaw(flow.name(), grid);
            }
        }
    }

    /**
     * In sigma the monitor sees the state x, not the solver's y = x / m: the observed state after the last step is the
     * returned sample (VP, where m(t_N) differs from 1 only by 1e-4, and the first observed state has the size of the
     * prior's, not 1 / m(t_1) ~ 100 times it).
     */
    @Test
    void theMonitorSeesTheStateInSigmaToo() {
        TimeGrid grid = TimeGrid.uniform(SDE, 8, EPS);
        float[][] seen = new float[2][];
        Monitor observer = Monitor.observer((x, t) -> {
            if (t == grid.time(1)) {
                seen[0] = x.toFloatArray();
            }
            if (t == grid.end()) {
                seen[1] = x.toFloatArray();
            }
        });
        try (NDManager m = manager.newSubManager()) {
            NDArray x = new ProbabilityFlow(new Heun(), ProbabilityFlow.Time.SIGMA)
                    .sample(m, ORACLE, grid, Noise.seeded(6), observer, 200).samples();
            float[] last = x.toFloatArray();
            for (int i = 0; i < last.length; i++) {
                assertEquals(last[i], seen[1][i], 1e-6 * (1 + Math.abs(last[i])));
            }
            double largest = 0;
            for (float v : seen[0]) {
                largest = Math.max(largest, Math.abs(v));
            }
            assertTrue(largest < 6, "the first observed state has entries up to " + largest + ": y = x / m, not x?");
        }
    }
}
