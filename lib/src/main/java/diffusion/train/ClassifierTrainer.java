package diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;
import diffusion.loss.CrossEntropy;
import diffusion.metrics.ClassifierScores;
import diffusion.nn.ImageClassifier;
import diffusion.report.Environment;

/**
 * An image classifier trained, seeded, on the cross-entropy -(1/n) sum_i log softmax(f(x_i))_{y_i} with Adam and an
 * EMA of the weights: a thin composition of Trainer and CrossEntropy over packed rows [image, label], so minibatches
 * are drawn by Trainer from the engine's generator, seeded by config.seed(). The EMA classifier is the one to score
 * with (ema()); testAccuracy reports its accuracy on held-out images.
 */
public final class ClassifierTrainer {

    /** Batch size of the scoring passes in testAccuracy (memory only; the result does not depend on it). */
    private static final int SCORING_BATCH = 500;

    private final ImageClassifier network;
    private final ImageClassifier ema;
    private final Trainer trainer;

    /** Initialises classifier (seeded by config.seed()) and its EMA copy in manager, which owns their weights. */
    public ClassifierTrainer(NDManager manager, ImageClassifier classifier, TrainingConfig config) {
        Arguments.allNonNull("manager, classifier, config", manager, classifier, config);
        Environment.seed(config.seed());
        classifier.initialize(manager);
        this.network = classifier;
        this.ema = classifier.sameArchitecture();
        ema.initialize(manager);
        this.trainer = new Trainer(manager, network, ema, CrossEntropy.objective(network), config);
    }

    /** The classifier being optimised. */
    public ImageClassifier network() {
        return network;
    }

    /** The exponential moving average of the classifier's weights (the one to score with). */
    public ImageClassifier ema() {
        return ema;
    }

    /** Runs config.steps() steps on images (n, C, H, W) with integer labels (n), with a progress line; returns the loss per step. */
    public float[] train(NDArray images, NDArray labels) {
        return train(images, labels, Monitor.progress());
    }

    /** As above, telling the monitor the loss after every step. */
    public float[] train(NDArray images, NDArray labels, Monitor monitor) {
        try (NDArray rows = CrossEntropy.pack(network, images, labels)) {
            return trainer.train(rows, monitor);
        }
    }

    /** The EMA classifier's accuracy on held-out images (n, C, H, W) with integer labels (n). */
    public double testAccuracy(NDArray images, NDArray labels) {
        ema.requireLabels("labels", labels, images.getShape().get(0));
        try (ClassifierScores scores = ClassifierScores.of(ema, ema.classes(), images, SCORING_BATCH)) {
            return scores.accuracy(labels);
        }
    }
}
