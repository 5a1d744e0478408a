package diffusion.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.report.Environment;
import diffusion.report.Progress;
import diffusion.schedule.NoiseLadder;
import diffusion.score.ScoreModel;

/**
 * Annealed Langevin dynamics (Song and Ermon 2019, Algorithm 1) over a noise ladder sigma_1 &gt; ... &gt; sigma_L:
 * x ~ N(0, sigma_1^2 I); for i = 1..L the step size is alpha_i = epsilon sigma_i^2 / sigma_L^2 and T Langevin steps
 * x &lt;- x + alpha_i / 2 s(x, sigma_i) + sqrt(alpha_i) z, z ~ N(0, I), run at level i; optionally a final Tweedie
 * denoising step x &lt;- x + sigma_L^2 s(x, sigma_L).
 */
public final class AnnealedLangevin {

    private final NoiseLadder ladder;
    private final int stepsPerLevel;
    private final double epsilon;
    private final boolean denoise;

    /** T = stepsPerLevel &gt;= 1 steps per level with base step size epsilon &gt; 0; denoise adds the final Tweedie step. */
    public AnnealedLangevin(NoiseLadder ladder, int stepsPerLevel, double epsilon, boolean denoise) {
        if (stepsPerLevel < 1) {
            throw new IllegalArgumentException("stepsPerLevel = " + stepsPerLevel + ": must be >= 1");
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon = " + epsilon + ": the step size must be finite and > 0");
        }
        this.ladder = ladder;
        this.stepsPerLevel = stepsPerLevel;
        this.epsilon = epsilon;
        this.denoise = denoise;
    }

    /** alpha_i = epsilon sigma_i^2 / sigma_L^2, the Langevin step size at level i = 1..L. */
    public double stepSize(int i) {
        double last = ladder.sigma(ladder.levels());
        return epsilon * ladder.sigma(i) * ladder.sigma(i) / (last * last);
    }

    /**
     * n samples from a model whose kernel is this ladder (its time is the level i), seeded; the result lives in
     * manager. Each Langevin step runs in its own sub-manager.
     */
    public NDArray sample(NDManager manager, ScoreModel model, int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("n = " + n + ": the number of samples must be >= 1");
        }
        if (model.kernel() != ladder) {
            throw new IllegalArgumentException("model is conditioned on " + model.kernel() + " but the sampler runs " + ladder);
        }
        Environment.seed(seed);
        NDArray x = manager.randomNormal(new Shape(n, model.dim())).mul(ladder.sigma(1)); // x ~ N(0, sigma_1^2 I)
        int levels = ladder.levels();
        try (Progress progress = new Progress("annealed langevin", levels * stepsPerLevel)) {
            for (int i = 1; i <= levels; i++) {
                double alpha = stepSize(i);
                for (int step = 1; step <= stepsPerLevel; step++) {
                    try (NDManager scope = manager.newSubManager()) {
                        x.attach(scope);
                        NDArray z = scope.randomNormal(x.getShape());
                        NDArray next = x.add(model.score(x, i).mul(alpha / 2)).add(z.mul(Math.sqrt(alpha))); // Langevin step
                        next.attach(manager);
                        x = next;
                    }
                }
                progress.update(i * stepsPerLevel, String.format("sigma=%.4f", ladder.sigma(i)));
            }
        }
        if (denoise) {
            try (NDManager scope = manager.newSubManager()) {
                x.attach(scope);
                NDArray next = model.denoise(x, levels); // x + sigma_L^2 s(x, sigma_L) (Tweedie, m = 1)
                next.attach(manager);
                x = next;
            }
        }
        return x;
    }
}
