package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.guidance.LabelledMixture;
import diffusion.guidance.NetworkConditional;
import diffusion.guidance.NoisyClassifier;
import diffusion.nn.ConditionalEpsMlp;
import diffusion.nn.EpsMlp;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import org.junit.jupiter.api.Test;

/**
 * Training with labels: EpsTrainer with label dropout learns the conditional and the unconditional eps in one network,
 * and NoisyClassifierTrainer learns p_t(y | x_t); both against the exact labelled mixture, on a short seeded budget.
 */
class ConditionalTrainingTest extends ManagedTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);
    /** Two classes: class 0 a bimodal mixture on the left, class 1 one Gaussian on the right. */
    private static final GaussianMixture DATA = GaussianMixture.of(new double[] {0.3, 0.2, 0.5},
            new double[][] {{-2.0, 1.0}, {-1.0, -1.5}, {1.5, 0.5}}, new double[][] {{0.1, 0.1}, {0.1, 0.1}, {0.1, 0.1}});
    private static final int[] LABELS = {0, 0, 1};
    private static final LabelledMixture ORACLE = new LabelledMixture(DATA, LABELS, SCHEDULE);

    /** n labelled samples of the mixture (component k gives label c(k)), seeded. */
    private static NDList labelled(int n, long seed) {
        int[] counts = {(int) (0.5 * n), n - (int) (0.5 * n)};
        NDArray x = ORACLE.classData(0).sample(manager, counts[0], seed).concat(ORACLE.classData(1).sample(manager, counts[1], seed + 1), 0);
        NDArray y = manager.zeros(new ai.djl.ndarray.types.Shape(counts[0]), DataType.INT64)
                .concat(manager.ones(new ai.djl.ndarray.types.Shape(counts[1]), DataType.INT64), 0);
        return new NDList(x, y);
    }

    private static double meanSquared(NDArray a, NDArray b) {
        return a.sub(b).square().sum(new int[] {1}).mean().getFloat();
    }

    /**
     * After 600 steps with p_uncond = 0.2, at t = 20 and 50 of 100: the network given y is closer (mean squared eps
     * error) to the exact p_t(x | y)'s eps than to the other class's, and the network given no label is closer to the
     * exact unconditional eps than either conditional network is. The margins are the classes' separation, not a tuned
     * tolerance: the exact conditional eps of the two classes differ by much more than the training error.
     */
    @Test
    void labelDropoutTrainsConditionalAndUnconditionalModels() {
        NDList data = labelled(4000, 1);
        var trainer = new EpsTrainer<>(manager, new ConditionalEpsMlp(2, 2, 64, 2, 16), SCHEDULE,
                new TrainingConfig(600, 256, 2e-3, 0.99, 3, 600, null), new LabelDropout(2, 0.2));
        float[] losses = trainer.train(data.get(0), data.get(1));
        assertEquals(600, losses.length);
        NetworkConditional model = trainer.conditionalModel();
        for (int t : new int[] {20, 50}) {
            NDArray x = ORACLE.unconditional().marginal(t).sample(manager, 1000, 5 + t);
            for (int y = 0; y < 2; y++) {
                double right = meanSquared(model.given(y).epsilon(x, t), ORACLE.given(y).epsilon(x, t));
                double wrong = meanSquared(model.given(y).epsilon(x, t), ORACLE.given(1 - y).epsilon(x, t));
                assertTrue(right < 0.5 * wrong, "t = " + t + ", y = " + y + ": error " + right + " vs the other class " + wrong);
            }
            ScoreModel none = model.unconditional();
            double unconditional = meanSquared(none.epsilon(x, t), ORACLE.unconditional().epsilon(x, t));
            for (int y = 0; y < 2; y++) {
                double asConditional = meanSquared(model.given(y).epsilon(x, t), ORACLE.unconditional().epsilon(x, t));
                assertTrue(unconditional < asConditional, "t = " + t + ": unconditional " + unconditional + " vs given " + y + " " + asConditional);
            }
        }
    }

    /**
     * A time-dependent classifier (EpsMlp with K = 2 outputs) after 400 steps agrees with the exact Bayes classifier
     * argmax_y p_t(y | x) on at least 95% of 2000 points of p_t at t = 10, 40 and 70 (where the exact classifier is
     * itself confident on most points, the classes being separated by 3.5 standard deviations at t = 0).
     */
    @Test
    void theNoisyClassifierAgreesWithTheExactOne() {
        NDList data = labelled(4000, 2);
        var trainer = new NoisyClassifierTrainer(manager, new EpsMlp(2, 2, 64, 2, 16), 2, SCHEDULE,
                new TrainingConfig(400, 256, 2e-3, 0.99, 4, 400, null));
        trainer.train(data.get(0), data.get(1));
        NoisyClassifier learned = trainer.classifier();
        for (int t : new int[] {10, 40, 70}) {
            NDArray x = ORACLE.unconditional().marginal(t).sample(manager, 2000, 9 + t);
            NDArray exact = ORACLE.classifier().logProbabilities(x, t).argMax(1);
            double agreement = learned.logProbabilities(x, t).argMax(1).eq(exact).countNonzero().getLong() / 2000.0;
            assertTrue(agreement >= 0.95, "t = " + t + ": agreement " + agreement);
        }
    }

    /** A conditional trainer refuses unlabelled training and labels out of range; an unconditional one refuses labels. */
    @Test
    void labelsAreRequiredExactlyWhereTheyBelong() {
        NDList data = labelled(100, 3);
        var conditional = new EpsTrainer<>(manager, new ConditionalEpsMlp(2, 2, 8, 1, 4), SCHEDULE, TrainingConfig.of(1, 0), LabelDropout.of(2));
        assertThrows(IllegalStateException.class, () -> conditional.train(data.get(0)));
        assertThrows(IllegalArgumentException.class, () -> conditional.train(data.get(0), data.get(1).add(1)));
        assertThrows(IllegalArgumentException.class, () -> conditional.train(data.get(0), data.get(1).get("0:50")));
        var unconditional = new EpsTrainer<>(manager, new EpsMlp(2, 8, 1, 4), SCHEDULE, TrainingConfig.of(1, 0));
        assertThrows(IllegalStateException.class, () -> unconditional.train(data.get(0), data.get(1)));
        assertThrows(IllegalStateException.class, unconditional::conditionalModel);
    }
}
