package diffusion.process;

import diffusion.Arguments;
import diffusion.schedule.NoiseSchedule;

/**
 * The lecture's posterior variance (an erratum, kept to be measured): the slide writes
 * Sigma_q(t) = (1 - alpha_t)(1 - sqrt(alphaBar_{t-1})) / (1 - alphaBar_t) with a square root that the derivation does
 * not have. Since 1 - sqrt(a) = (1 - a) / (1 + sqrt(a)), it equals betaTilde_t / (1 + sqrt(alphaBar_{t-1})): half
 * the true variance at the start of the chain, right only as alphaBar_{t-1} -&gt; 0.
 */
public final class LecturePosteriorVariance {

    private LecturePosteriorVariance() {
    }

    /** The lecture's (1 - alpha_t)(1 - sqrt(alphaBar_{t-1})) / (1 - alphaBar_t), t in 1..T. */
    public static double of(NoiseSchedule schedule, int t) {
        Arguments.nonNull("schedule", schedule).requireStep("t", t);
        return (1 - schedule.alpha(t)) * (1 - Math.sqrt(schedule.alphaBar(t - 1))) / (1 - schedule.alphaBar(t));
    }

    /** The ratio of the lecture's value to the true betaTilde_t in closed form: 1 / (1 + sqrt(alphaBar_{t-1})). */
    public static double ratioToTrue(NoiseSchedule schedule, int t) {
        Arguments.nonNull("schedule", schedule).requireStep("t", t);
        return 1 / (1 + Math.sqrt(schedule.alphaBar(t - 1)));
    }
}
