package diffusion.process;

import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;
import java.util.function.DoubleBinaryOperator;

/**
 * The variance sigma^2(t, s) of a Gaussian reverse step from t to s &lt; t: DDPM's two choices (Ho et al.), the
 * matched DDIM variance, or any given rule (Analytic-DPM's sigma*^2).
 */
@FunctionalInterface
public interface ReverseVariance {

    /** sigma^2(t, s) &gt;= 0. */
    double sigmaSquared(PerturbationKernel kernel, double t, double s);

    /** sigma^2 = b^2(t, s), the forward step's variance (beta_t on consecutive steps; optimal for x_0 ~ N(0, I)). */
    ReverseVariance BETA = NonMarkovianPosterior::forwardVariance;

    /** sigma^2 = betaTilde(t, s), the posterior's variance (betaTilde_t on consecutive steps; optimal for a point mass). */
    ReverseVariance BETA_TILDE = NonMarkovianPosterior::posteriorVariance;

    /** sigma^2 = eta^2 betaTilde(t, s), the variance of q_lambda itself (DDIM). */
    static ReverseVariance matched(double eta) {
        return (kernel, t, s) -> eta * eta * NonMarkovianPosterior.posteriorVariance(kernel, t, s);
    }

    /** A given rule sigma^2(t, s). */
    static ReverseVariance of(DoubleBinaryOperator sigmaSquared) {
        Arguments.nonNull("sigmaSquared", sigmaSquared);
        return (kernel, t, s) -> sigmaSquared.applyAsDouble(t, s);
    }
}
