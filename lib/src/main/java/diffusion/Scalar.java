package diffusion;

import ai.djl.ndarray.NDArray;

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
}
