package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import diffusion.Scalar;

/**
 * Single-head self-attention over the H W positions of a feature map, with a residual connection (DDPM's AttnBlock):
 * with a = GN(x) and per-position q, k, v = 1x1 convolutions of a, y = x + P(v softmax(q^T k / sqrt(C))^T), P a 1x1
 * convolution: each position's output is a convex combination of every position's value. Input and output
 * (n, C, H, W).
 */
final class SelfAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int channels;
    private final GroupNorm norm;
    private final Conv2d qkv;
    private final Conv2d projection;

    /** Attention over C = channels channels, GN with `groups` groups. */
    SelfAttention(int channels, int groups) {
        super(VERSION);
        this.channels = channels;
        this.norm = addChildBlock("norm", new GroupNorm(groups, channels));
        this.qkv = addChildBlock("qkv", Convolutions.pointwise(3 * channels));
        this.projection = addChildBlock("projection", Convolutions.pointwise(channels));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape shape = x.getShape();
        long n = shape.get(0);
        long positions = shape.get(2) * shape.get(3);
        NDArray a = norm.forward(ps, new NDList(x), training).head();
        NDArray projected = qkv.forward(ps, new NDList(a), training).head().reshape(n, 3 * channels, positions);
        NDArray q = projected.get(":, 0:" + channels);
        NDArray k = projected.get(":, " + channels + ":" + 2 * channels);
        NDArray v = projected.get(":, " + 2 * channels + ":");
        NDArray weights = Scalar.times(q.transpose(0, 2, 1).batchMatMul(k), 1 / Math.sqrt(channels)).softmax(2); // softmax(q^T k / sqrt(C)), (n, HW, HW)
        NDArray attended = v.batchMatMul(weights.transpose(0, 2, 1)).reshape(shape); // out_i = sum_j w_ij v_j
        return new NDList(x.add(projection.forward(ps, new NDList(attended), training).head())); // x + P(out)
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, inputShapes[0]);
        qkv.initialize(manager, dataType, inputShapes[0]);
        projection.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
