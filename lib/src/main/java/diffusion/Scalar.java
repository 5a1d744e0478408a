package diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Multiplication of a differentiable array by a constant, safe for autograd. DJL's x.mul(Number) wraps the number in
 * a tensor over a Java direct buffer and closes it at once; autograd keeps that tensor for the backward pass, and once
 * the garbage collector has freed the buffer the backward pass reads whatever the memory holds by then (gradients that
 * differ from run to run, now and then a NaN). Here the constant is a tensor PyTorch owns, which autograd keeps alive.
 */
public final class Scalar {

    private Scalar() {
    }

    /** c x, with c held in a PyTorch-owned 0-d tensor (a copy) of x's type on x's device. */
    public static NDArray times(NDArray x, double c) {
        try (NDArray wrapped = x.getManager().create(c)) { // over a Java buffer: copied below, then released
            return x.mul(wrapped.toType(x.getDataType(), true).toDevice(x.getDevice(), false));
        }
    }

    /** x / c, as times(x, 1 / c). */
    public static NDArray over(NDArray x, double c) {
        return times(x, 1 / c);
    }

    /**
     * One constant per row of x (n, ...): values (length n) as an array of shape (n, 1, ..., 1) that broadcasts over x's
     * rows, a PyTorch-owned copy of x's type on x's device (per-row coefficients of a loss, safe for autograd as above).
     */
    public static NDArray rows(NDArray x, double[] values) {
        if (values.length != x.getShape().get(0)) {
            throw new IllegalArgumentException("values has " + values.length + " entries for " + x.getShape().get(0) + " rows: one per row");
        }
        long[] shape = new long[x.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = values.length;
        try (NDArray wrapped = x.getManager().create(values, new Shape(shape))) { // over a Java buffer: copied below, then released
            return wrapped.toType(x.getDataType(), true).toDevice(x.getDevice(), false);
        }
    }
}
