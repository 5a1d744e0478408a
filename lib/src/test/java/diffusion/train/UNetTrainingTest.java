package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.PerSample;
import diffusion.data.Digits;
import diffusion.data.ImageSplit;
import diffusion.nn.UNet;
import diffusion.process.ForwardProcess;
import diffusion.report.Results;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** EpsTrainer trains a UNet on images (n, 1, 8, 8) as it trains an MLP on vectors. */
class UNetTrainingTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);

    private static UNet tiny() {
        return new UNet(new UNet.Config(1, 8, 8, 1, 8, List.of(1, 2), 1, Set.of(), 0, 4, OptionalInt.empty()));
    }

    /** Per row i: ||eps_i - eps_theta(x_t,i, t_i)||^2 over the image's 64 entries, for fixed x0, t and eps. */
    private static double[] rowLosses(UNet network, NDArray x0, NDArray t, NDArray eps) {
        NDArray xt = new ForwardProcess(SCHEDULE).sample(x0, t, eps);
        NDArray predicted = network.forward(new ParameterStore(x0.getManager(), false), new NDList(xt, t), false).head();
        float[] rows = PerSample.sum(eps.sub(predicted).square()).toFloatArray();
        double[] losses = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            losses[i] = rows[i];
        }
        return losses;
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** The standard error of the mean of values. */
    private static double standardError(double[] values) {
        double m = mean(values);
        double square = 0;
        for (double v : values) {
            square += (v - m) * (v - m);
        }
        return Math.sqrt(square / (values.length - 1) / values.length);
    }

    /**
     * 200 Adam steps (batch 64) of a tiny UNet on the training digits lower L_simple on the 300 held-out test digits,
     * measured on the same fixed (x_0, t, eps) before and after: by more than 5 standard errors of the paired
     * per-row differences (a drop that size has probability below 3e-7 under no improvement, by the normal limit of
     * a mean of 300 rows), and below E||eps||^2 = d = 64, the loss of eps_theta = 0, by more than 5 standard errors.
     */
    @Test
    void twoHundredStepsLowerTheLossOfHeldOutDigits() {
        ImageSplit digits = Digits.load(Results.repoRoot().resolve(Digits.FILE));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray train = digits.train().images(m);
            NDArray test = digits.test().images(m);
            int n = digits.test().size();
            Random random = new Random(99);
            long[] steps = new long[n];
            float[] noise = new float[n * 64];
            for (int i = 0; i < n; i++) {
                steps[i] = 1 + random.nextInt(SCHEDULE.T());
            }
            for (int k = 0; k < noise.length; k++) {
                noise[k] = (float) random.nextGaussian();
            }
            NDArray t = m.create(steps);
            NDArray eps = m.create(noise, test.getShape());

            EpsTrainer<UNet> trainer = new EpsTrainer<>(m, tiny(), SCHEDULE, new TrainingConfig(200, 64, 2e-3, 0.99, 7, 200, null));
            double[] before = rowLosses(trainer.network(), test, t, eps);
            long start = System.nanoTime();
            float[] losses = trainer.train(train);
            double seconds = (System.nanoTime() - start) / 1e9;
            double[] after = rowLosses(trainer.network(), test, t, eps);
            double[] drop = new double[n];
            for (int i = 0; i < n; i++) {
                drop[i] = before[i] - after[i];
            }
            System.out.printf("tiny UNet on digits: held-out L_simple %.2f -> %.2f (d = 64) after %d steps in %.1f s; last batch loss %.2f%n",
                    mean(before), mean(after), losses.length, seconds, losses[losses.length - 1]);
            assertTrue(mean(drop) > 5 * standardError(drop), "drop " + mean(drop) + ", SE " + standardError(drop));
            assertTrue(mean(after) < 64 - 5 * standardError(after), "after " + mean(after) + ", SE " + standardError(after));
            ScoreModel model = trainer.scoreModel();
            assertEquals(new Shape(1, 8, 8), model.sampleShape());
        }
    }

    /** Data whose channels do not match the network's are refused before the first step, naming both shapes. */
    @Test
    void aChannelMismatchIsRefusedBeforeTrainingStarts() {
        try (NDManager m = NDManager.newBaseManager()) {
            EpsTrainer<UNet> trainer = new EpsTrainer<>(m, tiny(), SCHEDULE, new TrainingConfig(5, 8, 1e-3, 0.9, 1, 5, null));
            NDArray rgb = m.zeros(new Shape(16, 3, 8, 8));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.train(rgb));
            assertEquals("data has shape (16, 3, 8, 8): expected (n, 1, 8, 8) with n >= 1, one sample of shape (1, 8, 8) per row", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.step(m.zeros(new Shape(16, 64))));
        }
    }
}
