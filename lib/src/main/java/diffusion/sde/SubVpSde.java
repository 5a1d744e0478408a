package diffusion.sde;

/**
 * The sub-VP SDE of Song et al.: dx = -beta(t) x / 2 dt + sqrt(beta(t) (1 - exp(-2 B(t)))) dw. Same mean as VP, and
 * s(t) = 1 - exp(-B(t)) = 1 - m(t)^2, whose square lies below the VP variance 1 - m(t)^2 at every t &gt; 0.
 */
public final class SubVpSde extends LinearBetaSde {

    /** 0 &lt;= beta_min &lt;= beta_max, beta_max &gt; 0. */
    public SubVpSde(double betaMin, double betaMax) {
        super(betaMin, betaMax);
    }

    /** g(t) = sqrt(beta(t) (1 - exp(-2 B(t)))). */
    @Override
    public double diffusion(double t) {
        return Math.sqrt(beta(t) * -Math.expm1(-2 * integratedBeta(t)));
    }

    /** s(t) = 1 - exp(-B(t)). */
    @Override
    public double std(double t) {
        return -Math.expm1(-integratedBeta(t));
    }

    @Override
    public String name() {
        return "sub-VP";
    }
}
