package diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Per-sample reductions and broadcasts for batches (n, sampleShape...) of any sample shape: vectors and images alike. */
public final class PerSample {

    private PerSample() {
    }

    /** sum_j x_ij over every axis but the batch axis: (n, ...) -&gt; (n,), e.g. ||v_i||^2 for x = v^2. */
    public static NDArray sum(NDArray x) {
        int[] axes = new int[x.getShape().dimension() - 1];
        Arrays.setAll(axes, k -> k + 1);
        return x.sum(axes);
    }

    /** The shape (n, 1, ..., 1) of like's rank: a per-row value c of this shape broadcasts against like (n, ...). */
    public static Shape column(NDArray like) {
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = like.getShape().get(0);
        return new Shape(shape);
    }
}
