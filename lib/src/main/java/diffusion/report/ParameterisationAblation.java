package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.loss.EdmLoss;
import diffusion.loss.Objective;
import diffusion.loss.ParameterisedLoss;
import diffusion.nn.EpsMlp;
import diffusion.nn.TimeConditioning;
import diffusion.sample.Sampler;
import diffusion.schedule.TimeGrid;
import diffusion.score.EdmModel;
import diffusion.score.EdmPreconditioning;
import diffusion.score.NetworkScoreModel;
import diffusion.score.Parameterisation;
import diffusion.score.ScoreModel;
import diffusion.sde.Sde;
import diffusion.train.Trainer;
import diffusion.train.TrainingConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Karras et al.'s parameterisation ablation at toy scale: networks of one architecture (EpsMlp, seeded) trained with
 * train/Trainer for the same budget on the same data, predicting eps, x_0 or v (loss/ParameterisedLoss, t ~ U[tMin, T],
 * weights making the three the same loss in eps, the network reading log sigma(t)) or under EDM's preconditioning
 * (loss/EdmLoss with ln sigma ~ N(P_mean, P_std^2) and lambda(sigma), the network reading c_noise = ln(sigma) / 4);
 * each trained network is sampled with one sampler and grid on the SDE and scored by one error. sigma_data is the square
 * root of the training data's mean per-coordinate sample variance.
 */
public final class ParameterisationAblation {

    /** EDM's noise distribution ln sigma ~ N(P_MEAN, P_STD^2) (their image setting). */
    public static final double P_MEAN = -1.2;

    /** See P_MEAN. */
    public static final double P_STD = 1.2;

    private ParameterisationAblation() {
    }

    /** The variants: eps, x_0 and v predictions, and the EDM-preconditioned network. */
    public static List<String> variants() {
        return List.of("eps", "x0", "v", "EDM");
    }

    /** Variant (in variants() order) to its errors, one per training seed, and its mean training seconds per seed. */
    public record Result(Map<String, double[]> errors, Map<String, Double> seconds) {

        /** Refuses a null component, naming it. */
        public Result {
            Arguments.allNonNull("errors, seconds", errors, seconds);
        }
    }

    /**
     * Trains every variant with config (its seed replaced by firstSeed + r for r = 0..seeds-1) on data (n, 2) under sde
     * with t ~ U[tMin, T] (the eps/x_0/v objectives), then draws n samples with sampler on grid (noise seeded by the
     * training seed) and scores them by error (lower is better); networks have width hidden units in 3 layers and a 32-dimensional time embedding.
     */
    public static Result run(NDManager manager, NDArray data, Sde sde, double tMin, int width, TrainingConfig config, long firstSeed,
            int seeds, Sampler sampler, TimeGrid grid, int n, ToDoubleFunction<NDArray> error, Monitor monitor) {
        Arguments.allNonNull("manager, data, sde, config, sampler, grid, error, monitor",
                manager, data, sde, config, sampler, grid, error, monitor);
        Arguments.atLeast("seeds", seeds, 1);
        EdmPreconditioning edm = new EdmPreconditioning(Math.sqrt(mean(variance(data)))); // sigma_data from the data's per-coordinate variance
        TimeConditioning tau = TimeConditioning.logSigma(sde);
        Map<String, double[]> errors = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (String variant : variants()) {
            double[] values = new double[seeds];
            double time = 0;
            for (int r = 0; r < seeds; r++) {
                long seed = firstSeed + r;
                try (NDManager scope = manager.newSubManager()) {
                    Environment.seed(seed);
                    EpsMlp network = new EpsMlp(2, width, 3, 32);
                    network.initialize(scope);
                    EpsMlp ema = network.sameArchitecture();
                    ema.initialize(scope);
                    Parameterisation p = variant.equals("eps") ? Parameterisation.EPSILON : variant.equals("x0") ? Parameterisation.X0 : Parameterisation.V;
                    Objective objective = variant.equals("EDM") ? EdmLoss.objective(network, edm, P_MEAN, P_STD)
                            : ParameterisedLoss.objective(network, p, sde, tMin, tau);
                    long start = System.nanoTime();
                    TrainingConfig seeded = new TrainingConfig(config.steps(), config.batchSize(), config.learningRate(), config.emaDecay(), seed,
                            config.checkpointEvery(), null);
                    new Trainer(scope, network, ema, objective, seeded).train(data, monitor);
                    time += (System.nanoTime() - start) / 1e9 / seeds;
                    ScoreModel model = variant.equals("EDM") ? new EdmModel(ema, edm, sde) : new NetworkScoreModel(ema, sde, tau, p);
                    values[r] = error.applyAsDouble(sampler.sample(scope, model, grid, Noise.seeded(seed), Monitor.quiet(), n).samples());
                }
            }
            errors.put(variant, values);
            seconds.put(variant, time);
        }
        return new Result(errors, seconds);
    }

    private static double[] variance(NDArray data) {
        return data.sub(data.mean(new int[] {0})).square().mean(new int[] {0}).toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
