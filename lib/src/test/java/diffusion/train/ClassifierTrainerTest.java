package diffusion.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Monitor;
import diffusion.SquareImages;
import diffusion.metrics.ClassifierScores;
import diffusion.metrics.FrechetBaseline;
import diffusion.metrics.FrechetDistance;
import diffusion.nn.ImageClassifier;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClassifierTrainerTest {

    private static final double NOISE = 1.0;

    /**
     * On the square images at noise 1 (Bayes error between two classes Phi(-4.2) = 1e-5), 300 steps of batch 64
     * reach a test accuracy of at least 95% on 1000 held-out images: the floor leaves 5 points for a short run,
     * against a Bayes accuracy above 99.99%. The loss falls from ln 4 = 1.39 at the start.
     */
    @Test
    void learnsSeparableImagesToTheFloor() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClassifierTrainer trainer = trained(m);
            NDArray labels = SquareImages.labels(m, 1000);
            double accuracy = trainer.testAccuracy(SquareImages.images(m, labels, NOISE, 99), labels);
            assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
        }
    }

    /**
     * A negative-control-style check of FD on trained features: two independent draws of 500 images of class 0 lie
     * within the data-versus-data baseline at n = 500 (below mean + 4 sd of 20 disjoint splits of a pool of 4000
     * class-0 images), while class 0 against class 1 exceeds 20 times that threshold: FD sees a difference of law and
     * not the finite-n noise.
     */
    @Test
    void theFrechetDistanceOfTrainedFeaturesSeparatesClassesAndNotDraws() {
        try (NDManager m = NDManager.newBaseManager()) {
            ImageClassifier classifier = trained(m).ema();
            try (ClassifierScores pool = score(classifier, SquareImages.ofClass(m, 0, 4000, NOISE, 9));
                 ClassifierScores zero = score(classifier, SquareImages.ofClass(m, 0, 500, NOISE, 10));
                 ClassifierScores again = score(classifier, SquareImages.ofClass(m, 0, 500, NOISE, 11));
                 ClassifierScores one = score(classifier, SquareImages.ofClass(m, 1, 500, NOISE, 12))) {
                FrechetBaseline baseline = FrechetBaseline.of(pool.features(), 500, 20, 3);
                double within = FrechetDistance.between(zero.features(), again.features());
                double between = FrechetDistance.between(zero.features(), one.features());
                assertTrue(within < baseline.threshold(4), "FD within class 0 " + within + ", baseline " + baseline);
                assertTrue(between > 20 * baseline.threshold(4), "FD between classes " + between + ", baseline " + baseline);
            }
        }
    }

    /** Labels that do not fit the classifier or the images are refused before training starts. */
    @Test
    void badLabelsAreRefusedBeforeTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            ClassifierTrainer trainer = new ClassifierTrainer(m, new ImageClassifier(SquareImages.IMAGE, 3, 4, 8),
                    new TrainingConfig(10, 8, 1e-3, 0.9, 1, 10, null));
            NDArray labels = SquareImages.labels(m, 8);
            NDArray images = SquareImages.images(m, labels, NOISE, 1);
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> trainer.train(images, labels));
            assertTrue(error.getMessage().contains("3 classes"), error.getMessage());
        }
    }

    private static ClassifierTrainer trained(NDManager m) {
        ClassifierTrainer trainer = new ClassifierTrainer(m, new ImageClassifier(SquareImages.IMAGE, SquareImages.CLASSES, 8, 32),
                new TrainingConfig(300, 64, 2e-3, 0.95, 7, 300, null));
        NDArray labels = SquareImages.labels(m, 2000);
        float[] losses = trainer.train(SquareImages.images(m, labels, NOISE, 5), labels, Monitor.quiet());
        assertTrue(mean(Arrays.copyOfRange(losses, 250, 300)) < 0.2 * mean(Arrays.copyOfRange(losses, 0, 10)),
                "the loss falls: " + losses[0] + " -> " + losses[299]);
        return trainer;
    }

    private static ClassifierScores score(ImageClassifier classifier, NDArray images) {
        return ClassifierScores.of(classifier, SquareImages.CLASSES, images, 128);
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
