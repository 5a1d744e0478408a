package diffusion.sde;

import diffusion.Arguments;

/**
 * What the VP and sub-VP SDEs share: the linear rate beta(t) = beta_min + t (beta_max - beta_min) on [0, 1], the drift
 * f(t) = -beta(t) / 2 and so the mean coefficient m(t) = exp(-B(t) / 2) with B(t) = int_0^t beta = beta_min t +
 * (beta_max - beta_min) t^2 / 2. The prior is N(0, I).
 */
public abstract class LinearBetaSde implements Sde {

    private final double betaMin;
    private final double betaMax;

    /**
     * 0 &lt;= beta_min &lt;= beta_max, beta_max &gt; 0, with finite, non-zero m(1) and s(1): a beta_max so large that
     * m(1) = exp(-B(1) / 2) underflows to 0 (B(1) &gt; ~1490), or so small that s(1) is 0 in double precision, is
     * refused (the SNR at t = 1 would be 0 or infinite).
     */
    protected LinearBetaSde(double betaMin, double betaMax) {
        Arguments.nonNegative("beta_min", betaMin);
        Arguments.positive("beta_max", betaMax);
        if (!(betaMin <= betaMax)) {
            throw new IllegalArgumentException("beta_min = " + betaMin + " must be <= beta_max = " + betaMax);
        }
        this.betaMin = betaMin;
        this.betaMax = betaMax;
        double m = meanScale(T());
        double s = std(T());
        if (!(m > 0) || !(s > 0) || !Double.isFinite(diffusion(T()))) {
            throw new IllegalArgumentException("beta_min = " + betaMin + ", beta_max = " + betaMax + " give m(1) = " + m
                    + " and s(1) = " + s + " in double precision: need both > 0 (B(1) = (beta_min + beta_max) / 2 in about"
                    + " [1e-300, 1400])");
        }
    }

    /** beta(t) = beta_min + t (beta_max - beta_min), t in [0, 1]. */
    public double beta(double t) {
        requireTime("t", t);
        return betaMin + t * (betaMax - betaMin);
    }

    /** B(t) = int_0^t beta(s) ds = beta_min t + (beta_max - beta_min) t^2 / 2, t in [0, 1]. */
    public double integratedBeta(double t) {
        requireTime("t", t);
        return betaMin * t + 0.5 * (betaMax - betaMin) * t * t;
    }

    @Override
    public double T() {
        return 1;
    }

    /** f(t) = -beta(t) / 2. */
    @Override
    public double driftRate(double t) {
        return -0.5 * beta(t);
    }

    /** m(t) = exp(-B(t) / 2). */
    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * integratedBeta(t));
    }

    /** x ~ N(0, I) at any start time, as for the DDPM chain (s(t)^2 + m(t)^2 = 1 under VP). */
    @Override
    public double priorStd(double t) {
        return 1;
    }

    @Override
    public String toString() {
        return name() + " SDE (beta_min = " + betaMin + ", beta_max = " + betaMax + ")";
    }
}
