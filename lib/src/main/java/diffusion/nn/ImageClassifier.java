package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Arguments;

/**
 * A small CNN classifier for images (n, C, H, W) with H and W divisible by 4 (8x8 digits, 28x28 Fashion-MNIST): two
 * blocks of a 3x3 convolution (padding 1) with ReLU and a 2x2 max-pool, `channels` then 2 `channels` filters, then
 * the flattened (2 channels, H/4, W/4) map through a linear layer of `featureWidth` units with ReLU (the penultimate
 * features, what the Frechet distance reads), then a linear class head to K logits. Inputs: NDList(x); output:
 * NDList(logits (n, K)). Tensor operations only, so it runs on whatever device holds x and the weights.
 */
public final class ImageClassifier extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Shape imageShape;
    private final int classes;
    private final int channels;
    private final int featureWidth;
    private final SequentialBlock body;
    private final Linear head;

    /**
     * A classifier of images of shape (C, H, W), H and W positive multiples of 4, into `classes` &gt;= 2 classes, with
     * `channels` &gt;= 1 filters in the first block and `featureWidth` &gt;= 1 penultimate features.
     */
    public ImageClassifier(Shape imageShape, int classes, int channels, int featureWidth) {
        super(VERSION);
        Arguments.nonNull("imageShape", imageShape);
        if (imageShape.dimension() != 3 || imageShape.get(0) < 1 || imageShape.get(1) < 4 || imageShape.get(2) < 4
                || imageShape.get(1) % 4 != 0 || imageShape.get(2) % 4 != 0) {
            throw new IllegalArgumentException("imageShape = " + imageShape + ": expected (C, H, W) with C >= 1 and H, W"
                    + " positive multiples of 4 (two 2x2 poolings)");
        }
        Arguments.atLeast("classes", classes, 2);
        Arguments.atLeast("channels", channels, 1);
        Arguments.atLeast("featureWidth", featureWidth, 1);
        this.imageShape = imageShape;
        this.classes = classes;
        this.channels = channels;
        this.featureWidth = featureWidth;
        SequentialBlock layers = new SequentialBlock();
        for (int filters : new int[] {channels, 2 * channels}) {
            layers.add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        layers.add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(featureWidth).build())
                .add(Activation::relu);
        this.body = addChildBlock("body", layers);
        this.head = addChildBlock("head", Linear.builder().setUnits(classes).build());
    }

    /** The default for images of shape (C, H, W): 16 filters in the first block, 64 penultimate features. */
    public static ImageClassifier forImages(Shape imageShape, int classes) {
        return new ImageClassifier(imageShape, classes, 16, 64);
    }

    /** A fresh, uninitialised classifier with the same architecture (used for the EMA copy). */
    public ImageClassifier sameArchitecture() {
        return new ImageClassifier(imageShape, classes, channels, featureWidth);
    }

    /** (C, H, W), the shape of one input image. */
    public Shape imageShape() {
        return imageShape;
    }

    /** K, the number of classes. */
    public int classes() {
        return classes;
    }

    /** The width of the penultimate feature layer. */
    public int featureWidth() {
        return featureWidth;
    }

    /** Initialises the parameters for batches of images of imageShape(). */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1).addAll(imageShape));
    }

    /** The penultimate features (n, featureWidth) of images x (n, C, H, W), in inference mode. */
    public NDArray features(NDArray x) {
        requireImages("x", x);
        return body.forward(new ParameterStore(x.getManager(), false), new NDList(x), false).head();
    }

    /** The class logits (n, K) of penultimate features (n, featureWidth), in inference mode (the class head alone). */
    public NDArray logitsOfFeatures(NDArray features) {
        Arguments.floatingBatch("features", features, featureWidth);
        return head.forward(new ParameterStore(features.getManager(), false), new NDList(features), false).head();
    }

    /** The class logits (n, K) of images x (n, C, H, W), in inference mode. */
    public NDArray logits(NDArray x) {
        return logitsOfFeatures(features(x));
    }

    /** The class probabilities p(y|x) = softmax(logits) (n, K) of images x (n, C, H, W), in inference mode. */
    public NDArray probabilities(NDArray x) {
        return logits(x).softmax(1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        requireImages("x", inputs.head());
        NDList features = body.forward(parameterStore, inputs, training, params);
        return head.forward(parameterStore, features, training, params);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        body.initialize(manager, dataType, inputShapes[0]);
        head.initialize(manager, dataType, body.getOutputShapes(inputShapes)[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    /** Throws IllegalArgumentException unless x is a floating-point batch (n, C, H, W) of n &gt;= 1 images of imageShape(). */
    public void requireImages(String name, NDArray x) {
        if (!x.getDataType().isFloating()) {
            throw new IllegalArgumentException(name + " has data type " + x.getDataType() + "; a floating-point type is required");
        }
        Arguments.requireSamples(name, x, imageShape);
    }

    /** Throws IllegalArgumentException unless labels is an integer array of shape (n) with values in 0..K-1. */
    public void requireLabels(String name, NDArray labels, long n) {
        if (!labels.getDataType().isInteger()) {
            throw new IllegalArgumentException(name + " has data type " + labels.getDataType() + "; an integer type is required");
        }
        if (!labels.getShape().equals(new Shape(n))) {
            throw new IllegalArgumentException(name + " has shape " + labels.getShape() + ": expected (" + n + "), one label per image");
        }
        long min;
        long max;
        try (NDArray wide = labels.toType(DataType.INT64, true); NDArray low = wide.min(); NDArray high = wide.max()) {
            min = low.getLong();
            max = high.getLong();
        }
        if (min < 0 || max >= classes) {
            throw new IllegalArgumentException(name + " has values in [" + min + ", " + max + "]: a classifier of " + classes
                    + " classes needs labels in [0, " + (classes - 1) + "]");
        }
    }
}
