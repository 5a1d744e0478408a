package diffusion.mcmc;

/** A sampler's state became NaN or infinite; the run stops at that step. */
public final class SamplerDivergedException extends IllegalStateException {

    private final int step;

    /** sampler names the chain (e.g. "ULA (step 0.5)"), step the 1-based step whose update left the reals. */
    public SamplerDivergedException(String sampler, int step, String detail) {
        super(sampler + " diverged at step " + step + ": " + detail
                + "; the state is no longer finite (reduce the step size)");
        this.step = step;
    }

    /**
     * The target returned non-finite values at a point the sampler reached at step (overflow, or a target broken
     * there), or an inner sampler run during step diverged.
     */
    public SamplerDivergedException(String sampler, int step, RuntimeException cause) {
        super(sampler + " diverged at step " + step + ": " + cause.getMessage()
                + (cause instanceof NonFiniteTargetException
                        ? " (points reached by the sampler overflowed, or the target is broken there; reduce the step size)"
                        : ""), cause);
        this.step = step;
    }

    /** The 1-based step whose update produced the non-finite state. */
    public int step() {
        return step;
    }
}
