package diffusion.mcmc;

import ai.djl.ndarray.NDArray;

/** Finiteness checks of this package (the general argument checks are in diffusion.Arguments). */
final class Require {

    private Require() {}

    /** Accepts an array whose entries are all finite. */
    static void finite(String parameter, NDArray x) {
        if (nonFinite(x).any().getBoolean()) {
            throw new IllegalArgumentException(parameter + " has " + countRows(x) + " rows with NaN or infinite entries;"
                    + " every entry must be finite");
        }
    }

    /** Throws {@link SamplerDivergedException} naming sampler and step when a row of state is not finite. */
    static void finiteState(String sampler, int step, NDArray state) {
        if (nonFinite(state).any().getBoolean()) {
            throw new SamplerDivergedException(sampler, step, countRows(state) + " of " + state.getShape().get(0)
                    + " particles have NaN or infinite coordinates");
        }
    }

    /** True per entry where value is NaN or +-infinity. */
    static NDArray nonFinite(NDArray value) {
        return value.isNaN().logicalOr(value.isInfinite());
    }

    /** True per row of the (N, d) array x where some entry is NaN or +-infinity, shape (N,). */
    static NDArray nonFiniteRows(NDArray x) {
        return nonFinite(x).countNonzero(1).gt(0);
    }

    /** Number of rows of the (N, d) array x holding a non-finite entry. */
    private static long countRows(NDArray x) {
        return nonFiniteRows(x).countNonzero().getLong();
    }
}
