package diffusion.sde;

import diffusion.Arguments;

/**
 * The variance-exploding SDE of SMLD/NCSN: dx = sqrt(d sigma^2(t)/dt) dw with the geometric noise level
 * sigma(t) = sigma_min (sigma_max / sigma_min)^t on [0, 1], so g(t) = sigma(t) sqrt(2 log(sigma_max / sigma_min)).
 * Following Song et al., p_t = p_data * N(0, sigma(t)^2 I), i.e. m(t) = 1 and s(t) = sigma(t): the process starts at
 * the data smoothed at sigma_min, and the prior is N(0, sigma_max^2 I).
 */
public final class VeSde implements Sde {

    private final double sigmaMin;
    private final double sigmaMax;

    /**
     * 0 &lt; sigma_min &lt; sigma_max with sigma_max / sigma_min and sigma_max^2 finite (the step variances
     * sigma(t)^2 - sigma(t - dt)^2 and the diffused variances stay finite).
     */
    public VeSde(double sigmaMin, double sigmaMax) {
        Arguments.positive("sigma_min", sigmaMin);
        Arguments.positive("sigma_max", sigmaMax);
        if (!(sigmaMin < sigmaMax)) {
            throw new IllegalArgumentException("sigma_min = " + sigmaMin + " must be < sigma_max = " + sigmaMax);
        }
        if (!Double.isFinite(sigmaMax / sigmaMin) || !Double.isFinite(sigmaMax * sigmaMax)) {
            throw new IllegalArgumentException("sigma_min = " + sigmaMin + ", sigma_max = " + sigmaMax
                    + ": sigma_max / sigma_min and sigma_max^2 must be finite in double precision");
        }
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
    }

    /** sigma(t) = sigma_min (sigma_max / sigma_min)^t, t in [0, 1]. */
    @Override
    public double sigma(double t) {
        requireTime("t", t);
        return sigmaMin * Math.pow(sigmaMax / sigmaMin, t);
    }

    @Override
    public double T() {
        return 1;
    }

    /** f(t) = 0. */
    @Override
    public double driftRate(double t) {
        return 0;
    }

    /** g(t) = sqrt(d sigma^2 / dt) = sigma(t) sqrt(2 log(sigma_max / sigma_min)). */
    @Override
    public double diffusion(double t) {
        return sigma(t) * Math.sqrt(2 * Math.log(sigmaMax / sigmaMin));
    }

    /** m(t) = 1, t in [0, 1]. */
    @Override
    public double meanScale(double t) {
        requireTime("t", t);
        return 1;
    }

    /** s(t) = sigma(t). */
    @Override
    public double std(double t) {
        return sigma(t);
    }

    @Override
    public String name() {
        return "VE";
    }

    /** The SMLD chain: a = 1, G = sqrt(sigma(t)^2 - sigma(t - dt)^2) (exact marginals on the grid). */
    @Override
    public Transition discretize(double t, double dt) {
        requireStep(t, dt);
        double sigma = sigma(t), previous = sigma(t - dt);
        return new Transition(1, Math.sqrt(sigma * sigma - previous * previous));
    }

    @Override
    public String toString() {
        return "VE SDE (sigma_min = " + sigmaMin + ", sigma_max = " + sigmaMax + ")";
    }
}
