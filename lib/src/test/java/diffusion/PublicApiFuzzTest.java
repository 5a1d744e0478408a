package diffusion;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.metrics.EnergyDistance;
import diffusion.metrics.Histogram2D;
import diffusion.metrics.Mmd;
import diffusion.metrics.ModeWeights;
import diffusion.metrics.PrecisionRecall;
import diffusion.metrics.SlicedWasserstein;
import diffusion.ode.DormandPrince;
import diffusion.ode.Euler;
import diffusion.process.ForwardProcess;
import diffusion.process.NonMarkovianPosterior;
import diffusion.process.Posterior;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.OrnsteinUhlenbeck;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import diffusion.train.TrainingConfig;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleFunction;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The public API's numeric parameters, each given hostile values (NaN, infinities, negatives, zero, the smallest
 * subnormal, 1e-300, a fraction, 1e300, the largest double; for ints the extremes, -1, 0 and 2^30; for arrays NaN,
 * infinite and far-away float32 entries; null for objects) with every other argument valid: each call either works,
 * with a finite result, or throws IllegalArgumentException naming the parameter and the value the caller passed. A
 * native crash, a hang (10 s per call), another exception or a silent NaN or infinity fails the case.
 */
class PublicApiFuzzTest extends ManagedTest {

    private static final double[] DOUBLES = {
        Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1, 0, Double.MIN_VALUE, 1e-300, 2.7, 1e300, -1e300,
        Double.MAX_VALUE,
    };
    private static final int[] INTS = {Integer.MIN_VALUE, -1, 0, 1 << 30, Integer.MAX_VALUE};
    private static final float[] ENTRIES = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e20f, -1e20f, 3e38f};

    private static final VpSde VP = new VpSde(0.1, 20);
    private static final VeSde VE = new VeSde(0.01, 50);
    private static final SubVpSde SUB_VP = new SubVpSde(0.1, 20);
    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);
    private static final NoiseLadder LADDER = NoiseLadder.geometric(10, 0.01, 10);
    private static final GaussianMixture MIXTURE = GaussianMixture.isotropic(new double[] {1, 2},
            new double[][] {{-1, 0}, {1, 1}}, 0.5);
    private static final double[][] MEANS = {{-1, 0}, {1, 1}};

    /** A call under test. */
    @FunctionalInterface
    private interface Call {
        Object call() throws Exception;
    }

    /**
     * One call with one hostile value: value is null for array and null arguments (the message names parameter).
     * An iterative call (training, a solve) may also stop with a DivergedException naming its step: its documented
     * answer to finite input that makes the iteration leave the reals.
     */
    private record Case(String name, String parameter, String value, Call call, boolean iterative) {
        Case(String name, String parameter, String value, Call call) {
            this(name, parameter, value, call, false);
        }
    }

    /** A log-density, which may be -infinity (a density below the type's range: 0); NaN and +infinity are refused. */
    private record LogDensity(NDArray values) {
    }

    private final List<Case> cases = new ArrayList<>();

    private void doubles(String name, String parameter, DoubleFunction<Object> call) {
        for (double v : DOUBLES) {
            cases.add(new Case(name + "(" + parameter + " = " + v + ")", parameter, String.valueOf(v), () -> call.apply(v)));
        }
    }

    private void ints(String name, String parameter, IntFunction<Object> call) {
        for (int v : INTS) {
            cases.add(new Case(name + "(" + parameter + " = " + v + ")", parameter, String.valueOf(v), () -> call.apply(v)));
        }
    }

    /** x (8, 2) of float32 with entry (3, 1) set to each of ENTRIES. */
    private void entries(String name, String parameter, java.util.function.Function<NDArray, Object> call) {
        for (float v : ENTRIES) {
            cases.add(new Case(name + "(" + parameter + " with an entry " + v + ")", parameter, null, () -> {
                float[] values = points(8).toFloatArray();
                values[7] = v;
                return call.apply(manager.create(values, new Shape(8, 2)));
            }));
        }
    }

    /** Marks the cases that adding adds as iterative. */
    private void iterative(Runnable adding) {
        int from = cases.size();
        adding.run();
        for (int i = from; i < cases.size(); i++) {
            Case c = cases.get(i);
            cases.set(i, new Case(c.name(), c.parameter(), c.value(), c.call(), true));
        }
    }

    private void nulls(String name, String parameter, Call call) {
        cases.add(new Case(name + "(" + parameter + " = null)", parameter, null, call));
    }

    private static NDArray points(int n) {
        return MIXTURE.sample(manager, n, 3);
    }

    private static Object solve(DormandPrince solver) {
        return solver.solve(manager, (x, t) -> x.neg(), manager.ones(new Shape(4, 2)), new double[] {0, 1}).state();
    }

    private List<Case> all() {
        doubles("VpSde", "beta_min", v -> new VpSde(v, 20));
        doubles("VpSde", "beta_max", v -> new VpSde(0.1, v));
        doubles("SubVpSde", "beta_min", v -> new SubVpSde(v, 20));
        doubles("SubVpSde", "beta_max", v -> new SubVpSde(0.1, v));
        doubles("VeSde", "sigma_min", v -> new VeSde(v, 50));
        doubles("VeSde", "sigma_max", v -> new VeSde(0.01, v));
        doubles("VpSde.meanScale", "t", VP::meanScale);
        doubles("VpSde.std", "t", VP::std);
        doubles("VpSde.diffusion", "t", VP::diffusion);
        doubles("VpSde.driftRate", "t", VP::driftRate);
        doubles("VpSde.sigma", "t", VP::sigma);
        doubles("VpSde.logSnr", "t", VP::logSnr);
        doubles("VpSde.discretize", "t", v -> VP.discretize(v, 0.01));
        doubles("VpSde.discretize", "dt", v -> VP.discretize(0.5, v));
        doubles("VeSde.meanScale", "t", VE::meanScale);
        doubles("VeSde.std", "t", VE::std);
        doubles("VeSde.diffusion", "t", VE::diffusion);
        doubles("VeSde.discretize", "dt", v -> VE.discretize(0.5, v));
        doubles("SubVpSde.std", "t", SUB_VP::std);
        doubles("SubVpSde.diffusion", "t", SUB_VP::diffusion);
        doubles("OrnsteinUhlenbeck.meanScale", "s", OrnsteinUhlenbeck.KERNEL::meanScale);
        doubles("OrnsteinUhlenbeck.noiseStd", "eta", OrnsteinUhlenbeck.KERNEL::noiseStd);
        doubles("NoiseSchedule.linear", "beta1", v -> NoiseSchedule.linear(100, v, 0.02));
        doubles("NoiseSchedule.linear", "betaT", v -> NoiseSchedule.linear(100, 1e-4, v));
        doubles("NoiseSchedule.cosine", "s", v -> NoiseSchedule.cosine(100, v, 0.999));
        doubles("NoiseSchedule.cosine", "maxBeta", v -> NoiseSchedule.cosine(100, 0.008, v));
        doubles("NoiseSchedule.fromBetas", "beta_1", v -> NoiseSchedule.fromBetas(v, 0.02));
        doubles("NoiseSchedule.meanScale", "t", SCHEDULE::meanScale);
        doubles("NoiseSchedule.std", "t", SCHEDULE::std);
        doubles("NoiseSchedule.logSnr", "t", SCHEDULE::logSnr);
        doubles("NoiseLadder.geometric", "sigmaMax", v -> NoiseLadder.geometric(v, 0.01, 10));
        doubles("NoiseLadder.geometric", "sigmaMin", v -> NoiseLadder.geometric(50, v, 10));
        doubles("NoiseLadder.of", "sigma_1", v -> NoiseLadder.of(v, 1e-3));
        doubles("NoiseLadder.std", "t", LADDER::std);
        doubles("GaussianMixture.of", "weights[0]", v -> GaussianMixture.of(new double[] {v, 1}, MEANS, new double[][] {{1, 1}, {1, 1}}));
        doubles("GaussianMixture.of", "means[0][0]", v -> GaussianMixture.of(new double[] {1, 1}, new double[][] {{v, 0}, {1, 1}},
                new double[][] {{1, 1}, {1, 1}}));
        doubles("GaussianMixture.of", "variances[0][0]", v -> GaussianMixture.of(new double[] {1, 1}, MEANS,
                new double[][] {{v, 1}, {1, 1}}));
        doubles("GaussianMixture.isotropic", "std", v -> GaussianMixture.isotropic(new double[] {1, 1}, MEANS, v));
        doubles("GaussianMixture.eightGaussians", "radius", v -> GaussianMixture.eightGaussians(v, 0.1));
        doubles("GaussianMixture.eightGaussians", "std", v -> GaussianMixture.eightGaussians(2, v));
        doubles("GaussianMixture.diffuse", "a", v -> MIXTURE.diffuse(v, 1));
        doubles("GaussianMixture.diffuse", "s", v -> MIXTURE.diffuse(1, v));
        GaussianMixtureOracle overVp = new GaussianMixtureOracle(MIXTURE, VP);
        GaussianMixtureOracle overSchedule = new GaussianMixtureOracle(MIXTURE, SCHEDULE);
        GaussianMixtureOracle overVe = new GaussianMixtureOracle(MIXTURE, VE);
        doubles("GaussianMixtureOracle(VP).score", "t", v -> overVp.score(points(8), v));
        doubles("GaussianMixtureOracle(VP).epsilon", "t", v -> overVp.epsilon(points(8), v));
        doubles("GaussianMixtureOracle(VE).denoise", "t", v -> overVe.denoise(points(8), v));
        doubles("GaussianMixtureOracle(schedule).score", "t", v -> overSchedule.score(points(8), v));
        doubles("GaussianMixtureOracle(schedule).denoise", "t", v -> overSchedule.denoise(points(8), v));
        doubles("Histogram2D.counts", "low", v -> Histogram2D.counts(points(8), v, 1, 10));
        doubles("Histogram2D.counts", "high", v -> Histogram2D.counts(points(8), -1, v, 10));
        doubles("ModeWeights.error", "weights[0]", v -> ModeWeights.error(points(8), MEANS, new double[] {v, 1}));
        doubles("ModeWeights.fractions", "modes[0][0]", v -> ModeWeights.fractions(points(8), new double[][] {{v, 0}, {1, 1}}));
        doubles("Mmd.rbf", "bandwidth", v -> Mmd.rbf(points(8), MIXTURE.sample(manager, 8, 4), v));
        doubles("TrainingConfig", "learningRate", v -> new TrainingConfig(10, 8, v, 0.9, 1, 1, null));
        doubles("TrainingConfig", "emaDecay", v -> new TrainingConfig(10, 8, 1e-3, v, 1, 1, null));
        doubles("DormandPrince", "rtol", v -> solve(new DormandPrince(v, 1e-6, 1000)));
        doubles("DormandPrince", "atol", v -> solve(new DormandPrince(1e-6, v, 1000)));
        doubles("DormandPrince.withTolerance", "tolerance", v -> solve(DormandPrince.withTolerance(v)));
        doubles("LangevinCorrector.annealed", "epsilon", v -> LangevinCorrector.annealed(v, 1));
        doubles("LangevinCorrector.snr", "snr", v -> LangevinCorrector.snr(v, 1));
        doubles("TimeGrid.uniform", "end", v -> TimeGrid.uniform(VP, 10, v));
        doubles("TimeGrid.logSnr", "end", v -> TimeGrid.logSnr(VP, 10, v));
        doubles("TimeGrid.karras", "sigmaMin", v -> TimeGrid.karras(VP, 10, v, 10, 7));
        doubles("TimeGrid.karras", "sigmaMax", v -> TimeGrid.karras(VP, 10, 0.01, v, 7));
        doubles("TimeGrid.karras", "rho", v -> TimeGrid.karras(VP, 10, 0.01, 10, v));
        doubles("GeneralisedReverse.ddim", "eta", GeneralisedReverse::ddim);
        doubles("NonMarkovianPosterior", "eta", v -> new NonMarkovianPosterior(SCHEDULE, v));
        doubles("NonMarkovianPosterior.posteriorVariance", "t", v -> NonMarkovianPosterior.posteriorVariance(VP, v, 0));

        ints("NoiseSchedule.linear", "T", NoiseSchedule::linear);
        ints("NoiseSchedule.cosine", "T", NoiseSchedule::cosine);
        ints("NoiseLadder.geometric", "levels", v -> NoiseLadder.geometric(50, 0.01, v));
        ints("Timesteps.uniform", "K", v -> Timesteps.uniform(SCHEDULE, v));
        ints("TimeGrid.uniform", "N", v -> TimeGrid.uniform(VP, v, 1e-3));
        ints("TimeGrid.logSnr", "N", v -> TimeGrid.logSnr(VP, v, 1e-3));
        ints("TimeGrid.karras", "N", v -> TimeGrid.karras(VP, v, 0.01, 10, 7));
        ints("NoiseSchedule.alphaBar", "t", SCHEDULE::alphaBar);
        ints("NoiseSchedule.snr", "t", SCHEDULE::snr);
        ints("NoiseSchedule.betaTilde", "t", SCHEDULE::betaTilde);
        ints("LecturePosteriorVariance.ratioToTrue", "t", v -> diffusion.process.LecturePosteriorVariance.ratioToTrue(SCHEDULE, v));
        ints("OptimalVariance.lambdaSquared", "t", v -> new diffusion.analytic.OptimalVariance(SCHEDULE, 0.5, 1).lambdaSquared(v));
        ints("GaussianMixture.sample", "n", v -> MIXTURE.sample(manager, v, 1));
        ints("Histogram2D.counts", "bins", v -> Histogram2D.counts(points(8), -1, 1, v));
        ints("SlicedWasserstein.distance", "projections", v -> SlicedWasserstein.distance(points(8), points(8), v, 1));
        ints("PrecisionRecall.of", "k", v -> PrecisionRecall.of(points(8), MIXTURE.sample(manager, 8, 5), v));
        ints("TrainingConfig", "steps", v -> new TrainingConfig(v, 8, 1e-3, 0.9, 1, 1, null));
        ints("TrainingConfig", "batchSize", v -> new TrainingConfig(10, v, 1e-3, 0.9, 1, 1, null));
        ints("TrainingConfig", "checkpointEvery", v -> new TrainingConfig(10, 8, 1e-3, 0.9, 1, v, null));
        ints("DormandPrince", "maxSteps", v -> solve(new DormandPrince(1e-6, 1e-6, v)));
        ints("LangevinCorrector.annealed + PredictorCorrector.run", "steps", v -> PredictorCorrector
                .correctorOnly(LangevinCorrector.annealed(0.1, v))
                .run(manager, new GaussianMixtureOracle(MIXTURE, LADDER), TimeGrid.full(LADDER), Noise.seeded(1), Monitor.quiet(),
                        points(8)).samples());
        ints("ForwardProcess.sample per row", "t[3]", v -> new ForwardProcess(SCHEDULE).sample(points(8),
                manager.create(new long[] {1, 2, 3, v, 5, 6, 7, 8}), manager.zeros(new Shape(8, 2))));

        entries("GaussianMixture.logDensity", "x", x -> new LogDensity(MIXTURE.logDensity(x)));
        entries("GaussianMixture.score", "x", MIXTURE::score);
        entries("GaussianMixtureOracle(VP).epsilon", "x", x -> overVp.epsilon(x, 0.5));
        entries("Histogram2D.counts", "x", x -> Histogram2D.counts(x, -1, 1, 10));
        entries("ModeWeights.fractions", "x", x -> ModeWeights.fractions(x, MEANS));
        entries("Mmd.rbf", "x", x -> Mmd.rbf(x, points(8), 1));
        entries("SlicedWasserstein.distance", "y", x -> SlicedWasserstein.distance(points(8), x, 10, 1));
        entries("EnergyDistance.distance", "x", x -> EnergyDistance.distance(x, points(8)));
        entries("Euler.solve", "initial", x -> new Euler().solve(manager, (y, t) -> y.neg(), x, new double[] {0, 0.5, 1}).state());
        iterative(() -> entries("Trainer.train", "data", x -> {
            diffusion.nn.EpsMlp network = new diffusion.nn.EpsMlp(2, 4, 1, 4);
            network.initialize(manager);
            diffusion.nn.EpsMlp ema = network.sameArchitecture();
            ema.initialize(manager);
            return new diffusion.train.Trainer(manager, network, ema,
                    diffusion.loss.SimpleLoss.objective(network, new ForwardProcess(SCHEDULE)),
                    new TrainingConfig(2, 4, 1e-3, 0.9, 1, 1, null)).train(x, Monitor.quiet());
        }));
        for (float t : new float[] {-1, 101, 2.7f, Float.NaN}) {
            cases.add(new Case("ForwardProcess.sample per row (t[0] = " + t + ")", "t[0]", null, () -> new ForwardProcess(SCHEDULE)
                    .sample(points(2), manager.create(new float[] {t, 3}), manager.zeros(new Shape(2, 2)))));
            cases.add(new Case("Posterior.mean per row (t[0] = " + t + ")", "t[0]", null, () -> new Posterior(SCHEDULE)
                    .mean(points(2), points(2), manager.create(new float[] {t == 101 ? 0 : t, 3}))));
        }

        nulls("ForwardProcess", "schedule", () -> new ForwardProcess(null));
        nulls("Posterior", "schedule", () -> new Posterior(null));
        nulls("GaussianMixtureOracle", "data", () -> new GaussianMixtureOracle(null, VP));
        nulls("GaussianMixtureOracle", "kernel", () -> new GaussianMixtureOracle(MIXTURE, null));
        nulls("NonMarkovianPosterior", "kernel", () -> new NonMarkovianPosterior(null, 0));
        nulls("GaussianMixture.of", "weights", () -> GaussianMixture.of(null, MEANS, MEANS));
        nulls("GaussianMixture.of", "means", () -> GaussianMixture.of(new double[] {1, 1}, null, MEANS));
        nulls("GaussianMixture.of", "variances[1]", () -> GaussianMixture.of(new double[] {1, 1}, MEANS, new double[][] {{1, 1}, null}));
        nulls("TimeGrid.of", "kernel", () -> TimeGrid.of(null, 1, 0));
        nulls("TimeGrid.full", "kernel", () -> TimeGrid.full(null));
        nulls("PredictorCorrector.of", "corrector", () -> PredictorCorrector.of(diffusion.sde.Predictor.EULER_MARUYAMA, null));
        nulls("Histogram2D.counts", "x", () -> Histogram2D.counts(null, -1, 1, 10));
        nulls("ModeWeights.fractions", "modes", () -> ModeWeights.fractions(points(8), null));
        nulls("Mmd.rbf", "y", () -> Mmd.rbf(points(8), null, 1));
        nulls("Checkpoint.save", "block", () -> {
            diffusion.train.Checkpoint.save(null, java.nio.file.Path.of("unused.params"));
            return null;
        });
        nulls("AtomicFile.write", "content", () -> {
            diffusion.report.AtomicFile.write(java.nio.file.Path.of("unused.csv"), null);
            return null;
        });
        nulls("Trainer", "objective", () -> {
            diffusion.nn.EpsMlp network = new diffusion.nn.EpsMlp(2, 4, 1, 4);
            network.initialize(manager);
            return new diffusion.train.Trainer(manager, network, network, null, new TrainingConfig(2, 4, 1e-3, 0.9, 1, 1, null));
        });
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyCallWorksOrRefusesItsArgumentByName() {
        List<Case> all = all();
        assertTrue(all.size() >= 300, all.size() + " cases");
        return all.stream().map(c -> dynamicTest(c.name(), () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> check(c))));
    }

    private static void check(Case c) {
        Object result;
        try {
            result = c.call().call();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            boolean named = c.value() == null
                    ? message.startsWith(c.parameter() + " ") || message.contains(c.parameter() + " = ")
                            || message.contains(c.parameter() + "[") || message.contains(c.parameter() + " has")
                    : message.contains(c.parameter() + " = " + c.value());
            assertTrue(named, "the message does not name " + c.parameter() + (c.value() == null ? "" : " = " + c.value()) + ": " + message);
            return;
        } catch (DivergedException e) {
            assertTrue(c.iterative() && e.getMessage().contains(" diverged at step "), "an unexpected DivergedException: " + e.getMessage());
            return;
        } catch (Throwable e) {
            fail("an unrelated " + e.getClass().getName() + ": " + e.getMessage(), e);
            return;
        }
        assertFinite(c.name(), result);
    }

    /** Every number reachable from result (arrays, NDArrays, records, NoiseSchedules and grids through toString) is finite. */
    private static void assertFinite(String name, Object result) {
        if (result == null) {
            return;
        }
        if (result instanceof LogDensity density) {
            for (double v : density.values().toType(DataType.FLOAT64, false).toDoubleArray()) {
                assertTrue(Double.isFinite(v) || v == Double.NEGATIVE_INFINITY, name + " returned " + v);
            }
        } else if (result instanceof Double d) {
            assertTrue(Double.isFinite(d), name + " returned " + d);
        } else if (result instanceof double[] values) {
            for (double v : values) {
                assertTrue(Double.isFinite(v), name + " returned an entry " + v);
            }
        } else if (result instanceof float[] values) {
            for (float v : values) {
                assertTrue(Float.isFinite(v), name + " returned an entry " + v);
            }
        } else if (result instanceof NDArray array) {
            assertFinite(name, array.toType(DataType.FLOAT64, false).toDoubleArray());
        } else if (result instanceof TimeGrid grid) {
            for (int k = 0; k <= grid.steps(); k++) {
                assertFinite(name, grid.time(k));
            }
        } else if (result instanceof NoiseSchedule schedule) {
            for (int t = 1; t <= schedule.T(); t++) {
                assertFinite(name, schedule.snr(t));
                assertFinite(name, schedule.posteriorMeanCoefX0(t));
            }
        } else if (result instanceof Record record) {
            for (RecordComponent component : record.getClass().getRecordComponents()) {
                try {
                    assertFinite(name, component.getAccessor().invoke(record));
                } catch (ReflectiveOperationException e) {
                    fail(e);
                }
            }
        }
    }
}
