package diffusion.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A law p_data on R^dim that can be sampled reproducibly.
 *
 * <p>Implementations draw their randomness in Java from the given seed and create the
 * NDArray once, so samples do not depend on DJL's global random state: the same seed
 * gives a bitwise identical array.
 */
public interface DataSource {

    /** Dimension d of one sample x in R^d. */
    int dim();

    /** Short snake_case name used in figures and tables, e.g. {@code two_moons}. */
    String name();

    /** n i.i.d. samples x_i ~ p_data as a float32 array of shape (n, dim), a function of seed only. */
    NDArray sample(NDManager manager, int n, long seed);
}
