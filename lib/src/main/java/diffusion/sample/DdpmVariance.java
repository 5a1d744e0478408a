package diffusion.sample;

import diffusion.schedule.NoiseSchedule;

/** The two reverse-variance choices of Ho et al.: sigma_t^2 = beta_t (upper bound) or betaTilde_t (lower bound). */
public enum DdpmVariance {
    /** sigma_t^2 = beta_t: optimal for x_0 ~ N(0, I). */
    BETA,
    /** sigma_t^2 = betaTilde_t = (1 - alphaBar_{t-1}) / (1 - alphaBar_t) beta_t: optimal for a point mass x_0. */
    BETA_TILDE;

    /** sigma_t^2 under this choice. */
    public double sigmaSquared(NoiseSchedule schedule, int t) {
        return this == BETA ? schedule.beta(t) : schedule.betaTilde(t);
    }
}
