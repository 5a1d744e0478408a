package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.nn.ImageClassifier;

/**
 * The cross-entropy of a classifier on labelled images, L = -(1/n) sum_i log softmax(f(x_i))_{y_i}, as an Objective
 * over packed rows, so that the generic Trainer (which draws rows of one (n, d) array) can train a classifier: each
 * row holds one image flattened to C H W values followed by its label as a float (exact for labels below 2^24).
 */
public final class CrossEntropy {

    private CrossEntropy() {
    }

    /** The rows [x_i flattened, y_i] (n, C H W + 1) of images (n, C, H, W) and integer labels (n) in 0..K-1. */
    public static NDArray pack(ImageClassifier classifier, NDArray images, NDArray labels) {
        classifier.requireImages("images", images);
        long n = images.getShape().get(0);
        classifier.requireLabels("labels", labels, n);
        try (NDScope scope = new NDScope()) {
            NDArray rows = NDArrays.concat(new NDList(images.reshape(n, -1).toType(DataType.FLOAT32, false),
                    labels.toType(DataType.FLOAT32, false).reshape(n, 1)), 1);
            NDScope.unregister(rows);
            return rows;
        }
    }

    /** L on a batch of packed rows (n, C H W + 1), in training mode, differentiable in the classifier's parameters. */
    public static Objective objective(ImageClassifier classifier) {
        Shape image = classifier.imageShape();
        long pixels = image.size();
        return (parameters, rows) -> {
            Arguments.floatingBatch("rows", rows, Math.toIntExact(pixels + 1));
            long n = rows.getShape().get(0);
            NDArray images = rows.get(":, :" + pixels).reshape(new Shape(n).addAll(image));
            NDArray labels = rows.get(":, " + pixels).toType(DataType.INT64, false);
            return of(classifier.forward(parameters, new NDList(images), true).head(), labels);
        };
    }

    /** -(1/n) sum_i log softmax(logits_i)_{y_i} for logits (n, K) and integer labels (n) in 0..K-1, a scalar. */
    public static NDArray of(NDArray logits, NDArray labels) {
        int classes = Math.toIntExact(logits.getShape().get(1));
        long[] values = labels.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "] = " + values[i] + " must lie in [0, " + (classes - 1) + "]");
            }
        }
        return logits.logSoftmax(1).mul(labels.oneHot(classes)).sum(new int[] {1}).mean().neg();
    }
}
