package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * Spherical interpolation between latents, the path DDIM's papers use between two x_T: with
 * theta = arccos(<a, b> / (|a| |b|)) per row, slerp(a, b, w) = sin((1 - w) theta) / sin(theta) a + sin(w theta) / sin(theta) b.
 * Unlike the straight line it keeps the norm of two Gaussian latents of equal norm, so the interpolant stays where N(0, I) has its mass.
 */
public final class Slerp {

    private Slerp() {
    }

    /** slerp(a, b, w) row by row for a, b of shape (n, d) and w in [0, 1]; rows at angle 0 fall back to (1 - w) a + w b. */
    public static NDArray interpolate(NDArray a, NDArray b, double w) {
        Arguments.requireSame("a", a, "b", b);
        if (!(w >= 0 && w <= 1)) {
            throw new IllegalArgumentException("w = " + w + " must lie in [0, 1]");
        }
        NDArray cosine = a.mul(b).sum(new int[] {-1}, true).div(a.norm(new int[] {-1}, true).mul(b.norm(new int[] {-1}, true)));
        NDArray theta = cosine.clip(-1, 1).acos();
        NDArray sine = theta.sin();
        NDArray small = sine.lt(1e-6);
        NDArray safeSine = sine.maximum(1e-6);
        NDArray weightA = theta.mul(1 - w).sin().div(safeSine);
        NDArray weightB = theta.mul(w).sin().div(safeSine);
        weightA = ai.djl.ndarray.NDArrays.where(small, weightA.onesLike().mul(1 - w), weightA);
        weightB = ai.djl.ndarray.NDArrays.where(small, weightB.onesLike().mul(w), weightB);
        return a.mul(weightA).add(b.mul(weightB));
    }
}
