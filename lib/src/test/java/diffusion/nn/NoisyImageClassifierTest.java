package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.guidance.NoisyClassifier;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.train.NoisyClassifierTrainer;
import diffusion.train.TrainingConfig;
import org.junit.jupiter.api.Test;

/**
 * The time-dependent image classifier: its shapes and refusals, its parameter count written out by hand, and, trained
 * on noisy images of two classes whose Bayes classifier is exact at every t, a cross-entropy on fresh noisy images
 * within a stated margin of the exact one at three noise levels (which a classifier blind to t cannot reach).
 */
class NoisyImageClassifierTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(1000);
    /** Class y's images: every pixel (2y - 1) MU plus N(0, SIGMA0^2) noise, so p_t(x | y) is an exact Gaussian. */
    private static final double MU = 0.5;
    private static final double SIGMA0 = 0.2;

    @Test
    void logitsHaveOneRowPerImageAndOneColumnPerClass() {
        Environment.seed(1);
        for (NoisyImageClassifier.Config config : new NoisyImageClassifier.Config[] {
                new NoisyImageClassifier.Config(1, 8, 8, 10, 8, 2, 4), new NoisyImageClassifier.Config(1, 28, 28, 10, 8, 3, 4),
                new NoisyImageClassifier.Config(3, 32, 32, 4, 8, 3, 4)}) {
            NoisyImageClassifier net = new NoisyImageClassifier(config);
            net.initialize(manager);
            NDArray x = manager.randomNormal(new Shape(5).addAll(net.sampleShape()));
            NDArray tau = manager.create(new float[] {1, 10, 100, 500, 1000});
            NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(x, tau), false).head();
            assertEquals(new Shape(5, config.classes()), logits.getShape(), config.toString());
        }
    }

    @Test
    void unsupportedArchitecturesAreRefusedWithTheSizesThatWork() {
        var e = assertThrows(IllegalArgumentException.class, () -> new NoisyImageClassifier.Config(1, 28, 28, 10, 8, 4, 4));
        assertTrue(e.getMessage().contains("multiples of 8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NoisyImageClassifier.Config(1, 8, 8, 10, 6, 2, 4));
        assertTrue(e.getMessage().contains("groups = 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NoisyImageClassifier.Config(1, 8, 8, 1, 8, 2, 4));
        assertTrue(e.getMessage().contains("classes = 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NoisyImageClassifier.Config(1, 8, 8, 10, 8, 17, 4));
        assertTrue(e.getMessage().contains("levels = 17"), e.getMessage());
        NoisyImageClassifier net = NoisyImageClassifier.forDigits();
        net.initialize(manager);
        NDArray wrong = manager.zeros(new Shape(2, 1, 7, 7));
        assertThrows(IllegalArgumentException.class, () -> net.forward(new ParameterStore(manager, false),
                new NDList(wrong, manager.ones(new Shape(2))), false));
    }

    /** Base 8 (embedding 32, sinusoid 8), two levels, 10 classes, counted layer by layer as in UNetTest. */
    @Test
    void parameterCountMatchesTheArchitecture() {
        NoisyImageClassifier net = new NoisyImageClassifier(new NoisyImageClassifier.Config(1, 8, 8, 10, 8, 2, 4));
        net.initialize(manager);
        int e = 32;
        long expected = UNetTest.linear(8, e) + UNetTest.linear(e, e) // time MLP
                + UNetTest.conv(3, 1, 8) // input
                + UNetTest.residual(8, 8, e) + UNetTest.conv(3, 8, 8) + UNetTest.residual(8, 16, e) // level 0, halving, level 1
                + UNetTest.norm(16) + UNetTest.linear(16, 10); // output GN and head
        assertEquals(expected, net.parameterCount());
        assertThrows(IllegalStateException.class, () -> NoisyImageClassifier.forDigits().parameterCount());
    }

    /**
     * Proposition: with x_0 | y ~ N((2y - 1) MU 1, SIGMA0^2 I) in d = 64 pixels, x_t | y ~ N(m_y, v_t I) with
     * m_y = sqrt(alphaBar_t) (2y - 1) MU 1 and v_t = alphaBar_t SIGMA0^2 + 1 - alphaBar_t, so the Bayes log-odds are
     * log p_t(1 | x) - log p_t(0 | x) = 2 sqrt(alphaBar_t) MU sum(x) / v_t, and its cross-entropy is the least any
     * classifier can have. After 600 steps the trained classifier's cross-entropy on 4000 fresh noisy images at
     * t = 400, 550 and 700 (Bayes accuracy 0.98, 0.81, 0.63) is within 0.02 nats of the exact one's. Power: the exact
     * log-odds with t = 550's scale (what a classifier blind to t would at best use at every t) exceeds the exact
     * cross-entropy by more than 0.02 nats at t = 400 or 700, so the margin sees a classifier that ignores time.
     */
    @Test
    void theTrainedClassifierIsNearlyBayesOptimalAtEveryNoiseLevel() {
        Environment.seed(5);
        NDArray labels = manager.randomInteger(0, 2, new Shape(4000), DataType.INT64);
        var trainer = new NoisyClassifierTrainer(manager, new NoisyImageClassifier(new NoisyImageClassifier.Config(1, 8, 8, 2, 8, 2, 4)),
                2, SCHEDULE, new TrainingConfig(600, 128, 3e-3, 0.99, 6, 600, null));
        trainer.train(images(labels, 7), labels);
        NoisyClassifier learned = trainer.classifier();
        double worstControlGap = 0;
        for (int t : new int[] {400, 550, 700}) {
            NDArray y = manager.randomInteger(0, 2, new Shape(4000), DataType.INT64);
            double a = SCHEDULE.alphaBar(t);
            NDArray xt = images(y, 100 + t).mul(Math.sqrt(a)).add(manager.randomNormal(new Shape(4000, 1, 8, 8)).mul(Math.sqrt(1 - a)));
            double exact = crossEntropy(bayesLogOdds(xt, t), y);
            double wrongTime = crossEntropy(bayesLogOdds(xt, 550), y); // the right classifier at the wrong time
            NDArray logp = learned.logProbabilities(xt, t);
            double trained = -logp.get(":, 1").mul(y.toType(DataType.FLOAT32, false))
                    .add(logp.get(":, 0").mul(y.toType(DataType.FLOAT32, false).neg().add(1))).mean().getFloat();
            assertTrue(trained <= exact + 0.02, "t = " + t + ": cross-entropy " + trained + " against the exact " + exact);
            worstControlGap = Math.max(worstControlGap, wrongTime - exact);
        }
        assertTrue(worstControlGap > 0.02, "the control's gap " + worstControlGap + " must exceed the margin");
    }

    /** n images (n, 1, 8, 8) of the labels' classes: (2y - 1) MU + SIGMA0 N(0, 1) per pixel. */
    private static NDArray images(NDArray labels, long seed) {
        Environment.seed(seed);
        long n = labels.getShape().get(0);
        NDArray sign = labels.toType(DataType.FLOAT32, false).mul(2).sub(1).reshape(n, 1, 1, 1);
        return sign.mul(MU).add(manager.randomNormal(new Shape(n, 1, 8, 8)).mul(SIGMA0));
    }

    private static double variance(double alphaBar) {
        return alphaBar * SIGMA0 * SIGMA0 + 1 - alphaBar; // v_t
    }

    /** 2 sqrt(alphaBar_t) MU sum(x) / v_t per row. */
    private static NDArray bayesLogOdds(NDArray x, int t) {
        double a = SCHEDULE.alphaBar(t);
        return x.sum(new int[] {1, 2, 3}).mul(2 * Math.sqrt(a) * MU / variance(a));
    }

    /** mean of softplus(-(2y - 1) logOdds) = -mean log p(y | x). */
    private static double crossEntropy(NDArray logOdds, NDArray y) {
        NDArray signed = logOdds.mul(y.toType(DataType.FLOAT32, false).mul(2).sub(1)).neg();
        return signed.exp().add(1).log().mean().getFloat();
    }
}
