package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * The SiLU (swish-1) activation x sigmoid(x) from tensor operations only: DJL's Activation.swish multiplies by a
 * Java-held constant, which autograd must not keep (see diffusion.Scalar).
 */
public final class Silu {

    private Silu() {
    }

    /** x sigmoid(x), elementwise. */
    public static NDArray apply(NDArray x) {
        return Activation.sigmoid(x).mul(x); // x sigmoid(x)
    }
}
