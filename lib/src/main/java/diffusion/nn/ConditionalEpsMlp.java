package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Arguments;

/**
 * A class-conditional noise predictor eps_theta(x_t, tau, y) for low-dimensional data: the input x_t (n, d), the
 * sinusoidal embedding of the time input tau (n,) and the one-hot code of the label y (n,) in 0..K (K = no label, the
 * null class of classifier-free guidance; the label input may be left out, meaning K) are concatenated and passed
 * through `depth` hidden layers of `width` SiLU units and a linear layer to d outputs. The first layer's weights on the
 * one-hot code are a learned label embedding added to the contributions of x_t and emb(tau). Inputs:
 * NDList(x_t, tau[, y]); output: NDList of shape (n, d).
 */
public final class ConditionalEpsMlp extends AbstractBlock implements TimeNetwork {

    private static final byte VERSION = 1;

    private final int dim;
    private final int classes;
    private final int width;
    private final int depth;
    private final SinusoidalEmbedding embedding;
    private final SequentialBlock mlp;

    /** An MLP for d &gt;= 1 dimensional data over K &gt;= 1 classes, `depth` &gt;= 1 hidden layers of `width` &gt;= 1 units, an even embedding size. */
    public ConditionalEpsMlp(int dim, int classes, int width, int depth, int embeddingSize) {
        super(VERSION);
        Arguments.mlp(width, depth, "dim, classes, embedding size", dim, classes, embeddingSize);
        this.dim = dim;
        this.classes = classes;
        this.width = width;
        this.depth = depth;
        this.embedding = new SinusoidalEmbedding(embeddingSize);
        SequentialBlock layers = new SequentialBlock();
        for (int layer = 0; layer < depth; layer++) {
            layers.add(Linear.builder().setUnits(width).build()).add(x -> new NDList(Activation.sigmoid(x.head()).mul(x.head()))); // SiLU x sigmoid(x)
        }
        layers.add(Linear.builder().setUnits(dim).build());
        this.mlp = addChildBlock("mlp", layers);
    }

    /** The default for 2D toy data over K classes: 3 hidden layers of 128 units, a 32-dimensional time embedding. */
    public static ConditionalEpsMlp forDim(int dim, int classes) {
        return new ConditionalEpsMlp(dim, classes, 128, 3, 32);
    }

    /** K, the number of classes (the label K means no label). */
    public int classes() {
        return classes;
    }

    @Override
    public ConditionalEpsMlp sameArchitecture() {
        return new ConditionalEpsMlp(dim, classes, width, depth, embedding.size());
    }

    /** (d). */
    @Override
    public Shape sampleShape() {
        return new Shape(dim);
    }

    /** Initialises the parameters for batches of d-dimensional data. */
    @Override
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, dim), new Shape(1));
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        Arguments.requireSamples("x", x, sampleShape());
        NDArray h = NDArrays.concat(new NDList(x, embedding.apply(inputs.get(1)).toType(x.getDataType(), false),
                oneHot(inputs, x)), 1); // [x_t, emb(tau), one-hot(y)]
        return mlp.forward(parameterStore, new NDList(h), training, params);
    }

    /** one-hot(y, K + 1) of the labels y (n,) in 0..K, or of y = K for every row when none is given. */
    private NDArray oneHot(NDList inputs, NDArray x) {
        long n = x.getShape().get(0);
        if (inputs.size() < 3) {
            return x.getManager().full(new Shape(n), classes, DataType.INT64).toDevice(x.getDevice(), false).oneHot(classes + 1)
                    .toType(x.getDataType(), false);
        }
        NDArray labels = inputs.get(2);
        if (!labels.getShape().equals(new Shape(n)) || !labels.getDataType().isInteger()) {
            throw new IllegalArgumentException("labels have shape " + labels.getShape() + " and type " + labels.getDataType()
                    + ": expected (" + n + ",) integers in 0.." + classes + " (" + classes + " = no label)");
        }
        NDArray wide = labels.toType(DataType.INT64, false);
        long min = wide.min().getLong();
        long max = wide.max().getLong();
        if (min < 0 || max > classes) {
            throw new IllegalArgumentException("labels lie in [" + min + ", " + max + "]: expected 0.." + classes + " ("
                    + classes + " = no label)");
        }
        return wide.oneHot(classes + 1).toType(x.getDataType(), false);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        mlp.initialize(manager, dataType, new Shape(inputShapes[0].get(0), dim + embedding.size() + classes + 1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), dim)};
    }
}
