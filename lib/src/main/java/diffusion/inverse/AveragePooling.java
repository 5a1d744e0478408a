package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;

/**
 * Super-resolution's measurement: A x = the mean over each k x k block of every channel of an image (C, H, W),
 * giving (C, H/k, W/k). A^+ = k^2 A^T repeats each block mean over its block, so P = A^+ A is ILVR's low-pass filter
 * phi_N (down-sample by N = k, then up-sample), an orthogonal projector.
 */
public final class AveragePooling implements LinearOperator {

    private final Shape shape;
    private final int factor;

    /** Block means of size factor x factor over images of shape (C, H, W); H and W divisible by factor &gt;= 2. */
    public AveragePooling(Shape shape, int factor) {
        this.shape = Arguments.sampleShape("shape", shape);
        if (shape.dimension() != 3) {
            throw new IllegalArgumentException("shape = " + shape + ": average pooling needs images (C, H, W)");
        }
        this.factor = Arguments.atLeast("factor", factor, 2);
        if (shape.get(1) % factor != 0 || shape.get(2) % factor != 0) {
            throw new IllegalArgumentException("factor = " + factor + " does not divide the image size " + shape.get(1) + " x "
                    + shape.get(2));
        }
    }

    /** k, the block size. */
    public int factor() {
        return factor;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return new Shape(shape.get(0), shape.get(1) / factor, shape.get(2) / factor);
    }

    /** Block means: reshape (n, C, H/k, k, W/k, k) and average axes 3 and 5. */
    @Override
    public NDArray apply(NDArray x) {
        long n = x.getShape().get(0);
        Shape out = outputShape();
        return x.reshape(n, out.get(0), out.get(1), factor, out.get(2), factor).mean(new int[] {5}).mean(new int[] {3});
    }

    /** Each block mean repeated over its k x k block. */
    @Override
    public NDArray pseudoInverse(NDArray y) {
        return y.repeat(2, factor).repeat(3, factor);
    }

    @Override
    public String toString() {
        return "average pooling " + factor + "x" + factor;
    }
}
