package diffusion.analytic;

import diffusion.Arguments;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.SubsequenceModel;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.ChainModel;

/**
 * Analytic-DPM on a trajectory: the reverse kernel of DDPM (eta = 1) or DDIM (eta = 0) on tau_1 < ... < tau_K with the
 * variance sigma*_k^2 of OptimalVariance on the sub-schedule, where Gamma'_k = Gamma_{tau_k} is estimated once per model
 * (EpsMoment) and clipped to the bounds. With the last-step correction of Bao et al.'s likelihood code, sigma_1^2 is
 * replaced by betaTilde_2 of the full schedule (the variance of q(x_1 | x_2, x_0)): at k = 1 the lower bound is 0 and
 * for quantised data Gamma_1 sits below Monte Carlo resolution.
 */
public final class AnalyticDpm {

    private final Timesteps steps;
    private final EpsMoment moment;
    private final OptimalVariance optimal;
    private final double[] sigmaSquared; // index k = 1..K

    private AnalyticDpm(Timesteps steps, EpsMoment moment, OptimalVariance optimal, double[] sigmaSquared) {
        this.steps = steps;
        this.moment = moment;
        this.optimal = optimal;
        this.sigmaSquared = sigmaSquared;
    }

    /**
     * sigma*_k^2 = OptimalVariance(sub-schedule, eta, halfRange).sigmaSquared(k, Gamma_{tau_k}) for k = 1..K, with Gamma
     * from moment (estimated where not cached, with a progress line); lastStepCorrection replaces sigma_1^2 by betaTilde_2.
     */
    public static AnalyticDpm of(Timesteps steps, double eta, EpsMoment moment, double halfRange, boolean lastStepCorrection) {
        Arguments.allNonNull("steps, moment", steps, moment);
        if (moment.model().kernel() != steps.schedule()) {
            throw new IllegalArgumentException("the moments are of a model for " + moment.model().kernel() + " but the timesteps index " + steps.schedule());
        }
        OptimalVariance optimal = new OptimalVariance(steps.subSchedule(), eta, halfRange);
        double[] gammas = moment.gammas(steps.steps());
        double[] variances = new double[steps.K() + 1];
        for (int k = 1; k <= steps.K(); k++) {
            variances[k] = optimal.sigmaSquared(k, gammas[k - 1]);
        }
        if (lastStepCorrection) {
            if (steps.schedule().T() < 2) {
                throw new IllegalArgumentException("T = " + steps.schedule().T() + ": the last-step correction betaTilde_2 needs T >= 2");
            }
            variances[1] = steps.schedule().betaTilde(2);
        }
        return new AnalyticDpm(steps, moment, optimal, variances);
    }

    public Timesteps steps() {
        return steps;
    }

    public OptimalVariance optimal() {
        return optimal;
    }

    /** sigma_k^2, k in 1..K. */
    public double sigmaSquared(int k) {
        if (k < 1 || k > steps.K()) {
            throw new IllegalArgumentException("k = " + k + ": must lie in 1.." + steps.K());
        }
        return sigmaSquared[k];
    }

    /** Gamma'_k = Gamma_{tau_k} as estimated, k in 1..K. */
    public double gamma(int k) {
        return moment.gamma(steps.tau(k));
    }

    /** The reverse chain on the sub-schedule (for the bound): ChainModel(model restricted to the trajectory, eta, sigma_k^2). */
    public ChainModel reverse() {
        return new ChainModel(new SubsequenceModel(moment.model(), steps), optimal.eta(), ReverseVariance.of((k, previous) -> sigmaSquared((int) k)));
    }

    /** The grid it samples on: tau_K, ..., tau_1, 0 of the full schedule. */
    public TimeGrid grid() {
        return TimeGrid.of(steps);
    }

    /** The sampler on grid(): GeneralisedReverse with eta and sigma^2(tau_k, tau_{k-1}) = sigma_k^2. */
    public GeneralisedReverse sampler() {
        java.util.Map<Double, Integer> index = new java.util.HashMap<>();
        for (int k = 1; k <= steps.K(); k++) {
            index.put((double) steps.tau(k), k);
        }
        return GeneralisedReverse.of(optimal.eta(), ReverseVariance.of((t, s) -> sigmaSquared(index.get(t))),
                (optimal.eta() == 0 ? "Analytic-DDIM" : "Analytic-DDPM") + " (K = " + steps.K() + ")");
    }
}
