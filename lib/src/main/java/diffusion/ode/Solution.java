package diffusion.ode;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * The end of an ODE solve: the state x(t1), the number of function evaluations (NFE, evaluations of v), the accepted
 * steps and the rejected ones (always 0 for fixed-step solvers).
 */
public record Solution(NDArray state, int nfe, int steps, int rejected) {

    /** Refuses a null component, naming it. */
    public Solution {
        Arguments.nonNull("state", state);
    }
}
