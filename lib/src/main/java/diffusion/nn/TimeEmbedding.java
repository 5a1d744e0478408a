package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The DDPM UNet's time embedding, shared by nn/UNet and nn/NoisyImageClassifier: for base channels b,
 * e(tau) = W_2 SiLU(W_1 emb(tau) + b_1) + b_2 of width 4 b, with emb the sinusoidal embedding of size 2 ceil(b / 2).
 * Input NDList(tau (n,)); output NDList(e (n, 4 b)).
 */
final class TimeEmbedding extends AbstractBlock {

    private static final byte VERSION = 1;

    private final SinusoidalEmbedding frequencies;
    private final int width;
    private final Linear time1;
    private final Linear time2;

    /** The embedding for `base` &gt;= 1 channels: width 4 base. */
    TimeEmbedding(int base) {
        super(VERSION);
        this.frequencies = new SinusoidalEmbedding(2 * ((base + 1) / 2));
        this.width = 4 * base;
        this.time1 = addChildBlock("time1", Linear.builder().setUnits(width).build());
        this.time2 = addChildBlock("time2", Linear.builder().setUnits(width).build());
    }

    /** 4 base, the width of e. */
    int width() {
        return width;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray hidden = Silu.apply(time1.forward(ps, new NDList(frequencies.apply(inputs.head())), training).head());
        return time2.forward(ps, new NDList(hidden), training); // W_2 SiLU(W_1 emb(tau) + b_1) + b_2
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long n = inputShapes[0].get(0);
        time1.initialize(manager, dataType, new Shape(n, frequencies.size()));
        time2.initialize(manager, dataType, new Shape(n, width));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), width)};
    }
}
