package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.process.Shapes;
import diffusion.report.Progress;
import diffusion.schedule.NoiseSchedule;
import diffusion.score.ScoreModel;
import java.util.function.ObjIntConsumer;

/**
 * DDIM (Song et al. 2021) on a timestep sequence tau_1 < ... < tau_K: x_{tau_K} ~ N(0, I), then for k = K..1
 * x_{tau_{k-1}} = sqrt(alphaBar_{tau_{k-1}}) x0_hat + sqrt(1 - alphaBar_{tau_{k-1}} - sigma_k^2) eps + sigma_k z with
 * x0_hat = (x_{tau_k} - sqrt(1 - alphaBar_{tau_k}) eps) / sqrt(alphaBar_{tau_k}), eps = eps(x_{tau_k}, tau_k) and
 * sigma_k^2 = eta^2 betaTilde'_k on the sub-schedule. eta = 1 on every step is DDPM with betaTilde; eta = 0 is
 * deterministic and invertible (invert, decode).
 */
public final class DdimSampler {

    private final Timesteps steps;
    private final double eta;

    /** The sampler on a timestep sequence with eta in [0, 1]. */
    public DdimSampler(Timesteps steps, double eta) {
        new NonMarkovianPosterior(steps.subSchedule(), eta); // checks eta
        this.steps = steps;
        this.eta = eta;
    }

    public Timesteps steps() {
        return steps;
    }

    public double eta() {
        return eta;
    }

    /** The reverse kernel it runs: GeneralisedReverse.matched over the model restricted to the sub-sequence. */
    public GeneralisedReverse reverse(ScoreModel model) {
        return GeneralisedReverse.matched(new SubsequenceModel(model, steps), eta);
    }

    /** n samples x_0, seeded; the result lives in manager. */
    public NDArray sample(NDManager manager, ScoreModel model, int n, long seed) {
        return sample(manager, model, n, seed, (x, k) -> { });
    }

    /** As above, calling observer.accept(x_{tau_{k-1}}, k - 1) after every step. */
    public NDArray sample(NDManager manager, ScoreModel model, int n, long seed, ObjIntConsumer<NDArray> observer) {
        Arguments.sampleCount(n, model.dim());
        return new ReverseSampler().sample(manager, reverse(model), n, seed, observer);
    }

    /**
     * Decoding with eta = 0 from given latents x_{tau_K} (n, d): the deterministic chain above (whatever this sampler's
     * eta); the result lives in manager and x_T is left untouched.
     */
    public NDArray decode(NDManager manager, ScoreModel model, NDArray xT) {
        Shapes.requireBatch("xT", xT, model.dim());
        return new ReverseSampler().sample(manager, GeneralisedReverse.matched(new SubsequenceModel(model, steps), 0.0),
                xT.duplicate(), (x, k) -> { });
    }

    /**
     * Deterministic inversion x_0 -> x_{tau_K}, the eta = 0 update run forwards: for k = 1..K, with s = tau_{k-1},
     * t = tau_k and eps = eps(x_s, s) (eps(x_0, tau_1) at s = 0),
     * x_t = sqrt(alphaBar_t) (x_s - sqrt(1 - alphaBar_s) eps) / sqrt(alphaBar_s) + sqrt(1 - alphaBar_t) eps.
     * The result lives in manager; x0 is left untouched.
     */
    public NDArray invert(NDManager manager, ScoreModel model, NDArray x0) {
        Shapes.requireBatch("x0", x0, model.dim());
        if (model.kernel() != steps.schedule()) {
            throw new IllegalArgumentException("model predicts noise for " + model.kernel() + " but the timesteps index " + steps.schedule());
        }
        NoiseSchedule schedule = steps.schedule();
        NDArray x = x0.duplicate();
        x.attach(manager);
        try (Progress progress = new Progress("ddim invert", steps.K())) {
            for (int k = 1; k <= steps.K(); k++) {
                int s = steps.tau(k - 1);
                int t = steps.tau(k);
                try (NDManager step = manager.newSubManager()) {
                    x.attach(step);
                    NDArray eps = model.epsilon(x, Math.max(s, steps.tau(1)));
                    NDArray x0Hat = x.sub(eps.mul(Math.sqrt(1 - schedule.alphaBar(s)))).div(Math.sqrt(schedule.alphaBar(s)));
                    NDArray next = x0Hat.mul(Math.sqrt(schedule.alphaBar(t))).add(eps.mul(Math.sqrt(1 - schedule.alphaBar(t))));
                    next.attach(manager);
                    x = next;
                }
                progress.update(k, "t=" + t);
            }
        }
        return x;
    }
}
