package diffusion.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.report.Progress;
import diffusion.score.ScoreModel;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Predictor-corrector sampling of the reverse SDE (Song et al. 2021, Algorithm 1): x(T) from the prior, then on the
 * grid t_k = eps + (T - eps) k / N, for k = N..1, one predictor step from t_k to t_{k-1} followed by M corrector
 * steps at t_{k-1}; optionally a final Tweedie step x &lt;- E[x_0 | x_eps] = model.denoise(x, eps). Predictor only:
 * no corrector; corrector only (Predictor.NONE): annealed Langevin dynamics on the same grid. The score evaluations
 * (NFE) are counted and returned with the samples.
 */
public final class PredictorCorrector implements SdeSampler {

    private final Predictor predictor;
    private final Optional<LangevinCorrector> corrector;
    private final int steps;
    private final double eps;
    private final boolean denoise;

    /**
     * N = steps &gt;= 1 levels down to eps &gt; 0; corrector may be empty (predictor only) but not together with
     * Predictor.NONE; denoise adds the final Tweedie step.
     */
    public PredictorCorrector(Predictor predictor, Optional<LangevinCorrector> corrector, int steps, double eps, boolean denoise) {
        if (predictor == Predictor.NONE && corrector.isEmpty()) {
            throw new IllegalArgumentException("predictor = NONE and no corrector: the sampler would not move x");
        }
        this.predictor = predictor;
        this.corrector = corrector;
        this.steps = Arguments.atLeast("steps", steps, 1);
        this.eps = Arguments.positive("eps", eps);
        this.denoise = denoise;
    }

    /** Predictor only, N = steps levels down to eps. */
    public static PredictorCorrector predictorOnly(Predictor predictor, int steps, double eps, boolean denoise) {
        return new PredictorCorrector(predictor, Optional.empty(), steps, eps, denoise);
    }

    /** Predictor followed by the Langevin corrector at every level. */
    public static PredictorCorrector of(Predictor predictor, LangevinCorrector corrector, int steps, double eps, boolean denoise) {
        return new PredictorCorrector(predictor, Optional.of(corrector), steps, eps, denoise);
    }

    /** Corrector only: annealed Langevin dynamics, M Langevin steps at each of t_{N-1}, ..., t_0 = eps. */
    public static PredictorCorrector correctorOnly(LangevinCorrector corrector, int steps, double eps, boolean denoise) {
        return new PredictorCorrector(Predictor.NONE, Optional.of(corrector), steps, eps, denoise);
    }

    /** N, the number of levels below T. */
    public int steps() {
        return steps;
    }

    /** eps, the last time of the grid. */
    public double eps() {
        return eps;
    }

    /** t_k = eps + (T - eps) k / N, k = 0..N (t_N = T, t_0 = eps). */
    public double time(Sde sde, int k) {
        return eps + (sde.T() - eps) * k / steps;
    }

    /** Score evaluations per sample: N (predictor, unless NONE) + N M (corrector) + 1 (denoising step). */
    public int scoreEvaluations() {
        return (predictor == Predictor.NONE ? 0 : steps) + steps * corrector.map(LangevinCorrector::steps).orElse(0)
                + (denoise ? 1 : 0);
    }

    /** "reverse diffusion + Langevin (r = 0.16, M = 1), N = 500" and the like. */
    public String name() {
        String parts = predictor == Predictor.NONE ? "annealed " + corrector.orElseThrow()
                : predictor.label() + corrector.map(c -> " + " + c).orElse("");
        return parts + ", N = " + steps + (denoise ? ", denoised" : "");
    }

    /**
     * n samples of x(eps) (or of E[x_0 | x(eps)] with denoising) from the reverse SDE, seeded; the samples live in
     * manager. Every predictor and corrector step runs in its own sub-manager; a run that lasts over two seconds
     * prints progress (Progress.forLongRuns: tables of many short runs stay quiet). Requires eps &lt; T.
     */
    @Override
    public Result sample(NDManager manager, ReverseSde reverse, int n, long seed) {
        Sde sde = reverse.sde();
        ScoreModel model = reverse.model();
        if (!(eps < sde.T())) {
            throw new IllegalArgumentException("eps = " + eps + " must lie in (0, T = " + sde.T() + ") for the " + sde.name() + " SDE");
        }
        Arguments.sampleCount(n, model.dim());
        Predictor.Step[] predictorSteps = new Predictor.Step[steps + 1];
        double[] alpha = new double[steps + 1]; // the corrector's alpha = (m(t_k) / m(t_{k-1}))^2
        for (int k = steps; k >= 1; k--) { // every coefficient checked before any work
            double dt = time(sde, k) - time(sde, k - 1);
            predictorSteps[k] = predictor.step(sde, time(sde, k), dt);
            alpha[k] = Math.pow(sde.meanScale(time(sde, k)) / sde.meanScale(time(sde, k - 1)), 2);
        }
        NDArray x;
        try (NDManager prior = manager.newSubManager()) { // samplePrior's intermediate draw stays in here
            x = sde.samplePrior(prior, n, model.dim(), seed); // x(T) ~ N(0, sigma_T^2 I), seeds the engine
            x.attach(manager);
        }
        int evaluations = 0;
        try (Progress progress = Progress.forLongRuns(name(), steps)) {
            for (int k = steps; k >= 1; k--) {
                double t = time(sde, k), next = time(sde, k - 1);
                Predictor.Step step = predictorSteps[k];
                if (predictor != Predictor.NONE) {
                    x = advance(manager, x, y -> y.mul(step.cx()).add(model.score(y, t).mul(step.cs()))
                            .add(y.getManager().randomNormal(y.getShape()).mul(step.sigma())));
                    evaluations++;
                }
                for (int j = 0; j < corrector.map(LangevinCorrector::steps).orElse(0); j++) {
                    double a = alpha[k];
                    x = advance(manager, x, y -> corrector.orElseThrow().step(y, model.score(y, next),
                            y.getManager().randomNormal(y.getShape()), a));
                    evaluations++;
                }
                progress.update(steps - k + 1, String.format("t=%.4f", next));
            }
        }
        if (denoise) {
            x = advance(manager, x, y -> model.denoise(y, eps));
            evaluations++;
        }
        return new Result(x, evaluations);
    }

    /** update(x) computed in a sub-manager of manager, the result attached back to manager (x is released). */
    private static NDArray advance(NDManager manager, NDArray x, UnaryOperator<NDArray> update) {
        try (NDManager step = manager.newSubManager()) {
            x.attach(step);
            NDArray next = update.apply(x);
            next.attach(manager);
            return next;
        }
    }
}
