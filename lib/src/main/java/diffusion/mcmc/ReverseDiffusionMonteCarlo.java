package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.sde.OrnsteinUhlenbeck;

/**
 * Reverse diffusion Monte Carlo (lecture 000, Algorithm 1; Huang et al., ICLR 2024) for p* proportional to
 * exp(-f*). Starting from particles x_0 ~ p~_0 (by default N(0, I), the OU limit), for k = 0..K-1 with
 * K = floor(T / eta) and forward time s_k = T - k eta:
 * <pre>
 *   v_k = estimate of grad log p_{s_k}(x_k)                      (Lemma 2, by a {@link ScoreEstimator})
 *   x_{k+1} = e^eta x_k + 2 (e^eta - 1) v_k + sqrt(e^{2 eta} - 1) xi,   xi ~ N(0, I)
 * </pre>
 * the exponential integrator of dY = {Y + 2 grad log p_{T-t}(Y)} dt + sqrt(2) dB ({@link OrnsteinUhlenbeck}).
 * The particles returned approximate p_{T - K eta}, which is p* when T is a multiple of eta.
 *
 * <p>Erratum: the lecture's line 5 reads x + (e^eta - 1) v, without the factor 2 of its own reverse SDE.
 */
public final class ReverseDiffusionMonteCarlo {

    private final double horizon;
    private final double eta;
    private final int steps;
    private final ScoreEstimator estimator;

    /** Terminal time T &gt; 0, outer step eta in (0, T], and the score estimator. */
    public ReverseDiffusionMonteCarlo(double horizon, double eta, ScoreEstimator estimator) {
        this.horizon = Arguments.positive("T", horizon);
        this.eta = Arguments.positive("eta", eta);
        if (eta > horizon) {
            throw new IllegalArgumentException("eta = " + eta + " must be in (0, T] with T = " + horizon);
        }
        // floor(T / eta), forgiving the rounding of T = k eta in binary (T = 1, eta = 0.1 gives 10)
        double outer = Math.floor(horizon / eta * (1 + 1e-12));
        if (outer > Arguments.MAX_ENTRIES) {
            throw new IllegalArgumentException("eta = " + eta + " with T = " + horizon + " gives " + outer
                    + " outer steps T / eta; at most " + Arguments.MAX_ENTRIES + " are allowed");
        }
        this.steps = (int) outer;
        this.estimator = Arguments.nonNull("estimator", estimator);
    }

    /** The terminal time T. */
    public double horizon() {
        return horizon;
    }

    /** The outer step eta. */
    public double eta() {
        return eta;
    }

    /** The number of outer steps K = floor(T / eta). */
    public int steps() {
        return steps;
    }

    /** The score estimator. */
    public ScoreEstimator estimator() {
        return estimator;
    }

    /** "RDMC (T = 2.0, eta = 0.1, importance sampling (n = 64))". */
    public String name() {
        return "RDMC (T = " + horizon + ", eta = " + eta + ", " + estimator.name() + ")";
    }

    /** Runs from particles &gt;= 1 initial points x_0 ~ N(0, I) drawn from Noise.seeded(seed); see {@link #run(NDManager, Target, NDArray, long, int)}. */
    public Run run(NDManager manager, Target target, int particles, long seed, int snapshots) {
        Arguments.atLeast("particles", particles, 1);
        Arguments.atLeast("snapshots", snapshots, 0);
        Noise noise = Noise.seeded(seed);
        try (NDManager scratch = manager.newSubManager()) {
            return sample(manager, target, noise.normal(scratch, new Shape(particles, target.dim())), snapshots, noise);
        }
    }

    /**
     * Runs Algorithm 1 from initial (P, d) (left untouched), drawing from Noise.seeded(seed); the result and the
     * snapshots (step 0 and snapshots evenly spaced outer steps; 0 for none) live in manager, and nothing else is
     * left there.
     */
    public Run run(NDManager manager, Target target, NDArray initial, long seed, int snapshots) {
        return sample(manager, target, initial, snapshots, Noise.seeded(seed));
    }

    private Run sample(NDManager manager, Target target, NDArray initial, int snapshots, Noise noise) {
        Arguments.floatingBatch("initial", initial, "N", target.dim());
        MeteredTarget metered = new MeteredTarget(target);
        Trajectory trajectory = new Trajectory(manager, metered, steps, snapshots);
        OrnsteinUhlenbeck ou = OrnsteinUhlenbeck.KERNEL;
        NDArray x = initial.duplicate();
        x.attach(manager);
        try (NDManager check = manager.newSubManager()) {
            check.tempAttachAll(x);
            Arguments.bounded("initial", x, Arguments.MAX_POINT_ENTRY);
        } catch (IllegalArgumentException e) {
            x.close();
            throw e;
        }
        trajectory.offer(0, x);
        Monitor monitor = trajectory.and(Monitor.progress());
        monitor.start(name(), steps);
        long proposals = 0;
        long accepted = 0;
        for (int k = 0; k < steps; k++) {
            try (NDManager scope = manager.newSubManager()) {
                x.attach(scope);
                double s = horizon - k * eta;
                ScoreEstimator.Estimate v = estimator.estimate(metered, x, s, noise);
                proposals += v.proposals();
                accepted += v.accepted();
                NDArray xi = noise.normal(scope, x.getShape()).toType(x.getDataType(), false);
                // x_{k+1} = e^eta x_k + 2 (e^eta - 1) v_k + sqrt(e^{2 eta} - 1) xi
                NDArray next = x.mul(ou.stateCoefficient(eta)).add(v.score().mul(ou.scoreCoefficient(eta)))
                        .add(xi.mul(ou.noiseStd(eta)));
                Arguments.finiteState(name(), k + 1, Double.NaN, next);
                next.attach(manager);
                x = next;
            } catch (NonFiniteTargetException | DivergedException e) {
                monitor.end();
                throw new DivergedException(name(), k + 1, e);
            }
            monitor.step(k + 1, horizon - (k + 1) * eta, x, "");
        }
        monitor.end();
        return new Run(x, metered.densityEvaluations(), metered.gradientEvaluations(),
                proposals == 0 ? Double.NaN : (double) accepted / proposals, trajectory.snapshots());
    }
}
