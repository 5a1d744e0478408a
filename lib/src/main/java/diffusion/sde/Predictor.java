package diffusion.sde;

/**
 * The predictors of Song et al. (2021) for the reverse SDE dx = [f(t) x - g(t)^2 s(x, t)] dt + g(t) dw_bar. Each is one
 * step from t to t - dt in which the score enters linearly, x_{t-dt} = c_x x_t + c_s s(x_t, t) + sigma z with
 * z ~ N(0, I): one loop (PredictorCorrector) runs them all, and for Gaussian data (an affine score) the law of the
 * discrete sampler is Gaussian and can be propagated in closed form.
 */
public enum Predictor {

    /** Euler-Maruyama backwards in time: x - [f x - g^2 s] dt + g sqrt(dt) z, so c_x = 1 - f(t) dt, c_s = g(t)^2 dt. */
    EULER_MARUYAMA("Euler-Maruyama") {
        @Override
        public Step step(Sde sde, double t, double dt) {
            sde.requireStep(t, dt);
            double g = sde.diffusion(t);
            return new Step(1 - sde.driftRate(t) * dt, g * g * dt, g * Math.sqrt(dt));
        }
    },

    /**
     * Reverse diffusion: the forward chain step x_t = a x_{t-dt} + G z (Sde.discretize) run backwards,
     * x - (a - 1) x + G^2 s + G z, so c_x = 2 - a, c_s = G^2, sigma = G.
     */
    REVERSE_DIFFUSION("reverse diffusion") {
        @Override
        public Step step(Sde sde, double t, double dt) {
            Sde.Transition chain = sde.discretize(t, dt);
            return new Step(2 - chain.a(), chain.G() * chain.G(), chain.G());
        }
    },

    /**
     * Ancestral sampling of the SDE's own chain: DDPM for VP, (x + beta_i s) / sqrt(1 - beta_i) + sqrt(beta_i) z with
     * beta_i = beta(t) dt; SMLD for VE, x + (sigma_i^2 - sigma_{i-1}^2) s + sqrt(sigma_{i-1}^2 (sigma_i^2 -
     * sigma_{i-1}^2) / sigma_i^2) z. Other SDEs (sub-VP) have no such chain and are rejected.
     */
    ANCESTRAL("ancestral") {
        @Override
        public Step step(Sde sde, double t, double dt) {
            if (!(sde instanceof VpSde || sde instanceof VeSde)) {
                throw new IllegalArgumentException("sde = " + sde + ": ancestral sampling needs the DDPM (VP) or SMLD (VE)"
                        + " chain; the " + sde.name() + " SDE has no ancestral form (use REVERSE_DIFFUSION)");
            }
            Sde.Transition chain = sde.discretize(t, dt);
            double variance = chain.G() * chain.G(); // beta_i (VP) or sigma_i^2 - sigma_{i-1}^2 (VE)
            double sigma = sde instanceof VpSde ? chain.G() : chain.G() * sde.std(t - dt) / sde.std(t);
            return new Step(1 / chain.a(), variance / chain.a(), sigma);
        }
    },

    /** No predictor: x stays (c_x = 1, c_s = 0, sigma = 0), so only the corrector moves x (annealed Langevin). */
    NONE("none") {
        @Override
        public Step step(Sde sde, double t, double dt) {
            sde.requireStep(t, dt);
            return new Step(1, 0, 0);
        }
    };

    private final String label;

    Predictor(String label) {
        this.label = label;
    }

    /** (c_x, c_s, sigma) of the step from t to t - dt under sde; requires 0 &lt; dt &lt;= t &lt;= T. */
    public abstract Step step(Sde sde, double t, double dt);

    /** The name for tables and legends ("Euler-Maruyama", "reverse diffusion", "ancestral", "none"). */
    public String label() {
        return label;
    }

    /** One predictor step x_{t-dt} = c_x x_t + c_s s(x_t, t) + sigma z. */
    public record Step(double cx, double cs, double sigma) {
    }
}
