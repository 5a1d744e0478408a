package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.data.DataSource;
import java.util.SplittableRandom;

/**
 * The banana (twisted Gaussian) in R^d, d &gt;= 2: x_1 ~ N(0, a^2), x_2 | x_1 ~ N(b (x_1^2 - a^2), 1) and
 * x_j ~ N(0, 1) for j &gt;= 3, so
 * log p*(x) = -x_1^2 / (2 a^2) - r^2 / 2 - sum_{j&gt;=3} x_j^2 / 2 - (d/2) log(2 pi) - log a with
 * r = x_2 - b (x_1^2 - a^2). Unimodal but curved: a non-Gaussian target with exact samples.
 */
public final class Banana implements Target, DataSource {

    private final int dim;
    private final double a;
    private final double b;

    /** The banana in R^dim (dim &gt;= 2) with spread a &gt; 0 of x_1 and curvature b (finite). */
    public Banana(int dim, double a, double b) {
        this.dim = Arguments.size("dim", dim, 2);
        this.a = Arguments.positive("a", a);
        if (!Double.isFinite(b)) {
            throw new IllegalArgumentException("b = " + b + " must be finite");
        }
        if (Float.isInfinite((float) (10 * a)) || Float.isInfinite((float) (100 * b * a * a))) {
            throw new IllegalArgumentException("a = " + a + ", b = " + b + ": x_1 ~ a N(0, 1) and x_2 ~ b (x_1^2 - a^2) + N(0, 1)"
                    + " would overflow float32 (need 10 a and 100 b a^2 finite there)");
        }
        this.b = b;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public String name() {
        return "banana";
    }

    /** log p*(x) = -x_1^2/(2 a^2) - r^2/2 - sum_{j&gt;=3} x_j^2/2 - (d/2) log(2 pi) - log a, r = x_2 - b (x_1^2 - a^2). */
    @Override
    public NDArray logDensity(NDArray x) {
        Arguments.floatingBatch("x", x, "N", dim);
        Arguments.finite("x", x);
        NDArray x1 = x.get(":, 0");
        NDArray r = residual(x);
        NDArray rest = x.get(":, 2:").square().sum(new int[] {1});
        return x1.square().div(-2 * a * a).sub(r.square().div(2)).sub(rest.div(2))
                .sub(0.5 * dim * Math.log(2 * Math.PI) + Math.log(a));
    }

    /** grad log p*(x) = (-x_1/a^2 + 2 b x_1 r, -r, -x_3, ..., -x_d), r = x_2 - b (x_1^2 - a^2). */
    @Override
    public NDArray gradLogDensity(NDArray x) {
        Arguments.floatingBatch("x", x, "N", dim);
        Arguments.finite("x", x);
        NDArray x1 = x.get(":, 0:1");
        NDArray r = residual(x).expandDims(1);
        NDArray first = x1.div(-a * a).add(x1.mul(r).mul(2 * b));
        return NDArrays.concat(new NDList(first, r.neg(), x.get(":, 2:").neg()), 1);
    }

    /** x_1 ~ N(0, a^2), x_2 = b (x_1^2 - a^2) + z, x_j ~ N(0, 1) for j &gt;= 3, from SplittableRandom(seed). */
    @Override
    public NDArray sample(NDManager manager, int n, long seed) {
        Arguments.sampleCount(n, dim);
        SplittableRandom random = new SplittableRandom(seed);
        float[] data = new float[Math.multiplyExact(n, dim)];
        for (int i = 0; i < n; i++) {
            double x1 = a * random.nextGaussian();
            data[i * dim] = (float) x1;
            data[i * dim + 1] = (float) (b * (x1 * x1 - a * a) + random.nextGaussian());
            for (int j = 2; j < dim; j++) {
                data[i * dim + j] = (float) random.nextGaussian();
            }
        }
        return manager.create(data, new Shape(n, dim));
    }

    /** r = x_2 - b (x_1^2 - a^2), shape (N,). */
    private NDArray residual(NDArray x) {
        return x.get(":, 1").sub(x.get(":, 0").square().sub(a * a).mul(b));
    }

    @Override
    public String toString() {
        return "banana(d=" + dim + ", a=" + a + ", b=" + b + ")";
    }
}
