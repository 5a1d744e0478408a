package diffusion.mcmc;

import ai.djl.ndarray.NDArray;

/**
 * A target law p*(x) proportional to exp(-f*(x)) on R^d, known up to its normalising constant: the
 * unnormalised log-density log p*(x) + const = -f*(x) and its gradient grad log p*(x) = -grad f*(x).
 *
 * <p>Both methods take a batch x of shape (N, d) and evaluate row by row; samplers count one density
 * or gradient evaluation per row (see {@link MeteredTarget}).
 */
public interface Target {

    /** The dimension d. */
    int dim();

    /** Short snake_case name for figures, tables and error messages. */
    String name();

    /** -f*(x_i) = log p*(x_i) + const, shape (N,), for x of shape (N, d). */
    NDArray logDensity(NDArray x);

    /** grad log p*(x_i) = -grad f*(x_i), shape (N, d), for x of shape (N, d). */
    NDArray gradLogDensity(NDArray x);
}
