package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.nn.ImageClassifier;

/**
 * What a trained classifier says about a set of images (n, C, H, W): its penultimate features (n, featureWidth), read
 * by the Frechet distance, and its class probabilities p(y|x) (n, K), read by the Inception Score, both from one
 * forward pass per batch of images (in inference mode, each batch in its own NDScope so native memory stays flat).
 * The arrays live in the images' manager; close them (close(), or that manager) when done.
 */
public record ClassifierScores(NDArray features, NDArray probabilities) implements AutoCloseable {

    /** The largest |pixel| scored: images lie in [-1, 1], samples overshoot little; a 4 x 4 patch of 1e38 overflows the features. */
    public static final double MAX_PIXEL = 100;

    /** Features and probabilities must be (n, width) and (n, K) arrays of the same n. */
    public ClassifierScores {
        Arguments.nonNull("features", features);
        Arguments.nonNull("probabilities", probabilities);
        if (features.getShape().dimension() != 2 || probabilities.getShape().dimension() != 2
                || features.getShape().get(0) != probabilities.getShape().get(0)) {
            throw new IllegalArgumentException("features have shape " + features.getShape() + " and probabilities "
                    + probabilities.getShape() + ": expected (n, width) and (n, K)");
        }
    }

    /**
     * Runs images (n, C, H, W) through the classifier in batches of batchSize &gt;= 1. classes is the class count of the
     * data set the images come from: a classifier trained for another count, or images of another shape than the
     * classifier's, or images with NaN, infinite or pixels beyond +-MAX_PIXEL, are refused before any work.
     */
    public static ClassifierScores of(ImageClassifier classifier, int classes, NDArray images, int batchSize) {
        Arguments.allNonNull("classifier, images", classifier, images);
        if (classifier.classes() != classes) {
            throw new IllegalArgumentException("classes = " + classes + " but the classifier has " + classifier.classes()
                    + " classes: use a classifier trained on this data set");
        }
        classifier.requireImages("images", images);
        Arguments.atLeast("batchSize", batchSize, 1);
        Arguments.bounded("images", images, MAX_PIXEL);
        long n = images.getShape().get(0);
        NDList features = new NDList();
        NDList probabilities = new NDList();
        try {
            for (long from = 0; from < n; from += batchSize) {
                try (NDScope scope = new NDScope()) {
                    NDArray f = classifier.features(images.get(from + ":" + Math.min(n, from + batchSize)));
                    NDArray p = classifier.logitsOfFeatures(f).softmax(1); // p(y|x) = softmax(logits)
                    NDScope.unregister(f, p);
                    features.add(f);
                    probabilities.add(p);
                }
            }
            return new ClassifierScores(NDArrays.concat(features), NDArrays.concat(probabilities));
        } finally {
            features.close();
            probabilities.close();
        }
    }

    /** n, the number of images scored. */
    public long size() {
        return features.getShape().get(0);
    }

    /** Closes the features and the probabilities. */
    @Override
    public void close() {
        features.close();
        probabilities.close();
    }

    /** The fraction of images whose most probable class is their label, for integer labels (n) in 0..K-1. */
    public double accuracy(NDArray labels) {
        Arguments.nonNull("labels", labels);
        if (!labels.getDataType().isInteger() || !labels.getShape().equals(new Shape(size()))) {
            throw new IllegalArgumentException("labels has type " + labels.getDataType() + " and shape " + labels.getShape()
                    + ": expected integer labels of shape (" + size() + ")");
        }
        try (NDScope scope = new NDScope()) {
            NDArray predicted = probabilities.argMax(1); // argmax_y p(y|x)
            return predicted.eq(labels.toType(DataType.INT64, false)).toType(DataType.FLOAT64, false).mean().getDouble();
        }
    }
}
