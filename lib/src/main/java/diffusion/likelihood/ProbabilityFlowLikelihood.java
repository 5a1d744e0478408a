package diffusion.likelihood;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.ode.OdeSolver;
import diffusion.ode.Solution;
import diffusion.ode.VectorField;
import diffusion.schedule.TimeGrid;
import diffusion.score.ScoreModel;
import diffusion.sde.ReverseSde;
import diffusion.sde.Sde;

/**
 * log p_eps(x) through the probability-flow ODE by the instantaneous change of variables (Chen et al. 2018; Song et al.
 * 2021, appendix D): along dx/dt = v(x, t), d log p_t(x(t)) / dt = -div v(x(t), t), hence
 * log p_eps(x(eps)) = log p_T(x(T)) + int_eps^T div v(x(t), t) dt. The augmented state (x, delta) with
 * d delta / dt = div v and delta(eps) = 0 is solved from eps to T by any OdeSolver; log p_T is the SDE's prior.
 * Hutchinson probes are drawn once per solve (FFJORD), so the estimate is unbiased for exact integration.
 */
public final class ProbabilityFlowLikelihood {

    private static final double LN_2 = Math.log(2);

    private final ReverseSde reverse;
    private final DivergenceEstimator estimator;

    /** The likelihood of a score model whose kernel is an SDE. */
    public ProbabilityFlowLikelihood(ScoreModel model, DivergenceEstimator estimator) {
        Arguments.allNonNull("model, estimator", model, estimator);
        if (!(model.kernel() instanceof Sde sde)) {
            throw new IllegalArgumentException("the likelihood integrates the SDE's probability flow, but the model predicts for "
                    + model.kernel());
        }
        this.reverse = new ReverseSde(sde, model);
        this.estimator = estimator;
    }

    public DivergenceEstimator estimator() {
        return estimator;
    }

    /**
     * The estimate for data x (n, d) at t = eps = grid.end(): latent x(T) at T = grid.start(), delta = int_eps^T div v dt,
     * prior term log p_T(x(T)), and log p_eps(x) = prior + delta; the solver runs over the grid's points upwards; probes
     * seeded with seed. Results live in manager.
     */
    public Estimate logDensity(NDManager manager, NDArray x, OdeSolver solver, TimeGrid grid, long seed) {
        if (grid.kernel() != reverse.sde()) {
            throw new IllegalArgumentException("grid is over " + grid.kernel() + " but the model predicts for " + reverse.sde());
        }
        int d = reverse.model().dim();
        Arguments.requireBatch("x", x, d);
        int n = Math.toIntExact(x.getShape().get(0));
        try (NDManager scratch = manager.newSubManager()) {
            NDArray probes = estimator.probes(scratch, n, d, seed).toType(x.getDataType(), false);
            VectorField velocity = reverse::probabilityFlow;
            VectorField augmented = (state, t) -> {
                Divergence.VelocityAndDivergence vd = Divergence.of(velocity, state.get(":, 0:" + d), t, probes);
                return vd.velocity().concat(vd.divergence().expandDims(1), 1); // (v, div v)
            };
            NDArray start = x.concat(scratch.zeros(new Shape(n, 1), x.getDataType()), 1); // (x, delta = 0)
            start.attach(scratch);
            Solution solution = solver.solve(scratch, augmented, start, grid.increasing());
            NDArray latent = solution.state().get(":, 0:" + d);
            NDArray delta = solution.state().get(":, " + d);
            NDArray prior = reverse.sde().priorLogDensity(latent);
            NDArray logDensity = prior.add(delta);
            for (NDArray kept : new NDArray[] {latent, delta, prior, logDensity}) {
                kept.attach(manager);
            }
            return new Estimate(logDensity, prior, delta, latent, solution.nfe());
        }
    }

    /** Bits per dimension of a log-density in nats: -log p(x) / (d ln 2). */
    public static NDArray bitsPerDim(NDArray logDensity, int dim) {
        return logDensity.div(-dim * LN_2);
    }

    /**
     * One likelihood solve: log p_eps(x) (n,), its prior term log p_T(x(T)) (n,), delta = int_eps^T div v dt (n,), the
     * latent x(T) (n, d) and the function evaluations (each a forward and a backward pass over M n rows).
     */
    public record Estimate(NDArray logDensity, NDArray priorLogDensity, NDArray delta, NDArray latent, int nfe) {

        /** Refuses a null component, naming it. */
        public Estimate {
            Arguments.allNonNull("logDensity, priorLogDensity, delta, latent", logDensity, priorLogDensity, delta, latent);
        }
    }
}
