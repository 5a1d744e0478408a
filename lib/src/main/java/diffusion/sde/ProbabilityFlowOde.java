package diffusion.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.ode.OdeSolver;
import diffusion.ode.Solution;
import diffusion.ode.VectorField;
import diffusion.process.Shapes;
import java.util.function.ObjDoubleConsumer;

/**
 * The probability-flow ODE dx/dt = f(x, t) - g(t)^2 s(x, t) / 2 of a reverse SDE on [eps, T] as a deterministic,
 * invertible map between data and latents: decoding solves it from t = T down to eps (a latent x(T) ~ p_T gives a
 * sample x(eps) ~ p_eps), encoding from eps up to T. The start time eps &gt; 0 keeps away from t = 0, where s(t) = 0 and
 * the score of a trained model blows up. Decoding can end with Tweedie's denoising step x_0 = E[x_0 | x(eps)]
 * (one more evaluation).
 */
public final class ProbabilityFlowOde {

    private final ReverseSde reverse;
    private final double eps;

    /** The flow of reverse on [eps, T], 0 &lt; eps &lt; T. */
    public ProbabilityFlowOde(ReverseSde reverse, double eps) {
        double T = reverse.sde().T();
        if (!(eps > 0 && eps < T)) {
            throw new IllegalArgumentException("eps = " + eps + " must lie in (0, T = " + T + ")");
        }
        this.reverse = reverse;
        this.eps = eps;
    }

    /** The reverse SDE whose probability flow this is. */
    public ReverseSde reverse() {
        return reverse;
    }

    /**
     * Probability-flow sampling as an SdeSampler (for tables that compare it with the reverse-SDE samplers): the flow of
     * each reverse SDE on [eps, T], solved by solver from prior draws, optionally denoised; NFE as the solver counts them.
     */
    public static SdeSampler sampler(OdeSolver solver, double eps, boolean denoise) {
        return (manager, reverse, n, seed) -> {
            Solution solution = new ProbabilityFlowOde(reverse, eps).sample(manager, n, seed, solver, denoise);
            return new SdeSampler.Result(solution.state(), solution.nfe());
        };
    }

    /** The start time eps. */
    public double eps() {
        return eps;
    }

    /** The horizon T. */
    public double T() {
        return reverse.sde().T();
    }

    /** v(x, t) = f(x, t) - g(t)^2 s(x, t) / 2 as a vector field. */
    public VectorField field() {
        return reverse::probabilityFlow;
    }

    /** n samples: x(T) ~ p_T (seeded), decoded from T to eps, optionally denoised; the result lives in manager. */
    public Solution sample(NDManager manager, int n, long seed, OdeSolver solver, boolean denoise) {
        Arguments.sampleCount(n, reverse.model().dim());
        try (NDManager scratch = manager.newSubManager()) {
            NDArray latent = reverse.sde().samplePrior(scratch, n, reverse.model().dim(), seed);
            return decode(manager, latent, solver, denoise, (x, t) -> { });
        }
    }

    /** x(eps) from the latents x(T) = latent (n, d), then Tweedie's x_0 = (x - s(eps) eps_theta) / m(eps) if denoise. */
    public Solution decode(NDManager manager, NDArray latent, OdeSolver solver, boolean denoise, ObjDoubleConsumer<NDArray> observer) {
        Shapes.requireBatch("latent", latent, reverse.model().dim());
        Solution solution = solver.solve(manager, field(), latent, T(), eps, observer);
        if (!denoise) {
            return solution;
        }
        try (NDManager step = manager.newSubManager()) {
            solution.state().attach(step);
            NDArray denoised = reverse.model().denoise(solution.state(), eps);
            denoised.attach(manager);
            return new Solution(denoised, solution.nfe() + 1, solution.steps(), solution.rejected());
        }
    }

    /** The latents x(T) of data x(eps) = data (n, d), solving the flow forwards from eps to T. */
    public Solution encode(NDManager manager, NDArray data, OdeSolver solver) {
        Shapes.requireBatch("data", data, reverse.model().dim());
        return solver.solve(manager, field(), data, eps, T());
    }
}
