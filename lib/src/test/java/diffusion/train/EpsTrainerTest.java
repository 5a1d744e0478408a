package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.loss.SimpleLoss;
import diffusion.nn.EpsMlp;
import diffusion.nn.TimeConditioning;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.GaussianMixtureOracle;
import diffusion.score.NetworkScoreModel;
import diffusion.score.ScoreModel;
import diffusion.sde.VpSde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpsTrainerTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);
    private static final GaussianMixture DATA = GaussianMixture.gaussian(new double[] {1.0, -1.0}, new double[] {0.25, 0.5});

    private static TrainingConfig config(int steps) {
        return new TrainingConfig(steps, 256, 2e-3, 0.99, 42, 50, null);
    }

    /**
     * For Gaussian data the Bayes-optimal L_simple is known: per step and dimension 1 - s^2 / (m^2 v + s^2). The
     * trained network approaches it from above: within 10% of it after training, and never below it by more than
     * 5 Monte Carlo standard errors of the evaluation (the oracle's loss on the same points and noise).
     */
    @Test
    void trainingApproachesTheBayesOptimalSimpleLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray train = DATA.sample(m, 20_000, 1);
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 64, 2, 16), SCHEDULE, config(1500));
            float[] losses = trainer.train(train);
            NDArray test = DATA.sample(m, 2_000, 2);
            double network = mean(SimpleLoss.perStep(new NetworkScoreModel(trainer.ema(), SCHEDULE), SCHEDULE, test, 3));
            double oracle = mean(SimpleLoss.perStep(new GaussianMixtureOracle(DATA, SCHEDULE), SCHEDULE, test, 3));
            double optimal = 0;
            for (int t = 1; t <= SCHEDULE.T(); t++) {
                double m2 = SCHEDULE.alphaBar(t);
                double s2 = 1 - m2;
                for (double v : DATA.variances()[0]) {
                    optimal += (1 - s2 / (m2 * v + s2)) / SCHEDULE.T();
                }
            }
            double error = optimal * Math.sqrt(2.0 / (2_000 * SCHEDULE.T())); // chi-square-like evaluation noise
            assertEquals(optimal, oracle, 5 * error, "the oracle attains the optimum");
            assertTrue(network >= optimal - 5 * error, "network " + network + " below the optimum " + optimal);
            assertTrue(network <= 1.10 * optimal, "network " + network + " not within 10% of the optimum " + optimal);
            assertTrue(mean(Arrays.copyOfRange(losses, 1400, 1500)) < mean(Arrays.copyOfRange(losses, 0, 100)));
        }
    }

    /**
     * The continuous-time objective under the VP SDE has the same Bayes optimum per t and dimension,
     * 1 - s(t)^2 / (m(t)^2 v + s(t)^2); averaged over a grid of t in [tMin, 1] the trained model lies within 10% of it
     * and not below it by more than 5 Monte Carlo standard errors of the evaluation.
     */
    @Test
    void continuousTrainingUnderAnSdeApproachesTheBayesOptimalLoss() {
        VpSde sde = new VpSde(0.1, 20);
        try (NDManager m = NDManager.newBaseManager()) {
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 64, 2, 16), sde, 1e-3, config(1500));
            trainer.train(DATA.sample(m, 20_000, 1));
            ScoreModel model = trainer.scoreModel();
            assertSame(sde, model.kernel());
            NDArray x0 = DATA.sample(m, 2_000, 2);
            int grid = 20;
            double network = 0, optimal = 0;
            for (int k = 0; k < grid; k++) {
                double t = 1e-3 + (1 - 1e-3) * (k + 0.5) / grid;
                double mean = sde.meanScale(t), s = sde.std(t);
                NDArray eps = m.randomNormal(x0.getShape());
                NDArray xt = x0.mul(mean).add(eps.mul(s));
                network += model.epsilon(xt, t).sub(eps).square().sum(new int[] {1}).mean().getFloat() / grid;
                for (double v : DATA.variances()[0]) {
                    optimal += (1 - s * s / (mean * mean * v + s * s)) / grid;
                }
            }
            double error = optimal * Math.sqrt(2.0 / (2_000 * grid)); // chi-square-like evaluation noise
            assertTrue(network >= optimal - 5 * error, "network " + network + " below the optimum " + optimal);
            assertTrue(network <= 1.10 * optimal, "network " + network + " not within 10% of the optimum " + optimal);
        }
    }

    /**
     * The constructor with a TimeConditioning: logSigma given explicitly trains bit for bit like the default
     * constructor; another conditioning (the former tau = 1000 t) is what scoreModel() feeds the EMA network, and
     * gives another network; a null conditioning is refused.
     */
    @Test
    void aGivenTimeConditioningIsUsedInTrainingAndInTheScoreModel() {
        VpSde sde = new VpSde(0.1, 20);
        TimeConditioning thousandT = t -> 1000 * t;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray train = DATA.sample(m, 1_000, 1);
            float[] byDefault = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), sde, 1e-3, config(30)).train(train);
            float[] explicit = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), sde, 1e-3, TimeConditioning.logSigma(sde), config(30)).train(train);
            assertArrayEquals(byDefault, explicit);
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), sde, 1e-3, thousandT, config(30));
            float[] other = trainer.train(train);
            assertTrue(!Arrays.equals(byDefault, other), "another conditioning trains another network");
            NDArray x = m.randomNormal(new Shape(10, 2));
            assertArrayEquals(new NetworkScoreModel(trainer.ema(), sde, thousandT).epsilon(x, 0.37).toFloatArray(),
                    trainer.scoreModel().epsilon(x, 0.37).toFloatArray());
            assertTrue(!Arrays.equals(new NetworkScoreModel(trainer.ema(), sde, TimeConditioning.logSigma(sde)).epsilon(x, 0.37).toFloatArray(),
                    trainer.scoreModel().epsilon(x, 0.37).toFloatArray()), "scoreModel() reads 1000 t, not log sigma");
            assertThrows(IllegalArgumentException.class, () -> new EpsTrainer(m, new EpsMlp(2, 8, 1, 4), sde, 1e-3, null, config(1)));
        }
    }

    @Test
    void theSameSeedGivesBitwiseTheSameTraining() {
        float[][] runs = new float[2][];
        for (int r = 0; r < 2; r++) {
            try (NDManager m = NDManager.newBaseManager()) {
                EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), SCHEDULE, config(30));
                runs[r] = trainer.train(DATA.sample(m, 1_000, 1));
            }
        }
        assertArrayEquals(runs[0], runs[1]);
    }

    /** Native memory stays flat: after warm-up, no NDArray outlives its step in the training manager. */
    @Test
    void stepsLeaveNoArraysBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray train = DATA.sample(m, 5_000, 1);
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), SCHEDULE, config(1000));
            for (int i = 0; i < 5; i++) {
                trainer.step(train); // Adam creates its moment buffers on the first step
            }
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 200; i++) {
                trainer.step(train);
            }
            assertEquals(before, m.getManagedArrays().size(), "arrays alive in the training manager");
        }
    }

    @Test
    void checkpointRoundTripGivesTheSameNetwork(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = dir.resolve("eps.params");
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), SCHEDULE, config(20).withCheckpoint(file));
            trainer.train(DATA.sample(m, 1_000, 1));
            EpsMlp loaded = new EpsMlp(2, 32, 2, 8);
            loaded.initialize(m);
            Checkpoint.load(loaded, m, file);
            NDArray x = m.randomNormal(new Shape(10, 2));
            NDArray expected = new NetworkScoreModel(trainer.ema(), SCHEDULE).epsilon(x, 50);
            NDArray actual = new NetworkScoreModel(loaded, SCHEDULE).epsilon(x, 50);
            assertArrayEquals(expected.toFloatArray(), actual.toFloatArray());
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no temporary files left behind");
            }
        }
    }

    /** Data with NaN rows is refused before the first step, naming the rows, and the last checkpoint stays as it was. */
    @Test
    void nanDataIsRefusedAndTheLastCheckpointIsKept(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path file = dir.resolve("eps.params");
            NDArray train = DATA.sample(m, 1_000, 1);
            EpsTrainer healthy = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), SCHEDULE, config(10).withCheckpoint(file));
            healthy.train(train);
            byte[] good = Files.readAllBytes(file);
            NDArray poisoned = train.duplicate();
            poisoned.set(new ai.djl.ndarray.index.NDIndex(":, 0"), Float.NaN);
            EpsTrainer diverging = new EpsTrainer(m, new EpsMlp(2, 32, 2, 8), SCHEDULE, config(10).withCheckpoint(file));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> diverging.train(poisoned));
            assertTrue(e.getMessage().startsWith("data has 1000 rows with NaN or infinite entries"), e.getMessage());
            assertArrayEquals(good, Files.readAllBytes(file), "checkpoint untouched");
        }
    }

    /** Grad mode is per thread in PyTorch; training must not depend on the calling thread (notebook kernels, workers). */
    @Test
    void trainingRunsOnAFreshThread() throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread worker = new Thread(() -> {
            try (NDManager m = NDManager.newBaseManager()) {
                new EpsTrainer(m, new EpsMlp(2, 16, 1, 8), SCHEDULE, config(5)).train(DATA.sample(m, 500, 1));
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        worker.start();
        worker.join();
        assertEquals(null, failure[0], () -> "training on a fresh thread failed: " + failure[0]);
    }

    @Test
    void badConfigurationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(0, 1, 1e-3, 0.9, 1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 1, -1, 0.9, 1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new TrainingConfig(1, 1, 1e-3, 1.0, 1, 1, null));
        try (NDManager m = NDManager.newBaseManager()) {
            EpsTrainer trainer = new EpsTrainer(m, new EpsMlp(2, 8, 1, 4), SCHEDULE, config(1));
            assertThrows(IllegalArgumentException.class, () -> trainer.step(m.zeros(new Shape(10, 3))));
        }
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
