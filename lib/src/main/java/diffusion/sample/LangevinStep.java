package diffusion.sample;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * One Langevin step x' = x + h g + sqrt(2 h) z with g = grad log p(x) (or a score estimate) and z ~ N(0, I): the
 * update of the Langevin corrector, annealed Langevin dynamics (h = alpha_i / 2) and the ULA/MALA proposal.
 */
public final class LangevinStep {

    private LangevinStep() {
    }

    /** x + h g + sqrt(2 h) z for a step h &gt;= 0. */
    public static NDArray step(NDArray x, NDArray gradient, NDArray z, double h) {
        Arguments.nonNegative("h", h);
        return x.add(gradient.mul(h)).add(z.mul(Math.sqrt(2 * h)));
    }
}
