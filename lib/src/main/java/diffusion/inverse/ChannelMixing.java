package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.analytic.Dense;

/**
 * A linear channel mixing y[c] = sum_k W[c][k] x[k] at every position, over the first axis of the sample (C, ...):
 * colourisation's grey image is W = (w_r, w_g, w_b), one output channel; for vectors (d) the d coordinates are the
 * channels. W (c_out x C, c_out &lt;= C) must have full row rank, so that A^+ = W^T (W W^T)^{-1} per position.
 */
public final class ChannelMixing implements LinearOperator {

    private final Shape shape;
    private final double[][] weights;
    private final double[][] inverse;

    /** The mixing W, c_out rows of C entries, acting on samples of shape (C, ...). */
    public ChannelMixing(Shape shape, double[][] weights) {
        Arguments.allNonNull("shape, weights", shape, weights);
        this.shape = Arguments.sampleShape("shape", shape);
        long channels = shape.get(0);
        if (weights.length < 1 || weights.length > channels) {
            throw new IllegalArgumentException("weights has " + weights.length + " rows: need 1 to C = " + channels + " output channels");
        }
        for (int c = 0; c < weights.length; c++) {
            Arguments.finite("weights[" + c + "]", Arguments.nonNull("weights[" + c + "]", weights[c]));
            if (weights[c].length != channels) {
                throw new IllegalArgumentException("weights[" + c + "] has " + weights[c].length + " entries but the sample shape "
                        + shape + " has C = " + channels + " channels (its first axis)");
            }
        }
        this.weights = copy(weights);
        this.inverse = Dense.pseudoInverse(this.weights);
    }

    private static double[][] copy(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
        }
        return b;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return new Shape(weights.length).addAll(shape.slice(1));
    }

    @Override
    public NDArray apply(NDArray x) {
        return mix(x, weights, shape);
    }

    @Override
    public NDArray pseudoInverse(NDArray y) {
        return mix(y, inverse, outputShape());
    }

    /** z[n, c, ...] = sum_k B[c][k] x[n, k, ...] for x of shape (n, in...) with in's first axis the channels. */
    private static NDArray mix(NDArray x, double[][] b, Shape in) {
        long n = x.getShape().get(0);
        long positions = in.size() / in.get(0);
        NDArray matrix = x.getManager().create(Dense.toFloat(b)).toType(x.getDataType(), false);
        NDArray flat = x.reshape(n, in.get(0), positions);
        NDArray mixed = matrix.expandDims(0).matMul(flat); // (1, c_out, C) x (n, C, P) -> (n, c_out, P)
        return mixed.reshape(new Shape(n, b.length).addAll(in.slice(1)));
    }

    @Override
    public String toString() {
        return "channel mixing (" + weights.length + " of " + shape.get(0) + " channels)";
    }
}
