package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import diffusion.data.GaussianMixture;
import diffusion.nn.EpsMlp;
import diffusion.process.ForwardProcess;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import diffusion.train.Trainer;
import diffusion.train.TrainingConfig;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HybridLossTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(20);
    private static final VariationalBound BOUND = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
    private static final int D = 2;

    /**
     * The stop-gradient: in L_simple + lambda L_vlb the eps outputs get exactly the gradient of L_simple,
     * 2 (eps_hat - eps) / n, and the v outputs exactly lambda times the gradient of L_vlb.
     */
    @Test
    void hybridTrainsTheMeanWithLSimpleOnlyAndTheVarianceWithLambdaLvlb() {
        double lambda = 0.3;
        try (NDManager m = NDManager.newBaseManager()) {
            HybridLoss.Batch batch = batch(m, DataType.FLOAT32);
            NDArray output = m.randomNormal(new Shape(16, 2 * D)).mul(0.5);
            NDArray hybridGradient = gradient(output, o -> HybridLoss.hybrid(BOUND, o, batch, lambda));
            NDArray vlbGradient = gradient(output, o -> HybridLoss.vlb(BOUND, o, batch));
            NDArray simpleGradient = output.get(":, 0:" + D).sub(batch.eps()).mul(2.0 / 16);
            assertArrayEquals(simpleGradient.toFloatArray(), hybridGradient.get(":, 0:" + D).toFloatArray(), 1e-6f, "eps outputs");
            assertArrayEquals(vlbGradient.get(":, " + D + ":").mul(lambda).toFloatArray(), hybridGradient.get(":, " + D + ":").toFloatArray(),
                    1e-6f, "v outputs");
            assertTrue(vlbGradient.get(":, 0:" + D).abs().max().getFloat() > 1e-3, "without the stop-gradient L_vlb does train the mean");
        }
    }

    /** The autograd gradient of L_vlb in the outputs equals a central finite difference along random directions (float64). */
    @Test
    void vlbGradientMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            HybridLoss.Batch batch = batch(m, DataType.FLOAT64);
            NDArray output = m.randomNormal(new Shape(16, 2 * D)).mul(0.5).toType(DataType.FLOAT64, false);
            NDArray analytic = gradient(output, o -> HybridLoss.vlb(BOUND, o, batch));
            double h = 1e-5;
            for (int k = 0; k < 3; k++) {
                NDArray u = m.randomNormal(output.getShape()).toType(DataType.FLOAT64, false);
                double plus = HybridLoss.vlb(BOUND, output.add(u.mul(h)), batch).getDouble();
                double minus = HybridLoss.vlb(BOUND, output.sub(u.mul(h)), batch).getDouble();
                double directional = analytic.mul(u).sum().getDouble();
                assertEquals(directional, (plus - minus) / (2 * h), 1e-6 * (1 + Math.abs(directional)), "direction " + k);
            }
        }
    }

    /**
     * For Gaussian data and the exact eps*, the KL term as a function of the variance is minimised at
     * sigma_t^2 = betaTilde_t + c_t^2 Var[x_0 | x_t] (per dimension); the learned variance with the matching v attains the
     * closed-form optimum (5 standard errors), and moving v away raises the loss (common random numbers).
     */
    @Test
    void vlbOfTheOracleMeanIsMinimisedAtTheOptimalVariance() {
        double dataVariance = 0.4;
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0.3, -0.2}, new double[] {dataVariance, dataVariance});
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(data, SCHEDULE);
        int t = 6;
        int n = 20_000;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            NDArray x0 = data.sample(m, n, 5);
            NDArray eps = m.randomNormal(x0.getShape());
            NDArray xt = new ForwardProcess(SCHEDULE).sample(x0, t, eps);
            NDArray steps = m.full(new Shape(n), t, DataType.INT64);
            HybridLoss.Batch batch = new HybridLoss.Batch(x0, steps, m.ones(new Shape(n)), eps, xt);
            double alphaBar = SCHEDULE.alphaBar(t);
            double posterior = dataVariance * (1 - alphaBar) / (alphaBar * dataVariance + 1 - alphaBar);
            double c = SCHEDULE.posteriorMeanCoefX0(t);
            double optimum = SCHEDULE.betaTilde(t) + c * c * posterior;
            double vStar = (Math.log(optimum) - Math.log(SCHEDULE.betaTilde(t))) / (Math.log(SCHEDULE.beta(t)) - Math.log(SCHEDULE.betaTilde(t)));
            double[] loss = new double[3];
            double[] v = {vStar - 0.2, vStar, vStar + 0.2};
            NDArray atOptimum = null;
            for (int k = 0; k < 3; k++) {
                NDArray output = NDArrays.concat(new NDList(oracle.epsilon(xt, t), m.full(xt.getShape(), (float) v[k])), 1);
                NDArray term = BOUND.estimate(x0, xt, steps, batch.probability(),
                        diffusion.score.LearnedVarianceModel.reverse(SCHEDULE, xt, steps, diffusion.score.LearnedVarianceModel.epsilonOf(output),
                                diffusion.score.LearnedVarianceModel.vOf(output))).sub(BOUND.prior(x0));
                loss[k] = HybridLoss.vlb(BOUND, output, batch).getFloat() - BOUND.prior(x0).mean().getFloat();
                if (k == 1) {
                    atOptimum = term;
                }
            }
            double closedForm = GaussianDataBound.term(SCHEDULE, data.mean(), data.variance(), t, optimum);
            double mean = atOptimum.mean().getFloat();
            double standardError = Math.sqrt(atOptimum.sub(mean).square().mean().getFloat() / n);
            assertEquals(closedForm, mean, 5 * standardError + 1e-6, "the optimal L_{t-1}");
            assertEquals(closedForm, loss[1], 5 * standardError + 1e-5, "HybridLoss.vlb at the optimum, less L_T");
            assertTrue(loss[0] > loss[1] && loss[2] > loss[1], "v* is the minimum: " + java.util.Arrays.toString(loss));
        }
    }

    /** Training runs through the generic Trainer, and the importance sampler leaves its warm-up from the recorded terms. */
    @Test
    void vlbAndHybridTrainThroughTheTrainerAndTheImportanceSamplerWarmsUp() {
        GaussianMixture data = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1});
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            EpsMlp network = new EpsMlp(D, 2 * D, 32, 2, 8);
            EpsMlp ema = network.sameArchitecture();
            network.initialize(m, DataType.FLOAT32, new Shape(1, D), new Shape(1));
            ema.initialize(m, DataType.FLOAT32, new Shape(1, D), new Shape(1));
            ImportanceTimeSampler sampler = new ImportanceTimeSampler(SCHEDULE.T(), 7);
            Trainer trainer = new Trainer(m, network, ema, HybridLoss.vlb(network, BOUND, sampler), TrainingConfig.of(20, 8));
            NDArray train = data.sample(m, 2000, 9);
            for (int i = 0; i < 20; i++) {
                assertTrue(Float.isFinite(trainer.step(train)));
            }
            assertTrue(sampler.warm(), "20 batches of 512 rows give every one of 20 steps 10 losses");
            Trainer hybrid = new Trainer(m, network, ema, HybridLoss.hybrid(network, BOUND, 1e-3, new UniformTimeSampler(SCHEDULE.T(), 8)),
                    TrainingConfig.of(5, 8));
            for (int i = 0; i < 5; i++) {
                assertTrue(Float.isFinite(hybrid.step(train)));
            }
        }
    }

    /** A sampler that does not adapt is never shown the per-row terms (they are not computed for it). */
    @Test
    void aNonAdaptiveSamplerIsNotShownTheTerms() {
        UniformTimeSampler uniform = new UniformTimeSampler(SCHEDULE.T(), 3);
        TimeSampler refusing = new TimeSampler() {
            @Override
            public Draw draw(int n) {
                return uniform.draw(n);
            }

            @Override
            public void record(long[] t, double[] losses) {
                throw new AssertionError("record called on a non-adaptive sampler");
            }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            EpsMlp network = new EpsMlp(D, 2 * D, 8, 1, 8);
            network.initialize(m, DataType.FLOAT32, new Shape(1, D), new Shape(1));
            NDArray x0 = GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 1}).sample(m, 64, 5);
            ParameterStore parameters = new ParameterStore(m, false);
            assertTrue(Float.isFinite(HybridLoss.vlb(network, BOUND, refusing).loss(parameters, x0).getFloat()));
            assertTrue(Float.isFinite(HybridLoss.hybrid(network, BOUND, 1e-3, refusing).loss(parameters, x0).getFloat()));
        }
    }

    @Test
    void badLambdaIsRejected() {
        EpsMlp network = new EpsMlp(D, 2 * D, 8, 1, 8);
        TimeSampler sampler = new UniformTimeSampler(SCHEDULE.T(), 1);
        assertThrows(IllegalArgumentException.class, () -> HybridLoss.hybrid(network, BOUND, -0.1, sampler), "lambda < 0");
        assertThrows(IllegalArgumentException.class, () -> HybridLoss.hybrid(network, BOUND, Double.NaN, sampler), "lambda NaN");
        try (NDManager m = NDManager.newBaseManager()) {
            HybridLoss.Batch batch = batch(m, DataType.FLOAT32);
            assertThrows(IllegalArgumentException.class, () -> HybridLoss.hybrid(BOUND, m.zeros(new Shape(16, 2 * D)), batch, -1));
            assertThrows(IllegalArgumentException.class, () -> HybridLoss.vlb(BOUND, m.zeros(new Shape(16, D)), batch), "d outputs");
        }
    }

    /** A batch of 16 rows with t spread over 1..T (t = 1 included: the decoder term), uniform p_t. */
    private static HybridLoss.Batch batch(NDManager m, DataType type) {
        Engine.getInstance().setRandomSeed(3);
        long[] steps = new long[16];
        for (int i = 0; i < 16; i++) {
            steps[i] = 1 + i * (SCHEDULE.T() - 1) / 15;
        }
        NDArray t = m.create(steps);
        NDArray x0 = m.randomNormal(new Shape(16, D)).toType(type, false);
        NDArray eps = m.randomNormal(new Shape(16, D)).toType(type, false);
        NDArray xt = new ForwardProcess(SCHEDULE).sample(x0, t, eps);
        return new HybridLoss.Batch(x0, t, m.full(new Shape(16), 1f / SCHEDULE.T()).toType(type, false), eps, xt);
    }

    /** d loss / d output by autograd. */
    private static NDArray gradient(NDArray output, Function<NDArray, NDArray> loss) {
        NDArray leaf = output.duplicate();
        leaf.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.apply(leaf));
        }
        return leaf.getGradient().duplicate();
    }
}
