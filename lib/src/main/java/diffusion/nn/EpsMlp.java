package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.BlockList;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Arguments;

/**
 * A noise predictor eps_theta(x_t, tau) for low-dimensional data: the input x_t (n, d) is concatenated with the
 * sinusoidal embedding of the time input tau (n,) and passed through `depth` hidden layers of `width` units with SiLU
 * (x sigmoid(x)) activations, then a linear layer to `outputs` units (d for eps; 2d for eps and a variance
 * interpolation v, for instance). tau is the kernel time as the network reads it (TimeConditioning: a discrete
 * chain's step t itself, log sigma(t) in continuous time). Inputs: NDList(x_t, tau); output: NDList of shape (n, outputs).
 *
 * <p>When every row shares one tau outside training (a sampler's step evaluates all its points at one time), the first
 * layer W [x, emb(tau)] + b is computed as W_x x + (W_e emb(tau) + b): the time's part once, as a (1, width) row
 * broadcast over the n rows, instead of embedding, concatenating and multiplying n copies of the same row. The two
 * paths agree to float32 rounding (the sums are formed in another order); training always takes the per-row path.
 */
public final class EpsMlp extends AbstractBlock implements TimeNetwork {

    private static final byte VERSION = 1;

    private final int dim;
    private final int outputs;
    private final int width;
    private final int depth;
    private final SinusoidalEmbedding embedding;
    private final SequentialBlock mlp;

    /** An MLP for d-dimensional data with `depth` >= 1 hidden layers of `width` >= 1 units and a time embedding of even size. */
    public EpsMlp(int dim, int width, int depth, int embeddingSize) {
        this(dim, dim, width, depth, embeddingSize);
    }

    /** As above with `outputs` >= 1 output units instead of d. */
    public EpsMlp(int dim, int outputs, int width, int depth, int embeddingSize) {
        super(VERSION);
        Arguments.mlp(width, depth, "dim, outputs, embedding size", dim, outputs, embeddingSize);
        this.dim = dim;
        this.outputs = outputs;
        this.width = width;
        this.depth = depth;
        this.embedding = new SinusoidalEmbedding(embeddingSize);
        SequentialBlock layers = new SequentialBlock();
        for (int layer = 0; layer < depth; layer++) {
            layers.add(Linear.builder().setUnits(width).build()).add(x -> new NDList(Activation.sigmoid(x.head()).mul(x.head()))); // SiLU x sigmoid(x), tensor ops only (see Scalar)
        }
        layers.add(Linear.builder().setUnits(outputs).build());
        this.mlp = addChildBlock("mlp", layers);
    }

    /** The default network for 2D toy data: 3 hidden layers of 128 units, a 32-dimensional time embedding. */
    public static EpsMlp forDim(int dim) {
        return new EpsMlp(dim, 128, 3, 32);
    }

    /** A fresh, uninitialised network with the same architecture (used for the EMA copy). */
    @Override
    public EpsMlp sameArchitecture() {
        return new EpsMlp(dim, outputs, width, depth, embedding.size());
    }

    /** d, the data dimension of the input x_t. */
    public int dim() {
        return dim;
    }

    /** (d). */
    @Override
    public Shape sampleShape() {
        return new Shape(dim);
    }

    /** The number of output units. */
    public int outputs() {
        return outputs;
    }

    /** Initialises the parameters for batches of d-dimensional data. */
    @Override
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, dim), new Shape(1));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != dim) {
            throw new IllegalArgumentException("x has shape " + x.getShape() + ": expected (n, " + dim + ")");
        }
        NDArray tau = inputs.get(1);
        if (!training && sharedTime(tau)) {
            return sharedTimeForward(parameterStore, x, tau, params);
        }
        NDArray h = NDArrays.concat(new NDList(x, embedding.apply(tau)), 1); // [x_t, emb(tau)]
        return mlp.forward(parameterStore, new NDList(h), training, params);
    }

    /** Whether tau (n,), n &gt;= 2, holds one value in every row (compared in float32, the type the embedding reads). */
    private static boolean sharedTime(NDArray tau) {
        if (tau.getShape().dimension() != 1 || tau.size() < 2) {
            return false;
        }
        float[] values = tau.toType(DataType.FLOAT32, false).toFloatArray();
        for (float value : values) {
            if (Float.compare(value, values[0]) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The inference forward pass when every row reads tau[0]: h_1 = W_x x + (W_e emb(tau_0) + b), then the other layers. */
    private NDList sharedTimeForward(ParameterStore parameterStore, NDArray x, NDArray tau, PairList<String, Object> params) {
        BlockList layers = mlp.getChildren();
        Block first = layers.get(0).getValue();
        NDArray w = parameterStore.getValue(first.getParameters().get("weight"), x.getDevice(), false); // (width, d + k)
        NDArray b = parameterStore.getValue(first.getParameters().get("bias"), x.getDevice(), false);
        NDArray timeRow = embedding.apply(tau.get("0:1")).matMul(w.get(":, " + dim + ":").transpose()).add(b); // W_e emb(tau_0) + b, (1, width)
        NDList h = new NDList(x.matMul(w.get(":, 0:" + dim).transpose()).add(timeRow)); // W_x x + row, broadcast over the rows
        for (int layer = 1; layer < layers.size(); layer++) {
            h = layers.get(layer).getValue().forward(parameterStore, h, false, params);
        }
        return h;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        mlp.initialize(manager, dataType, new Shape(inputShapes[0].get(0), dim + embedding.size()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputs)};
    }
}
