package diffusion;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.analytic.GaussianMixturePosterior;
import diffusion.analytic.GirsanovBound;
import diffusion.analytic.TiltedDensity;
import diffusion.guidance.ClassifierFree;
import diffusion.guidance.ClassifierGuidance;
import diffusion.guidance.Guided;
import diffusion.guidance.LabelledMixture;
import diffusion.inverse.AveragePooling;
import diffusion.inverse.ChannelMixing;
import diffusion.inverse.Inpainting;
import diffusion.inverse.Observation;
import diffusion.inverse.PosteriorSampling;
import diffusion.inverse.Replacement;
import diffusion.latent.ContinuousBound;
import diffusion.latent.ElboReadings;
import diffusion.latent.Gaussian;
import diffusion.latent.GaussianVae;
import diffusion.latent.LinearGaussianModel;
import diffusion.latent.MonotoneGamma;
import diffusion.latent.Reparameterisation;
import diffusion.data.Digits;
import diffusion.data.FashionMnist;
import diffusion.data.LabelledImages;
import diffusion.data.GaussianMixture;
import diffusion.loss.DenoisingScoreMatching;
import diffusion.loss.EdmLoss;
import diffusion.loss.GaussianDataBound;
import diffusion.loss.GradientNoise;
import diffusion.loss.HybridLoss;
import diffusion.loss.ImportanceTimeSampler;
import diffusion.loss.Objective;
import diffusion.loss.ParameterisedLoss;
import diffusion.loss.Projection;
import diffusion.loss.SlicedScoreMatching;
import diffusion.loss.TrainableScore;
import diffusion.loss.UniformTimeSampler;
import diffusion.loss.VariationalBound;
import diffusion.mcmc.Banana;
import diffusion.mcmc.ExactScore;
import diffusion.mcmc.ImportanceScore;
import diffusion.mcmc.Langevin;
import diffusion.mcmc.LangevinScore;
import diffusion.mcmc.MixtureTarget;
import diffusion.mcmc.PosteriorTarget;
import diffusion.mcmc.ReverseDiffusionMonteCarlo;
import diffusion.metrics.ClassifierScores;
import diffusion.metrics.EnergyDistance;
import diffusion.metrics.FrechetDistance;
import diffusion.metrics.Histogram2D;
import diffusion.metrics.InceptionScore;
import diffusion.metrics.Mmd;
import diffusion.metrics.ModeWeights;
import diffusion.metrics.PrecisionRecall;
import diffusion.metrics.SlicedWasserstein;
import diffusion.nn.ConditionalEpsMlp;
import diffusion.nn.EpsMlp;
import diffusion.nn.GroupNorm;
import diffusion.nn.ImageClassifier;
import diffusion.nn.ScoreMlp;
import diffusion.nn.UNet;
import diffusion.ode.DormandPrince;
import diffusion.ode.Euler;
import diffusion.process.ForwardProcess;
import diffusion.process.NonMarkovianPosterior;
import diffusion.process.Posterior;
import diffusion.sample.DpmSolver;
import diffusion.sample.DpmSolverPlusPlus;
import diffusion.sample.EdmHeun;
import diffusion.sample.GeneralisedReverse;
import diffusion.schedule.NoiseLadder;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.EdmModel;
import diffusion.score.EdmPreconditioning;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.Parameterisation;
import diffusion.sde.GeometricBrownianMotion;
import diffusion.sde.LangevinCorrector;
import diffusion.sde.OrnsteinUhlenbeck;
import diffusion.sde.PredictorCorrector;
import diffusion.sde.ReverseFamily;
import diffusion.sde.SubVpSde;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import diffusion.train.LabelDropout;
import diffusion.train.TrainingConfig;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The public API's numeric parameters, each given hostile values (NaN, infinities, negatives, zero, the smallest
 * subnormal, 1e-300, a fraction, 1e300, the largest double; for ints the extremes, -1, 0 and 2^30; for arrays NaN,
 * infinite and far-away float32 entries; null for objects) with every other argument valid: each call either works,
 * with a finite result, or throws IllegalArgumentException naming the parameter and the value the caller passed. A
 * native crash, a hang (10 s per call), another exception or a silent NaN or infinity fails the case. Objectives are
 * evaluated once on a small batch, samplers and chains run a few steps, and data loaders get missing, empty and
 * corrupt files (the message then names the path). Every package is covered: schedules, SDEs, processes, oracles,
 * samplers (DDIM, DPM-Solver, EDM), ODE solvers, losses, networks (UNet.Config, GroupNorm, ImageClassifier), MCMC,
 * image data, training and metrics (FD, IS, classifier scores), guidance (classifier-free, classifier, tilted
 * densities, label dropout), inverse problems (operators, observations, DPS, replacement), latent models (Gaussians,
 * linear-Gaussian model, VAE, learned schedules), the reverse family, the Girsanov bound and geometric Brownian motion.
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
        ai.djl.engine.Engine.getInstance().setRandomSeed(20); // the networks' initial weights and the images below
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
        losses();
        networks();
        chains();
        imageData();
        edmAndDpmSolver();
        imageMetrics();
        guidance();
        inverseProblems();
        latent();
        reverseFamilyAndGbm();
        return cases;
    }

    private void guidance() {
        LabelledMixture labelled = LabelledMixture.perComponent(MIXTURE, VP);
        doubles("ClassifierFree", "w", v -> new ClassifierFree(labelled, 0, v).output(points(8), 0.5));
        ints("ClassifierFree", "label", v -> new ClassifierFree(labelled, v, 1).output(points(8), 0.5));
        doubles("ClassifierGuidance.of", "gamma", v -> ClassifierGuidance.of(labelled, labelled.classifier(), 1, v).output(points(8), 0.5));
        ints("ClassifierGuidance.of", "label", v -> ClassifierGuidance.of(labelled, labelled.classifier(), v, 1).output(points(8), 0.5));
        doubles("Guided", "gamma", v -> new Guided(labelled.unconditional(), labelled.classifier().logLikelihood(0), v)
                .output(points(8), 0.5));
        ints("Classifier.logLikelihood", "label", v -> labelled.classifier().logLikelihood(v).logLikelihood(points(8), 0.5));
        doubles("Classifier.logProbabilities", "t", v -> labelled.classifier().logProbabilities(points(8), v));
        entries("Classifier.logProbabilities", "x", x -> labelled.classifier().logProbabilities(x, 0.5));
        ints("LabelledMixture", "labels[1]", v -> new LabelledMixture(MIXTURE, new int[] {0, v}, VP).classes());
        ints("LabelledMixture.classWeight", "label", labelled::classWeight);
        ints("LabelledMixture.given", "label", v -> labelled.given(v).score(points(8), 0.5));
        GaussianMixture conditional = labelled.classData(0);
        double[] lo = {-4, -4};
        double[] hi = {4, 4};
        doubles("TiltedDensity.of", "w", v -> TiltedDensity.of(conditional, MIXTURE, v, lo, hi, 32).mean());
        doubles("TiltedDensity.of", "lo[0]", v -> TiltedDensity.of(conditional, MIXTURE, 1, new double[] {v, -4}, hi, 32).mean());
        doubles("TiltedDensity.of", "hi[0]", v -> TiltedDensity.of(conditional, MIXTURE, 1, lo, new double[] {v, 4}, 32).mean());
        ints("TiltedDensity.of", "cells", v -> TiltedDensity.of(conditional, MIXTURE, 1, lo, hi, v).mean());
        doubles("GaussianMixturePosterior.linear", "sigmaY", v -> GaussianMixturePosterior.linear(MIXTURE, new double[][] {{1, 0}}, v,
                new double[] {0.5}).covariance());
        doubles("GaussianMixturePosterior.linear", "y[0]", v -> GaussianMixturePosterior.linear(MIXTURE, new double[][] {{1, 0}}, 0.1,
                new double[] {v}).mean());
        doubles("GaussianMixturePosterior.linear", "a[0][0]", v -> GaussianMixturePosterior.linear(MIXTURE, new double[][] {{v, 0}}, 0.1,
                new double[] {0.5}).covariance());
        doubles("GaussianMixturePosterior.imputation", "y[0]", v -> GaussianMixturePosterior.imputation(MIXTURE,
                new boolean[] {true, false}, new double[] {v, 0}).mean());
        entries("GaussianMixturePosterior.errors", "x", x -> GaussianMixturePosterior.imputation(MIXTURE, new boolean[] {true, false},
                new double[] {0.5, 0}).errors(x));
        doubles("LabelDropout", "probability", v -> new LabelDropout(3, v).apply(manager.create(new int[] {0, 1, 2})));
        ints("LabelDropout", "classes", v -> new LabelDropout(v, 0.5).apply(manager.create(new int[] {0, 0, 0})));
        ints("ConditionalEpsMlp", "dim", v -> conditionalMlp(v, 3, 4, 1, 4));
        ints("ConditionalEpsMlp", "classes", v -> conditionalMlp(2, v, 4, 1, 4));
        ints("ConditionalEpsMlp", "width", v -> conditionalMlp(2, 3, v, 1, 4));
        ints("ConditionalEpsMlp", "depth", v -> conditionalMlp(2, 3, 4, v, 4));
        ints("ConditionalEpsMlp", "embedding size", v -> conditionalMlp(2, 3, 4, 1, v));
        ints("EpsMlp", "dim", v -> epsMlp(v, 2, 4, 1, 4));
        ints("EpsMlp", "outputs", v -> epsMlp(2, v, 4, 1, 4));
        ints("EpsMlp", "width", v -> epsMlp(2, 2, v, 1, 4));
        ints("EpsMlp", "depth", v -> epsMlp(2, 2, 4, v, 4));
        ints("EpsMlp", "embedding size", v -> epsMlp(2, 2, 4, 1, v));
    }

    /** A ConditionalEpsMlp built and initialised when it has at most 64 layers (else only its class count). */
    private static Object conditionalMlp(int dim, int classes, int width, int depth, int embeddingSize) {
        ConditionalEpsMlp network = new ConditionalEpsMlp(dim, classes, width, depth, embeddingSize);
        if (depth <= 64) {
            network.initialize(manager);
        }
        return (double) network.classes();
    }

    /** An EpsMlp built and initialised when it has at most 64 layers (else only its sample size). */
    private static Object epsMlp(int dim, int outputs, int width, int depth, int embeddingSize) {
        EpsMlp network = new EpsMlp(dim, outputs, width, depth, embeddingSize);
        if (depth <= 64) {
            network.initialize(manager);
        }
        return (double) network.sampleShape().size();
    }

    private void inverseProblems() {
        Shape image = new Shape(1, 4, 4);
        double[] mask = new double[16];
        mask[3] = 1;
        mask[5] = 1;
        ints("AveragePooling", "factor", v -> new AveragePooling(image, v).outputShape().size());
        shapes("AveragePooling", "shape", v -> new AveragePooling(new Shape(1, v, 4), 2).outputShape().size());
        doubles("Inpainting", "mask[3]", v -> {
            double[] hostile = mask.clone();
            hostile[3] = v;
            return new Inpainting(image, hostile).observedCount();
        });
        shapes("Inpainting", "shape", v -> new Inpainting(new Shape(1, v, 4), mask).observedCount());
        doubles("ChannelMixing", "weights[0][1]", v -> new ChannelMixing(new Shape(2, 2, 2), new double[][] {{1, v}})
                .pseudoInverse(manager.ones(new Shape(3, 1, 2, 2))));
        Inpainting inpainting = new Inpainting(new Shape(2), new double[] {1, 0});
        doubles("Observation", "sigmaY", v -> new Observation(inpainting, manager.ones(new Shape(1, 2)), v).sigmaY());
        entries("Observation", "y", y -> new Observation(inpainting, y, 0.1).values(points(8)));
        entries("Observation.of", "x", x -> Observation.of(inpainting, x, 0.1).values(points(8)));
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(MIXTURE, VP);
        Observation observation = Observation.of(inpainting, points(8), 0.1);
        doubles("PosteriorSampling.model", "gamma", v -> PosteriorSampling.model(oracle, observation, v).output(points(8), 0.5));
        doubles("PosteriorSampling.normalised", "zeta", v -> PosteriorSampling.normalised(oracle, observation, v).output(points(8), 0.5));
        doubles("PosteriorSampling.model + output", "t", v -> PosteriorSampling.model(oracle, observation, 1).output(points(8), v));
        doubles("Replacement.apply", "t", v -> new Replacement(observation, VP).apply(points(8), v, Noise.seeded(1)));
        iterative(() -> entries("GridSampler.constrained(Replacement).run", "start", x -> GeneralisedReverse.ddim(0)
                .constrained(new Replacement(observation, VP)).run(manager, oracle, TimeGrid.uniform(VP, 3, 1e-3), Noise.seeded(1),
                        Monitor.quiet(), x).samples()));
    }

    private void latent() {
        double[] mean = {0.5, -0.5};
        double[] variance = {1, 0.25};
        doubles("latent.Gaussian.diagonal", "mean[0]", v -> logDensity(Gaussian.diagonal(new double[] {v, 0}, variance).logDensity(mean)));
        doubles("latent.Gaussian.diagonal", "variance[0]", v -> logDensity(Gaussian.diagonal(mean, new double[] {v, 1}).logDensity(mean)));
        doubles("latent.Gaussian", "covariance[0][0]", v -> logDensity(new Gaussian(mean, new double[][] {{v, 0}, {0, 1}}).logDensity(mean)));
        ints("latent.Gaussian.standard", "k", v -> Gaussian.standard(v).dim());
        Gaussian gaussian = Gaussian.diagonal(mean, variance);
        doubles("latent.Gaussian.logDensity", "x[0]", v -> logDensity(gaussian.logDensity(new double[] {v, 0})));
        doubles("latent.Gaussian.draw", "eps[0]", v -> gaussian.draw(new double[] {v, 0}));
        doubles("latent.Gaussian.kl", "mean[0]", v -> gaussian.kl(Gaussian.diagonal(new double[] {v, 0}, variance)));
        double[][] w = {{1}, {0.5}};
        doubles("LinearGaussianModel", "w[0][0]", v -> new LinearGaussianModel(new double[][] {{v}, {0.5}}, mean, 0.5).marginal().covariance());
        doubles("LinearGaussianModel", "b[0]", v -> new LinearGaussianModel(w, new double[] {v, 0}, 0.5).marginal().mean());
        doubles("LinearGaussianModel", "sigma", v -> new LinearGaussianModel(w, mean, v).marginal().covariance());
        ints("LinearGaussianModel.random", "data dimension d", v -> LinearGaussianModel.random(manager, v, 1, 0.5, 1).dim());
        ints("LinearGaussianModel.random", "latent dimension k", v -> LinearGaussianModel.random(manager, 2, v, 0.5, 1).latentDim());
        LinearGaussianModel model = new LinearGaussianModel(w, mean, 0.5);
        doubles("LinearGaussianModel.posterior", "x[0]", v -> model.posterior(new double[] {v, 0}).covariance());
        doubles("LinearGaussianModel.elbo", "x[0]", v -> { // log-likelihoods, and KLs as their negatives: -infinity is allowed
            LinearGaussianModel.Elbo elbo = model.elbo(new double[] {v, 0}, model.posterior(mean));
            return new LogDensity(manager.create(new double[] {elbo.reconstruction(), elbo.logMarginal(), -elbo.klToPrior(),
                -elbo.klToPosterior()}));
        });
        entries("LinearGaussianModel.logMarginal", "x", x -> new LogDensity(manager.create(model.logMarginal(x))));
        ints("LinearGaussianModel.elboEstimate", "n", v -> model.elboEstimate(manager, mean, model.prior(), v, 1));
        doubles("MonotoneGamma.linear", "gamma0", v -> MonotoneGamma.linear(v, 8).std(0.5));
        doubles("MonotoneGamma.linear", "gamma1", v -> MonotoneGamma.linear(-6, v).std(0.5));
        MonotoneGamma gamma = MonotoneGamma.linear(-6, 8);
        doubles("MonotoneGamma.gamma", "t", gamma::gamma);
        doubles("MonotoneGamma.std", "t", gamma::std);
        doubles("MonotoneGamma.snr", "t", gamma::snr);
        ints("MonotoneGamma.random", "width", v -> MonotoneGamma.random(manager, -6, 8, v, 1).std(0.5));
        doubles("ContinuousBound.gaussian", "variance[0]", v -> ContinuousBound.gaussian(new double[] {v, 1}, gamma));
        GaussianMixtureOracle overGamma = new GaussianMixtureOracle(MIXTURE, gamma);
        ints("ContinuousBound.estimate", "strata", v -> ContinuousBound.estimate(manager, overGamma, MIXTURE, v, 2, 1));
        ints("ContinuousBound.estimate", "perStratum", v -> ContinuousBound.estimate(manager, overGamma, MIXTURE, 2, v, 1));
        ElboReadings readings = new ElboReadings(new VariationalBound(SCHEDULE, diffusion.loss.Decoder.GAUSSIAN));
        GaussianMixtureOracle overSchedule = new GaussianMixtureOracle(MIXTURE, SCHEDULE);
        ints("ElboReadings.kl", "t", v -> readings.kl(overSchedule, points(8), points(8), v));
        ints("ElboReadings.predictX0", "t", v -> readings.predictX0(overSchedule, points(8), points(8), v));
        entries("ElboReadings.predictNoise", "x0", x -> readings.predictNoise(overSchedule, x, points(8), 50));
        entries("Reparameterisation.sample", "logVariance", x -> Reparameterisation.sample(points(8), x, points(8)));
        entries("Reparameterisation.sample", "mean", x -> Reparameterisation.sample(x, points(8), points(8)));
        entries("Reparameterisation.sample", "eps", x -> Reparameterisation.sample(points(8), points(8), x));
        entries("ElboReadings.predictScore", "eps", x -> readings.predictScore(overSchedule, points(8), x, 50));
        ints("GaussianVae", "dim", v -> vae(v, 1, 4, 1));
        ints("GaussianVae", "latent dimension k", v -> vae(2, v, 4, 1));
        ints("GaussianVae", "width", v -> vae(2, 1, v, 1));
        ints("GaussianVae", "depth", v -> vae(2, 1, 4, v));
    }

    /** One log-density value, which may be -infinity. */
    private static LogDensity logDensity(double value) {
        return new LogDensity(manager.create(new double[] {value}));
    }

    /** A GaussianVae built and initialised when it has at most 64 layers (else only its latent dimension). */
    private static Object vae(int dim, int latentDim, int width, int depth) {
        GaussianVae network = new GaussianVae(dim, latentDim, width, depth, diffusion.loss.Decoder.GAUSSIAN);
        if (depth <= 64) {
            network.initialize(manager);
        }
        return (double) network.latentDim();
    }

    private void reverseFamilyAndGbm() {
        doubles("ReverseFamily.fraction", "lambda", v -> ReverseFamily.fraction(VP, v).noiseLevel(0.5));
        doubles("ReverseFamily.noiseLevel", "t", v -> ReverseFamily.fraction(VP, 0.5).noiseLevel(v));
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(MIXTURE, VP);
        iterative(() -> entries("ReverseFamily.run", "start", x -> ReverseFamily.fraction(VP, 0.5).run(manager, oracle,
                TimeGrid.uniform(VP, 3, 1e-3), Noise.seeded(1), Monitor.quiet(), x).samples()));
        doubles("GirsanovBound", "mu0", v -> new GirsanovBound(VP, v, 0.5, 1, 0.5).sides(0.3, 10));
        doubles("GirsanovBound", "v0", v -> new GirsanovBound(VP, 0.5, v, 1, 0.5).sides(0.3, 10));
        doubles("GirsanovBound", "a", v -> new GirsanovBound(VP, 0.5, 0.5, v, 0.5).sides(0.3, 10));
        doubles("GirsanovBound", "k", v -> new GirsanovBound(VP, 0.5, 0.5, 1, v).sides(0.3, 10));
        GirsanovBound bound = new GirsanovBound(VP, 0.5, 0.5, 1, 0.5);
        doubles("GirsanovBound.sides", "c", v -> bound.sides(v, 10));
        ints("GirsanovBound.sides", "steps", v -> bound.sides(0.3, v));
        doubles("GirsanovBound.perturbed", "c", v -> bound.perturbed(oracle, v).score(points(8), 0.5));
        doubles("GeometricBrownianMotion", "mu", v -> gbm(new GeometricBrownianMotion(v, 0.5, 0, 0.25)));
        doubles("GeometricBrownianMotion", "sigma", v -> gbm(new GeometricBrownianMotion(0.1, v, 0, 0.25)));
        doubles("GeometricBrownianMotion", "a", v -> gbm(new GeometricBrownianMotion(0.1, 0.5, v, 0.25)));
        doubles("GeometricBrownianMotion", "v", v -> gbm(new GeometricBrownianMotion(0.1, 0.5, 0, v)));
        GeometricBrownianMotion gbm = new GeometricBrownianMotion(0.1, 0.5, 0, 0.25);
        doubles("GeometricBrownianMotion.logMean", "t", gbm::logMean);
        doubles("GeometricBrownianMotion.logVariance", "t", gbm::logVariance);
        doubles("GeometricBrownianMotion.score", "t", v -> gbm.score(positive(Float.NaN), v));
        doubles("GeometricBrownianMotion.sample", "t", v -> gbm.sample(manager, 8, v, Noise.seeded(1)));
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1, 0, 1e-30f, 1e20f, 3e38f}) {
            cases.add(new Case("GeometricBrownianMotion.score (an entry " + v + ")", "x", null, () -> gbm.score(positive(v), 1)));
            cases.add(new Case("GeometricBrownianMotion.reverse (an entry " + v + ")", "xT", null, () -> gbm.reverse(manager,
                    positive(v), 1, 4, Noise.seeded(1), true), true));
        }
        iterative(() -> {
            doubles("GeometricBrownianMotion.reverse", "T", v -> gbm.reverse(manager, positive(Float.NaN), v, 4, Noise.seeded(1), true));
            ints("GeometricBrownianMotion.reverse", "steps", v -> gbm.reverse(manager, positive(Float.NaN), 1, v, Noise.seeded(1), true));
        });
    }

    /** GBM's log-moments at t = 1 and the score of 8 draws at t = 1. */
    private static Object gbm(GeometricBrownianMotion process) {
        NDArray x = process.sample(manager, 8, 1, Noise.seeded(1));
        return process.score(x, 1).concat(manager.create(new double[] {process.logMean(1), process.logVariance(1)})
                .toType(x.getDataType(), false).reshape(2, 1), 0);
    }

    /** (8, 1) of float32 positive values with entry 5 set to v (NaN: left positive). */
    private static NDArray positive(float v) {
        float[] values = {0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4};
        if (!Float.isNaN(v)) {
            values[5] = v;
        }
        return manager.create(values, new Shape(8, 1));
    }

    /** One evaluation of objective on 8 mixture points with fresh parameters: its loss as an array (checked finite). */
    private static double[] lossOf(Objective objective) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x0 = points(8);
            x0.attach(scope);
            return objective.loss(new ParameterStore(scope, false), x0).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    private static EpsMlp epsNetwork() {
        EpsMlp network = new EpsMlp(2, 4, 1, 4);
        network.initialize(manager);
        return network;
    }

    /**
     * A size inside a composite argument (a shape, a set): the message names the argument (its value is printed whole);
     * Integer.MIN_VALUE is left out, as the test's own Shape refuses it.
     */
    private void shapes(String name, String parameter, IntFunction<Object> call) {
        for (int v : new int[] {-1, 0, 1 << 30, Integer.MAX_VALUE}) {
            cases.add(new Case(name + "(" + parameter + " with " + v + ")", parameter, null, () -> call.apply(v)));
        }
    }

    /** Path cases: the message names the path the caller passed. */
    private void paths(String name, List<Path> hostile, Function<Path, Object> call) {
        for (Path path : hostile) {
            cases.add(new Case(name + "(" + path.getFileName() + ")", null, path.toString(), () -> call.apply(path)));
        }
    }

    private void losses() {
        EpsMlp eps = epsNetwork();
        ScoreMlp score = new ScoreMlp(2, 4, 1);
        score.initialize(manager, DataType.FLOAT32);
        TrainableScore model = TrainableScore.fromEpsilon(eps);
        doubles("DenoisingScoreMatching.singleSigma", "sigma", v -> lossOf(DenoisingScoreMatching.singleSigma(model, v)));
        doubles("DenoisingScoreMatching.continuous", "tMin", v -> lossOf(DenoisingScoreMatching.continuous(model, VP, v, 1, t -> 1)));
        doubles("DenoisingScoreMatching.continuous", "tMax", v -> lossOf(DenoisingScoreMatching.continuous(model, VP, 1e-3, v, t -> 1)));
        doubles("DenoisingScoreMatching.continuous", "lambda(t = 0.001)", v -> lossOf(DenoisingScoreMatching.continuous(model, VP, 1e-3, 1,
                t -> t == 1e-3 ? v : 1)));
        doubles("DenoisingScoreMatching.ladder", "lambda(sigma_1 = 10.0)", v -> lossOf(DenoisingScoreMatching.ladder(model, LADDER,
                sigma -> sigma == 10 ? v : 1)));
        ints("SlicedScoreMatching", "projections", v -> lossOf(new SlicedScoreMatching(Projection.RADEMACHER, v, true).objective(score)));
        doubles("ParameterisedLoss.objective", "tMin", v -> lossOf(ParameterisedLoss.objective(eps, Parameterisation.EPSILON, VP, v,
                diffusion.nn.TimeConditioning.KERNEL_TIME)));
        VariationalBound bound = new VariationalBound(SCHEDULE, diffusion.loss.Decoder.GAUSSIAN);
        EpsMlp learned = new EpsMlp(2, 4, 4, 1, 4); // eps and v per coordinate
        learned.initialize(manager);
        doubles("HybridLoss.hybrid", "lambda", v -> lossOf(HybridLoss.hybrid(learned, bound, v, new UniformTimeSampler(100, 1))));
        ints("UniformTimeSampler", "T", v -> new UniformTimeSampler(v, 1).draw(4).probability());
        ints("UniformTimeSampler.draw", "n", v -> new UniformTimeSampler(100, 1).draw(v).probability());
        ints("ImportanceTimeSampler", "T", v -> new ImportanceTimeSampler(v, 1).draw(4).probability());
        ints("ImportanceTimeSampler.draw", "n", v -> new ImportanceTimeSampler(100, 1).draw(v).probability());
        ints("VariationalBound.snrWeight", "t", bound::snrWeight);
        ints("VariationalBound.epsWeight", "t", v -> bound.epsWeight(v, 0.01));
        doubles("VariationalBound.epsWeight", "sigmaSquared", v -> bound.epsWeight(50, v));
        double[] mean = {0.5, -0.5};
        double[] variance = {1, 0.25};
        doubles("GaussianDataBound.prior", "mean[0]", v -> GaussianDataBound.prior(SCHEDULE, new double[] {v, 0}, variance));
        doubles("GaussianDataBound.prior", "variance[0]", v -> GaussianDataBound.prior(SCHEDULE, mean, new double[] {v, 1}));
        doubles("GaussianDataBound.term", "sigmaSquared", v -> GaussianDataBound.term(SCHEDULE, mean, variance, 50, v));
        ints("GaussianDataBound.term", "t", v -> GaussianDataBound.term(SCHEDULE, mean, variance, v, 0.01));
        doubles("GaussianDataBound.entropy", "variance[0]", v -> GaussianDataBound.entropy(new double[] {v, 1}));
        Objective simple = diffusion.loss.SimpleLoss.objective(eps, new ForwardProcess(SCHEDULE));
        ints("GradientNoise.measure", "batchSize", v -> GradientNoise.measure(eps, simple, points(16), v, 2, 1));
        ints("GradientNoise.measure", "repeats", v -> GradientNoise.measure(eps, simple, points(16), 4, v, 1));
        doubles("EdmLoss.objective", "P_mean", v -> lossOf(EdmLoss.objective(eps, new EdmPreconditioning(0.5), v, 1.2)));
        doubles("EdmLoss.objective", "P_std", v -> lossOf(EdmLoss.objective(eps, new EdmPreconditioning(0.5), -1.2, v)));
        doubles("EdmLoss.compute", "sigma[0]", v -> {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x0 = points(2);
                x0.attach(scope);
                return EdmLoss.compute(eps, new ParameterStore(scope, false), new EdmPreconditioning(0.5), x0, new double[] {v, 1},
                        scope.zeros(x0.getShape())).toType(DataType.FLOAT64, false).toDoubleArray();
            }
        });
        ints("CrossEntropy.of", "labels[1]", v -> diffusion.loss.CrossEntropy.of(manager.zeros(new Shape(2, 3)),
                manager.create(new int[] {0, v})).toType(DataType.FLOAT64, false).toDoubleArray());
    }

    private void networks() {
        ints("UNet.Config", "channels", v -> unet(v, 8, 8, 8, 1, 4));
        ints("UNet.Config", "height", v -> unet(1, v, 8, 8, 1, 4));
        ints("UNet.Config", "width", v -> unet(1, 8, v, 8, 1, 4));
        ints("UNet.Config", "base", v -> unet(1, 8, 8, v, 1, 4));
        ints("UNet.Config", "resBlocks", v -> unet(1, 8, 8, 8, v, 4));
        ints("UNet.Config", "groups", v -> unet(1, 8, 8, 8, 1, v));
        ints("UNet.Config", "outputs", v -> new UNet(new UNet.Config(1, 8, 8, v, 8, List.of(1, 2), 1, Set.of(), 0, 4,
                OptionalInt.empty())).config());
        ints("UNet.Config", "multipliers[1]", v -> new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, v), 1, Set.of(), 0, 4,
                OptionalInt.empty())).config());
        shapes("UNet.Config", "attentionResolutions", v -> new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(v), 0, 4,
                OptionalInt.empty())).config());
        ints("UNet.Config", "classes", v -> new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 0, 4,
                OptionalInt.of(v))).config());
        doubles("UNet.Config", "dropout", v -> new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), v, 4,
                OptionalInt.empty())).config());
        ints("GroupNorm", "groups", v -> new GroupNorm(v, 8).groups());
        ints("GroupNorm", "channels", v -> new GroupNorm(4, v).channels());
        doubles("GroupNorm", "epsilon", v -> groupNorm(new GroupNorm(4, 8, v)));
        ints("ImageClassifier", "classes", v -> new ImageClassifier(new Shape(1, 8, 8), v, 4, 8).classes());
        ints("ImageClassifier", "channels", v -> new ImageClassifier(new Shape(1, 8, 8), 3, v, 8).classes());
        ints("ImageClassifier", "featureWidth", v -> new ImageClassifier(new Shape(1, 8, 8), 3, 4, v).classes());
        shapes("ImageClassifier", "imageShape", v -> new ImageClassifier(new Shape(1, v, 8), 3, 4, 8).classes());
    }

    /** A UNet's configuration, the UNet built (not initialised) from the given sizes, multipliers (1, 2), no attention. */
    private static UNet.Config unet(int channels, int height, int width, int base, int resBlocks, int groups) {
        return new UNet(new UNet.Config(channels, height, width, channels, base, List.of(1, 2), resBlocks, Set.of(), 0, groups,
                OptionalInt.empty())).config();
    }

    /** GroupNorm applied to a (2, 8, 2, 2) batch of a constant image (zero variance: epsilon alone keeps it finite). */
    private static double[] groupNorm(GroupNorm norm) {
        try (NDManager scope = manager.newSubManager()) {
            norm.initialize(scope, DataType.FLOAT32, new Shape(2, 8, 2, 2));
            NDArray x = scope.ones(new Shape(2, 8, 2, 2));
            return norm.forward(new ParameterStore(scope, false), new ai.djl.ndarray.NDList(x), false).head()
                    .toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    private void chains() {
        MixtureTarget target = new MixtureTarget(MIXTURE);
        iterative(() -> {
            doubles("Langevin.ula + run", "step", v -> Langevin.ula(v, 5).run(manager, target, points(8), 1, 2).samples());
            doubles("Langevin.mala + run", "step", v -> Langevin.mala(v, 5).run(manager, target, points(8), 1, 2).samples());
            ints("Langevin.run", "snapshots", v -> Langevin.ula(0.01, 5).run(manager, target, points(8), 1, v).samples());
            doubles("ReverseDiffusionMonteCarlo + run", "eta", v -> rdmc(new ReverseDiffusionMonteCarlo(1, v, new ExactScore(MIXTURE)),
                    target));
            doubles("ReverseDiffusionMonteCarlo + run", "T", v -> rdmc(new ReverseDiffusionMonteCarlo(v, 0.2,
                    new ExactScore(MIXTURE)), target));
            doubles("PosteriorTarget + Langevin", "s", v -> Langevin.ula(0.01, 3).run(manager, new PosteriorTarget(target, points(8), v),
                    points(8), 1, 2).samples());
            entries("Langevin.run", "initial", x -> Langevin.ula(0.01, 5).run(manager, target, x, 1, 2).samples());
            entries("ReverseDiffusionMonteCarlo.run", "initial", x -> new ReverseDiffusionMonteCarlo(1, 0.2, new ExactScore(MIXTURE))
                    .run(manager, target, x, 1, 2).samples());
        });
        ints("Langevin.ula", "steps", v -> Langevin.ula(0.01, v).steps());
        ints("ImportanceScore", "samples", v -> new ImportanceScore(v).estimate(target, points(8), 0.5, Noise.seeded(1)).score());
        ints("LangevinScore", "chains", v -> new LangevinScore(v, Langevin.ula(0.01, 2)).estimate(target, points(8), 0.5,
                Noise.seeded(1)).score());
        ints("MixtureTarget.axes", "dim", v -> MixtureTarget.axes(v, 2, 0.5, 1, 1).modeWeights());
        doubles("MixtureTarget.axes", "radius", v -> MixtureTarget.axes(2, v, 0.5, 1, 1).modeWeights());
        doubles("MixtureTarget.axes", "std", v -> MixtureTarget.axes(2, 2, v, 1, 1).modeWeights());
        doubles("MixtureTarget.axes", "weights[0]", v -> MixtureTarget.axes(2, 2, 0.5, v, 1).modeWeights());
        ints("Banana", "dim", v -> new Banana(v, 1, 0.1).dim());
        doubles("Banana", "a", v -> new Banana(2, v, 0.1).sample(manager, 8, 1));
        doubles("Banana", "b", v -> new Banana(2, 1, v).sample(manager, 8, 1));
        ints("Banana.sample", "n", v -> new Banana(2, 1, 0.1).sample(manager, v, 1));
        entries("Banana.logDensity", "x", x -> new LogDensity(new Banana(2, 1, 0.1).logDensity(x)));
        entries("Banana.gradLogDensity", "x", x -> new Banana(2, 1, 0.1).gradLogDensity(x));
        entries("MixtureTarget.gradLogDensity", "x", target::gradLogDensity);
    }

    /** A reverse diffusion Monte Carlo run of 8 particles when it has at most 50 steps, else only its step count. */
    private static Object rdmc(ReverseDiffusionMonteCarlo sampler, MixtureTarget target) {
        return sampler.steps() > 50 ? (Object) (double) sampler.steps() : sampler.run(manager, target, 8, 1, 2).samples();
    }

    private void imageData() {
        Path folder;
        try {
            folder = Files.createTempDirectory("fuzz-data");
            Files.write(folder.resolve("empty.csv.gz"), new byte[0]);
            Files.writeString(folder.resolve("text.csv.gz"), "not gzip");
            Files.write(folder.resolve("bytes.gz"), new byte[] {31, -117, 8, 0, 1, 2, 3});
            Path fashion = Files.createDirectories(folder.resolve("fashion"));
            for (String part : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
                Files.write(fashion.resolve(part), new byte[] {0, 0, 8, 3, 0, 0});
            }
            Files.createDirectories(folder.resolve("empty"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        paths("Digits.load", List.of(folder.resolve("missing.csv.gz"), folder, folder.resolve("empty.csv.gz"),
                folder.resolve("text.csv.gz"), folder.resolve("bytes.gz")), Digits::load);
        paths("FashionMnist.load", List.of(folder.resolve("missing"), folder.resolve("empty"), folder.resolve("text.csv.gz"),
                folder.resolve("fashion")), FashionMnist::load);
        byte[] pixels = new byte[2 * 16];
        ints("LabelledImages", "labels[1]", v -> new LabelledImages(pixels, new int[] {0, v}, new Shape(1, 4, 4), 16, 3).size());
        ints("LabelledImages", "maxValue", v -> new LabelledImages(pixels, new int[] {0, 1}, new Shape(1, 4, 4), v, 3).size());
        ints("LabelledImages", "classes", v -> new LabelledImages(pixels, new int[] {0, 0}, new Shape(1, 4, 4), 16, v).size());
        shapes("LabelledImages", "sampleShape", v -> new LabelledImages(pixels, new int[] {0, 0}, new Shape(1, v, 4), 16, 3).size());
        ints("LabelledImages.subset", "indices[0]", v -> new LabelledImages(pixels, new int[] {0, 1}, new Shape(1, 4, 4), 16, 3)
                .subset(new int[] {v}).size());
        cases.add(new Case("ImageSplit (test of another shape)", "test", null, () -> new diffusion.data.ImageSplit(
                new LabelledImages(pixels, new int[] {0, 1}, new Shape(1, 4, 4), 16, 3),
                new LabelledImages(pixels, new int[] {0, 1}, new Shape(2, 2, 4), 16, 3))));
    }

    private void edmAndDpmSolver() {
        doubles("EdmPreconditioning", "sigmaData", v -> new EdmPreconditioning(v).cSkip(1));
        EdmPreconditioning edm = new EdmPreconditioning(0.5);
        doubles("EdmPreconditioning.cSkip", "sigma", edm::cSkip);
        doubles("EdmPreconditioning.cOut", "sigma", edm::cOut);
        doubles("EdmPreconditioning.cIn", "sigma", edm::cIn);
        doubles("EdmPreconditioning.cNoise", "sigma", edm::cNoise);
        doubles("EdmPreconditioning.lossWeight", "sigma", edm::lossWeight);
        doubles("EdmHeun.stochastic", "S_churn", v -> EdmHeun.stochastic(v, 0, Double.POSITIVE_INFINITY, 1).gamma(1, 10));
        doubles("EdmHeun.stochastic", "S_tmin", v -> EdmHeun.stochastic(10, v, Double.POSITIVE_INFINITY, 1).gamma(1, 10));
        doubles("EdmHeun.stochastic", "S_tmax", v -> EdmHeun.stochastic(10, 0, v, 1).gamma(1, 10));
        doubles("EdmHeun.stochastic", "S_noise", v -> EdmHeun.stochastic(10, 0, Double.POSITIVE_INFINITY, v).gamma(1, 10));
        doubles("EdmHeun.gamma", "sigma", v -> EdmHeun.stochastic(10, 0, Double.POSITIVE_INFINITY, 1).gamma(v, 10));
        ints("EdmHeun.gamma", "N", v -> EdmHeun.stochastic(10, 0, Double.POSITIVE_INFINITY, 1).gamma(1, v));
        ints("DpmSolver", "order", v -> new DpmSolver(v).order());
        doubles("DpmSolver.lambda", "t", v -> { // +infinity is lambda where s(t) = 0, at the data: finite otherwise
            double lambda = DpmSolver.lambda(VP, v);
            return lambda == Double.POSITIVE_INFINITY && VP.std(v) == 0 ? 0.0 : lambda;
        });
        doubles("DpmSolver.time", "lambda", v -> DpmSolver.time(VP, v));
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(MIXTURE, VP);
        TimeGrid grid = TimeGrid.uniform(VP, 5, 1e-3);
        iterative(() -> {
            entries("DpmSolver.run", "start", x -> new DpmSolver(2).run(manager, oracle, grid, Noise.seeded(1), Monitor.quiet(), x).samples());
            entries("DpmSolverPlusPlus.run", "start", x -> new DpmSolverPlusPlus().run(manager, oracle, grid, Noise.seeded(1),
                    Monitor.quiet(), x).samples());
            entries("EdmHeun.run", "start", x -> EdmHeun.deterministic().run(manager, oracle, grid, Noise.seeded(1), Monitor.quiet(), x)
                    .samples());
        });
        EpsMlp eps = epsNetwork();
        doubles("EdmModel.denoise", "t", v -> new EdmModel(eps, edm, VP).denoise(points(8), v));
    }

    private void imageMetrics() {
        entries("FrechetDistance.between", "x", x -> FrechetDistance.between(x, points(8)));
        entries("FrechetDistance.Gaussian.fit", "features", x -> FrechetDistance.Gaussian.fit(x).mu());
        doubles("FrechetDistance.Gaussian", "sigma[0][0]", v -> FrechetDistance.of(new FrechetDistance.Gaussian(new double[] {0, 0},
                new double[][] {{v, 0}, {0, 1}}), new FrechetDistance.Gaussian(new double[] {0, 0}, new double[][] {{1, 0}, {0, 1}})));
        doubles("FrechetDistance.Gaussian", "mu[0]", v -> FrechetDistance.of(new FrechetDistance.Gaussian(new double[] {v, 0},
                new double[][] {{1, 0}, {0, 1}}), new FrechetDistance.Gaussian(new double[] {0, 0}, new double[][] {{1, 0}, {0, 1}})));
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -0.5f, 1.5f, 0.9f}) {
            cases.add(new Case("InceptionScore.of (an entry " + v + ")", "probabilities", null, () -> InceptionScore.of(
                    manager.create(new float[] {0.5f, 0.5f, v, 1 - 0.9f, 0.2f, 0.8f, 1, 0}, new Shape(4, 2)))));
        }
        ints("InceptionScore.over", "splits", v -> InceptionScore.over(manager.create(new float[] {0.5f, 0.5f, 0.1f, 0.9f, 0.2f, 0.8f,
            1, 0}, new Shape(4, 2)), v));
        ImageClassifier classifier = new ImageClassifier(new Shape(1, 8, 8), 3, 4, 8);
        classifier.initialize(manager);
        NDArray images = manager.randomUniform(-1, 1, new Shape(4, 1, 8, 8));
        ints("ClassifierScores.of", "classes", v -> scores(ClassifierScores.of(classifier, v, images, 2)));
        ints("ClassifierScores.of", "batchSize", v -> scores(ClassifierScores.of(classifier, 3, images, v)));
        for (float v : ENTRIES) {
            cases.add(new Case("ClassifierScores.of (an image entry " + v + ")", "images", null, () -> {
                NDArray hostile = images.duplicate();
                hostile.set(new ai.djl.ndarray.index.NDIndex("1, 0, 2, 3"), v);
                return scores(ClassifierScores.of(classifier, 3, hostile, 2));
            }));
        }
        cases.add(new Case("ClassifierScores.of (a 4 x 4 patch of 1e38)", "images", null, () -> { // overflows the features
            NDArray hostile = images.duplicate();
            hostile.set(new ai.djl.ndarray.index.NDIndex("1, 0, 2:6, 2:6"), 1e38f);
            return scores(ClassifierScores.of(classifier, 3, hostile, 2));
        }));
    }

    /** The features and probabilities of scores as one array (checked finite), the scores closed. */
    private static double[] scores(ClassifierScores scores) {
        try (scores) {
            return scores.features().concat(scores.probabilities(), 1).toType(DataType.FLOAT64, false).toDoubleArray();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCallWorksOrRefusesItsArgumentByName() {
        List<Case> all = all();
        assertTrue(all.size() >= 2500, all.size() + " cases");
        return all.stream().map(c -> dynamicTest(c.name(), () -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                check(c);
            } catch (AssertionError e) {
                throw new AssertionError(c.name() + ": " + e.getMessage(), e);
            }
        })));
    }

    private static void check(Case c) {
        Object result;
        try {
            result = c.call().call();
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            boolean named = c.parameter() == null ? message.contains(c.value()) : c.value() == null
                    ? message.startsWith(c.parameter() + " ") || message.contains(c.parameter() + " = ")
                            || message.contains(c.parameter() + "[") || message.contains(c.parameter() + " has")
                    : message.contains(c.parameter() + " = " + c.value());
            assertTrue(named, "the message does not name " + (c.parameter() == null ? "the path " + c.value()
                    : c.parameter() + (c.value() == null ? "" : " = " + c.value())) + ": " + message);
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
        } else if (result instanceof Object[] values) {
            for (Object value : values) {
                assertFinite(name, value);
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
