package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The UNet's residual block with a conditioning embedding e (time, plus class when conditional), as in DDPM:
 * h = conv3(SiLU(GN(x))) + W SiLU(e) (per channel, broadcast over positions), then
 * y = skip(x) + conv3(dropout(SiLU(GN(h)))) with skip the identity when the channel counts agree, else a 1x1
 * convolution. Inputs NDList(x (n, in, H, W), e (n, E)); output (n, out, H, W).
 */
final class ResidualBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int out;
    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear embedding;
    private final GroupNorm norm2;
    private final Dropout dropout;
    private final Conv2d conv2;
    private final Conv2d skip;

    /** in -&gt; out channels, GN with `groups` groups, dropout rate in [0, 1) (none at 0). */
    ResidualBlock(int in, int out, int groups, double dropout) {
        super(VERSION);
        this.out = out;
        this.norm1 = addChildBlock("norm1", new GroupNorm(groups, in));
        this.conv1 = addChildBlock("conv1", Convolutions.same(out));
        this.embedding = addChildBlock("embedding", Linear.builder().setUnits(out).build());
        this.norm2 = addChildBlock("norm2", new GroupNorm(groups, out));
        this.dropout = dropout > 0 ? addChildBlock("dropout", Dropout.builder().optRate((float) dropout).build()) : null;
        this.conv2 = addChildBlock("conv2", Convolutions.same(out));
        this.skip = in == out ? null : addChildBlock("skip", Convolutions.pointwise(out));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray e = inputs.get(1);
        NDArray h = conv1.forward(ps, new NDList(Silu.apply(norm1.forward(ps, new NDList(x), training).head())), training).head();
        NDArray shift = embedding.forward(ps, new NDList(Silu.apply(e)), training).head();
        h = h.add(shift.reshape(shift.getShape().get(0), out, 1, 1)); // h + W SiLU(e), per channel
        NDArray a = Silu.apply(norm2.forward(ps, new NDList(h), training).head());
        if (dropout != null) {
            a = dropout.forward(ps, new NDList(a), training).head();
        }
        h = conv2.forward(ps, new NDList(a), training).head();
        NDArray identity = skip == null ? x : skip.forward(ps, new NDList(x), training).head();
        return new NDList(identity.add(h)); // skip(x) + h
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        Shape y = new Shape(x.get(0), out, x.get(2), x.get(3));
        norm1.initialize(manager, dataType, x);
        conv1.initialize(manager, dataType, x);
        embedding.initialize(manager, dataType, inputShapes[1]);
        norm2.initialize(manager, dataType, y);
        if (dropout != null) {
            dropout.initialize(manager, dataType, y);
        }
        conv2.initialize(manager, dataType, y);
        if (skip != null) {
            skip.initialize(manager, dataType, x);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape x = inputShapes[0];
        return new Shape[] {new Shape(x.get(0), out, x.get(2), x.get(3))};
    }
}
