package diffusion;

/**
 * An iterative algorithm (a sampler, an ODE solver, an MCMC chain, training) produced NaN or infinite values and was
 * stopped at that step: the message names the algorithm, the step, the time where it has one, and what left the reals.
 */
public final class DivergedException extends IllegalStateException {

    private final String algorithm;
    private final long step;

    /** algorithm names the run ("DDIM (eta = 0)"), step the 1-based step, time its time (NaN if none), detail the cause. */
    public DivergedException(String algorithm, long step, double time, String detail) {
        super(message(algorithm, step, Double.isNaN(time) ? "" : " (t = " + time + ")", detail));
        this.algorithm = algorithm;
        this.step = step;
    }

    /** As above, for a failure raised inside the step (a target or inner run that left the reals). */
    public DivergedException(String algorithm, long step, RuntimeException cause) {
        super(message(algorithm, step, "", String.valueOf(Arguments.nonNull("cause", cause).getMessage())), cause);
        this.algorithm = algorithm;
        this.step = step;
    }

    private static String message(String algorithm, long step, String where, String detail) {
        Arguments.allNonNull("algorithm, detail", algorithm, detail);
        return algorithm + " diverged at step " + step + where + ": " + detail;
    }

    /** The algorithm's name. */
    public String algorithm() {
        return algorithm;
    }

    /** The 1-based step whose update produced the non-finite values. */
    public long step() {
        return step;
    }
}
