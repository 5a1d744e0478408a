package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * The transformer / DDPM sinusoidal time embedding: for frequencies w_i = 10000^(-i / (k/2)), i = 0..k/2-1,
 * emb(t) = [sin(t w_0), ..., sin(t w_{k/2-1}), cos(t w_0), ..., cos(t w_{k/2-1})].
 */
public final class SinusoidalEmbedding {

    private final int size;

    /** An embedding of even size k >= 2. */
    public SinusoidalEmbedding(int size) {
        if (size < 2 || size % 2 != 0) {
            throw new IllegalArgumentException("embedding size = " + size + ": must be even and >= 2");
        }
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** emb(t) for t of shape (n,): shape (n, k). */
    public NDArray apply(NDArray t) {
        int half = size / 2;
        NDArray i = t.getManager().arange(0, half, 1, DataType.FLOAT32).toDevice(t.getDevice(), false);
        NDArray w = i.mul(-Math.log(10000.0) / half).exp(); // w_i = 10000^(-i/half)
        NDArray angle = t.toType(DataType.FLOAT32, false).expandDims(1).mul(w.expandDims(0)); // (n, half)
        return NDArrays.concat(new ai.djl.ndarray.NDList(angle.sin(), angle.cos()), 1);
    }
}
