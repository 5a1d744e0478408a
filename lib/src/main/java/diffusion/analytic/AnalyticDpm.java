package diffusion.analytic;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.process.ReverseVariance;
import diffusion.sample.GeneralisedReverse;
import diffusion.sample.SubsequenceModel;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.TimeGrid;
import diffusion.schedule.Timesteps;
import diffusion.score.ChainModel;
import diffusion.score.ReverseModel;

/**
 * Analytic-DPM on a trajectory: the reverse kernel of DDPM (eta = 1) or DDIM (eta = 0) on tau_1 < ... < tau_K with the
 * variance sigma*_k^2 of OptimalVariance on the sub-schedule, where Gamma'_k = Gamma_{tau_k} is estimated once per model
 * (EpsMoment) and clipped to the bounds. With the last-step correction of Bao et al.'s likelihood code, sigma_1^2 is
 * replaced by betaTilde_2 of the full schedule (the variance of q(x_1 | x_2, x_0)): at k = 1 the lower bound is 0 and
 * for quantised data Gamma_1 sits below Monte Carlo resolution.
 *
 * <p>Covariance.ISOTROPIC is Bao et al.'s sigma*_k^2 I from Gamma'_k; Covariance.DIAGONAL is diag(sigma*_k,j^2) from the
 * per-coordinate moments Gamma'_k,j (OptimalVariance's diagonal case), sampled with diag(sigma*_k,j) z.
 */
public final class AnalyticDpm {

    /** The shape of the reverse covariance. */
    public enum Covariance {
        /** sigma*_k^2 I with the moment averaged over coordinates (Bao et al. 2022a). */
        ISOTROPIC,
        /** diag(sigma*_k,j^2) with the per-coordinate moments (the diagonal case of Bao et al. 2022b). */
        DIAGONAL
    }

    private final Timesteps steps;
    private final EpsMoment moment;
    private final OptimalVariance optimal;
    private final Covariance covariance;
    private final double[][] sigmaSquared; // index k = 1..K, then j: one entry (ISOTROPIC) or d (DIAGONAL)

    private AnalyticDpm(Timesteps steps, EpsMoment moment, OptimalVariance optimal, Covariance covariance, double[][] sigmaSquared) {
        this.steps = steps;
        this.moment = moment;
        this.optimal = optimal;
        this.covariance = covariance;
        this.sigmaSquared = sigmaSquared;
    }

    /** The isotropic case: of(steps, eta, moment, halfRange, lastStepCorrection, Covariance.ISOTROPIC). */
    public static AnalyticDpm of(Timesteps steps, double eta, EpsMoment moment, double halfRange, boolean lastStepCorrection) {
        return of(steps, eta, moment, halfRange, lastStepCorrection, Covariance.ISOTROPIC);
    }

    /**
     * sigma*_k^2 = OptimalVariance(sub-schedule, eta, halfRange).sigmaSquared(k, Gamma_{tau_k}) for k = 1..K, with Gamma
     * from moment (estimated where not cached, with a progress line): the scalar Gamma_{tau_k} (ISOTROPIC) or the vector
     * Gamma_{tau_k, j} (DIAGONAL); lastStepCorrection replaces sigma_1^2 by betaTilde_2 in every coordinate.
     */
    public static AnalyticDpm of(Timesteps steps, double eta, EpsMoment moment, double halfRange, boolean lastStepCorrection, Covariance covariance) {
        Arguments.allNonNull("steps, moment, covariance", steps, moment, covariance);
        if (moment.model().kernel() != steps.schedule()) {
            throw new IllegalArgumentException("the moments are of a model for " + moment.model().kernel() + " but the timesteps index " + steps.schedule());
        }
        OptimalVariance optimal = new OptimalVariance(steps.subSchedule(), eta, halfRange);
        double[][] gammas = covariance == Covariance.DIAGONAL
                ? moment.gammasPerDimension(steps.steps())
                : java.util.Arrays.stream(moment.gammas(steps.steps())).mapToObj(gamma -> new double[] {gamma}).toArray(double[][]::new);
        double[][] variances = new double[steps.K() + 1][];
        for (int k = 1; k <= steps.K(); k++) {
            variances[k] = optimal.sigmaSquared(k, gammas[k - 1]);
        }
        if (lastStepCorrection) {
            if (steps.schedule().T() < 2) {
                throw new IllegalArgumentException("T = " + steps.schedule().T() + ": the last-step correction betaTilde_2 needs T >= 2");
            }
            java.util.Arrays.fill(variances[1], steps.schedule().betaTilde(2));
        }
        return new AnalyticDpm(steps, moment, optimal, covariance, variances);
    }

    public Timesteps steps() {
        return steps;
    }

    public OptimalVariance optimal() {
        return optimal;
    }

    public Covariance covariance() {
        return covariance;
    }

    /** sigma_k^2, k in 1..K, of the isotropic case (the diagonal one has sigmaSquaredPerDimension). */
    public double sigmaSquared(int k) {
        if (covariance != Covariance.ISOTROPIC) {
            throw new IllegalArgumentException("covariance = " + covariance + ": one variance per coordinate, read sigmaSquaredPerDimension(k)");
        }
        return variances(k)[0];
    }

    /** sigma_k,j^2 for j = 1..d, k in 1..K (the isotropic case repeats sigma_k^2 in every coordinate). */
    public double[] sigmaSquaredPerDimension(int k) {
        double[] row = variances(k);
        if (row.length == 1) {
            double[] repeated = new double[moment.model().dim()];
            java.util.Arrays.fill(repeated, row[0]);
            return repeated;
        }
        return row.clone();
    }

    /** Gamma'_k = Gamma_{tau_k} as estimated, k in 1..K. */
    public double gamma(int k) {
        return moment.gamma(steps.tau(k));
    }

    /**
     * The reverse chain on the sub-schedule (for the bound): ChainModel(model restricted to the trajectory, eta,
     * sigma_k^2) in the isotropic case; in the diagonal case the same chain's mean with log variance log sigma_k,j^2 per
     * coordinate.
     */
    public ReverseModel reverse() {
        SubsequenceModel restricted = new SubsequenceModel(moment.model(), steps);
        if (covariance == Covariance.ISOTROPIC) {
            return new ChainModel(restricted, optimal.eta(), ReverseVariance.of((k, previous) -> sigmaSquared((int) k)));
        }
        ChainModel mean = new ChainModel(restricted, optimal.eta(), ReverseVariance.of((k, previous) -> 1)); // its variance is replaced below
        return new ReverseModel() {
            @Override
            public int dim() {
                return mean.dim();
            }

            @Override
            public NoiseSchedule schedule() {
                return mean.schedule();
            }

            @Override
            public Gaussian reverse(NDArray xt, int k) {
                double[] row = variances(k);
                float[] logVariance = new float[row.length];
                for (int j = 0; j < row.length; j++) {
                    logVariance[j] = (float) Math.log(row[j]); // log sigma_k,j^2
                }
                return new Gaussian(mean.reverse(xt, k).mean(), xt.getManager().create(logVariance));
            }
        };
    }

    /** The grid it samples on: tau_K, ..., tau_1, 0 of the full schedule. */
    public TimeGrid grid() {
        return TimeGrid.of(steps);
    }

    /**
     * The sampler on grid(): GeneralisedReverse with eta and sigma^2(tau_k, tau_{k-1}) = sigma_k^2 (isotropic), or
     * sigma_j^2(tau_k, tau_{k-1}) = sigma_k,j^2 (diagonal).
     */
    public GeneralisedReverse sampler() {
        java.util.Map<Double, Integer> index = new java.util.HashMap<>();
        for (int k = 1; k <= steps.K(); k++) {
            index.put((double) steps.tau(k), k);
        }
        String name = (optimal.eta() == 0 ? "Analytic-DDIM" : "Analytic-DDPM") + (covariance == Covariance.DIAGONAL ? ", diagonal" : "") + " (K = " + steps.K() + ")";
        return covariance == Covariance.DIAGONAL
                ? GeneralisedReverse.perDimension(optimal.eta(), (t, s) -> variances(index.get(t)).clone(), name)
                : GeneralisedReverse.of(optimal.eta(), ReverseVariance.of((t, s) -> sigmaSquared(index.get(t))), name);
    }

    private double[] variances(int k) {
        if (k < 1 || k > steps.K()) {
            throw new IllegalArgumentException("k = " + k + ": must lie in 1.." + steps.K());
        }
        return sigmaSquared[k];
    }
}
