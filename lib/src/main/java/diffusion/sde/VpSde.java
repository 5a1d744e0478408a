package diffusion.sde;

/**
 * The variance-preserving SDE, the continuous limit of DDPM: dx = -beta(t) x / 2 dt + sqrt(beta(t)) dw, with
 * s(t)^2 = 1 - m(t)^2 = 1 - exp(-B(t)). Song et al. use beta_min = 0.1, beta_max = 20.
 */
public final class VpSde extends LinearBetaSde {

    /** 0 &lt;= beta_min &lt;= beta_max, beta_max &gt; 0. */
    public VpSde(double betaMin, double betaMax) {
        super(betaMin, betaMax);
    }

    /** g(t) = sqrt(beta(t)). */
    @Override
    public double diffusion(double t) {
        return Math.sqrt(beta(t));
    }

    /** s(t) = sqrt(1 - exp(-B(t))). */
    @Override
    public double std(double t) {
        return Math.sqrt(-Math.expm1(-integratedBeta(t)));
    }

    @Override
    public String name() {
        return "VP";
    }

    /** The DDPM chain: beta_i = beta(t) dt, a = sqrt(1 - beta_i), G = sqrt(beta_i). Requires beta(t) dt &lt; 1. */
    @Override
    public Transition discretize(double t, double dt) {
        requireStep(t, dt);
        double betaI = beta(t) * dt;
        if (!(betaI < 1)) {
            throw new IllegalArgumentException("dt = " + dt + " gives beta(t) dt = " + betaI + ": the DDPM chain needs beta(t) dt < 1");
        }
        return new Transition(Math.sqrt(1 - betaI), Math.sqrt(betaI));
    }
}
