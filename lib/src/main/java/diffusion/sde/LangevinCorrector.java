package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;

/**
 * The Langevin corrector of Song et al. (2021, Algorithms 4 and 5): at a fixed level t, M steps
 * x &lt;- x + epsilon s(x, t) + sqrt(2 epsilon) z with the signal-to-noise step rule
 * epsilon = 2 alpha (r ||z|| / ||s(x, t)||)^2, the norms averaged over the batch, r the target snr and alpha the
 * squared mean decay of the level's step, (m(t) / m(t - dt))^2 = exp(2 int f): 1 for VE, exp(-int beta) for VP and
 * sub-VP, where Song et al. take DDPM's alpha_i = 1 - beta_i (equal to first order in dt, and never negative on a
 * coarse grid). Without a predictor it is annealed Langevin dynamics.
 */
public final class LangevinCorrector {

    private final double snr;
    private final int steps;

    /** Target signal-to-noise ratio r &gt; 0 and M = steps &gt;= 1 Langevin steps per level. */
    public LangevinCorrector(double snr, int steps) {
        this.snr = Arguments.positive("snr", snr);
        this.steps = Arguments.atLeast("steps", steps, 1);
    }

    /** r. */
    public double snr() {
        return snr;
    }

    /** M, the Langevin steps per level. */
    public int steps() {
        return steps;
    }

    /** epsilon = 2 alpha (r mean_i ||z_i|| / mean_i ||s_i||)^2 for batches score and z (n, d). */
    public double stepSize(NDArray score, NDArray z, double alpha) {
        double noiseNorm = z.norm(new int[] {1}).mean().getFloat();
        double scoreNorm = score.norm(new int[] {1}).mean().getFloat();
        double ratio = snr * noiseNorm / scoreNorm;
        return 2 * alpha * ratio * ratio;
    }

    /** One Langevin step x + epsilon s + sqrt(2 epsilon) z with epsilon = stepSize(score, z, alpha). */
    public NDArray step(NDArray x, NDArray score, NDArray z, double alpha) {
        double epsilon = stepSize(score, z, alpha);
        return x.add(score.mul(epsilon)).add(z.mul(Math.sqrt(2 * epsilon)));
    }

    @Override
    public String toString() {
        return "Langevin (r = " + snr + ", M = " + steps + ")";
    }
}
