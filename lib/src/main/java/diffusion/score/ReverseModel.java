package diffusion.score;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;

/**
 * A reverse (denoising) kernel of a discrete DDPM chain, p_theta(x_{t-1} | x_t) = N(mu_theta(x_t, t),
 * diag sigma_t^2(x_t)), with the variance given in log space: fixed (beta_t or betaTilde_t) or learned. Ancestral
 * samplers and the variational bound see only this interface.
 */
public interface ReverseModel {

    /** The data dimension d: inputs are batches (n, d). */
    int dim();

    /** The forward schedule the model reverses. */
    NoiseSchedule schedule();

    /** p_theta(x_{t-1} | x_t) for a batch x_t (n, d) at step t in 1..T. */
    Gaussian reverse(NDArray xt, int t);

    /** N(mean, diag exp(logVariance)): mean (n, d), logVariance broadcastable against it ((n, d), (n, 1) or scalar). */
    record Gaussian(NDArray mean, NDArray logVariance) {

        /** Refuses a null component, naming it. */
        public Gaussian {
            Arguments.allNonNull("mean, logVariance", mean, logVariance);
        }
    }
}
