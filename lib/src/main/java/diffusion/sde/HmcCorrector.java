package diffusion.sde;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Noise;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;

/**
 * The Hamiltonian Monte Carlo corrector, score-based and without a Metropolis step (p_t is known only through its
 * score): each of M moves at time t refreshes the momentum p ~ N(0, I) and takes L leapfrog steps of size h with the
 * force s(x, t) = grad log p_t(x),
 * p &lt;- p + (h/2) s(x), x &lt;- x + h p, p &lt;- p + (h/2) s(x),
 * and keeps the end position (the momentum is discarded, so the last half step of momentum is not computed: L model
 * evaluations per move). The step comes from a LangevinCorrector's rule, h = sqrt(2 epsilon) with epsilon the Langevin
 * step for the score at the start and the fresh momentum as its noise: one leapfrog step is then
 * x + h p + (h^2/2) s(x) = x + epsilon s(x) + sqrt(2 epsilon) p, the Langevin step itself, so L = 1 is the Langevin
 * corrector and L &gt; 1 moves further along the same Hamiltonian flow per refreshment.
 */
public final class HmcCorrector implements Corrector {

    private final LangevinCorrector rule;
    private final int leapfrogSteps;

    private HmcCorrector(LangevinCorrector rule, int leapfrogSteps) {
        this.rule = rule;
        this.leapfrogSteps = Arguments.size("leapfrogSteps", leapfrogSteps, 1);
        Arguments.derivedSize("leapfrogSteps", leapfrogSteps, "model evaluations per level (M = " + rule.steps() + " x L)",
                (long) rule.steps() * leapfrogSteps, Integer.MAX_VALUE);
    }

    /** Song et al.'s signal-to-noise step rule (LangevinCorrector.snr(snr, steps)), M = steps moves of L = leapfrogSteps. */
    public static HmcCorrector snr(double snr, int steps, int leapfrogSteps) {
        return new HmcCorrector(LangevinCorrector.snr(snr, steps), leapfrogSteps);
    }

    /** Song and Ermon's annealed step rule (LangevinCorrector.annealed(epsilon, steps)), M = steps moves of L = leapfrogSteps. */
    public static HmcCorrector annealed(double epsilon, int steps, int leapfrogSteps) {
        return new HmcCorrector(LangevinCorrector.annealed(epsilon, steps), leapfrogSteps);
    }

    /** M, the momentum refreshments per level. */
    @Override
    public int steps() {
        return rule.steps();
    }

    /** L, the leapfrog steps per move. */
    public int leapfrogSteps() {
        return leapfrogSteps;
    }

    /** M x L: one model evaluation per leapfrog step. */
    @Override
    public int evaluations() {
        return rule.steps() * leapfrogSteps;
    }

    /** The leapfrog step h = sqrt(2 epsilon), epsilon = the Langevin rule's step for score and momentum p at t of grid. */
    public double leapfrogStep(NDArray score, NDArray p, double alpha, double t, TimeGrid grid) {
        return Math.sqrt(2 * rule.stepSize(score, p, alpha, t, grid)); // h = sqrt(2 epsilon)
    }

    /** One move at t: p ~ N(0, I) from noise, h = leapfrogStep(s(x, t), p, ...), then leapfrog(model, x, p, h, t). */
    @Override
    public NDArray move(ScoreModel model, NDArray x, double alpha, double t, TimeGrid grid, Noise noise) {
        NDArray p = noise.normal(x.getManager(), x.getShape());
        NDArray score = model.score(x, t);
        return leapfrog(model, x, score, p, leapfrogStep(score, p, alpha, t, grid), t);
    }

    /**
     * The position after L leapfrog steps of size h &gt; 0 from (x, p) under the force s(., t), score = s(x, t) given:
     * L model evaluations (at x and the L - 1 inner positions).
     */
    public NDArray leapfrog(ScoreModel model, NDArray x, NDArray score, NDArray p, double h, double t) {
        Arguments.positive("h", h);
        for (int l = 1; l <= leapfrogSteps; l++) {
            p = p.add(score.mul(h / 2)); // p + (h/2) s(x)
            x = x.add(p.mul(h)); // x + h p
            if (l < leapfrogSteps) {
                score = model.score(x, t);
                p = p.add(score.mul(h / 2)); // p + (h/2) s(x); after the last step the momentum is discarded
            }
        }
        return x;
    }

    @Override
    public String toString() {
        return "HMC (" + rule.parameters() + ", L = " + leapfrogSteps + ")";
    }
}
