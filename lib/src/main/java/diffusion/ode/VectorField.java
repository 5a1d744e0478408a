package diffusion.ode;

import ai.djl.ndarray.NDArray;

/**
 * A time-dependent vector field v(x, t) on batches of states, the right-hand side of the ODE dx/dt = v(x, t). The
 * result must have the shape of x and live in x's manager (solvers close it with their step's sub-manager).
 */
@FunctionalInterface
public interface VectorField {

    /** v(x, t) for a batch x (one state per row). */
    NDArray velocity(NDArray x, double t);

    /** Whether v may be evaluated at t (default: everywhere); a flow that ends at the data is not defined there. */
    default boolean definedAt(double t) {
        return true;
    }
}
