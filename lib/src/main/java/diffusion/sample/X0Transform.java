package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import java.util.function.UnaryOperator;

/**
 * What a sampler does to the predicted x_0 before using it: nothing, clipping to a box (improved-diffusion's
 * clip_denoised for data in [-r, r]), or Imagen's dynamic thresholding. The noise direction is then recomputed from
 * the transformed x_0, eps = (x_t - m x_0) / s, as improved-diffusion does.
 */
public interface X0Transform extends UnaryOperator<NDArray> {

    /** The identity. */
    X0Transform NONE = x0 -> x0;

    /** clip(x_0, -r, r) for data in [-r, r]^d, r &gt; 0. */
    static X0Transform clip(double r) {
        Arguments.positive("r", r);
        return x0 -> x0.clip(-r, r);
    }

    /**
     * Dynamic thresholding (Saharia et al. 2022): per sample, c = max(1, the p-quantile of |x_0| over its entries,
     * linearly interpolated), then x_0 = clip(x_0, -c, c) / c; p in (0, 1] (Imagen uses 0.995).
     */
    static X0Transform dynamicThreshold(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("p = " + p + " must lie in (0, 1]");
        }
        return x0 -> {
            long n = x0.getShape().get(0);
            NDArray sorted = x0.abs().reshape(n, -1).sort(1);
            long d = sorted.getShape().get(1);
            double position = p * (d - 1);
            int below = (int) Math.floor(position);
            int above = Math.min(below + 1, (int) d - 1);
            double w = position - below;
            NDArray quantile = sorted.get(":, " + below).mul(1 - w).add(sorted.get(":, " + above).mul(w)); // (n,)
            NDArray c = quantile.maximum(1f);
            long[] shape = x0.getShape().getShape().clone();
            java.util.Arrays.fill(shape, 1, shape.length, 1);
            NDArray scale = c.reshape(new ai.djl.ndarray.types.Shape(shape));
            return x0.maximum(scale.neg()).minimum(scale).div(scale); // clip(x_0, -c, c) / c
        };
    }
}
