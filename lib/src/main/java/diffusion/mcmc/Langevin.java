package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.DivergedException;
import diffusion.Monitor;
import diffusion.Noise;
import diffusion.sample.LangevinStep;

/**
 * Langevin Monte Carlo for a target p*, all particles (rows) at once.
 *
 * <p>ULA (unadjusted): x' = x + h grad log p*(x) + sqrt(2 h) z, z ~ N(0, I); one gradient per particle and step.
 * Its stationary law is biased by O(h): for p* = N(0, sigma^2) it is N(0, sigma^2 / (1 - h / (2 sigma^2))).
 *
 * <p>MALA (Metropolis-adjusted): propose y = x + h grad log p*(x) + sqrt(2 h) z and accept with probability
 * min(1, p*(y) q(x | y) / (p*(x) q(y | x))), log q(b | a) = -||b - a - h grad log p*(a)||^2 / (4 h) + const;
 * p* is then exactly stationary. One density and one gradient per particle and step (plus one of each at the start).
 */
public final class Langevin {

    private final double step;
    private final int steps;
    private final boolean adjusted;

    private Langevin(double step, int steps, boolean adjusted) {
        this.step = Arguments.positive("step", step);
        this.steps = Arguments.size("steps", steps, 1);
        this.adjusted = adjusted;
    }

    /** The unadjusted Langevin algorithm with step h = step &gt; 0 for steps &gt;= 1 steps. */
    public static Langevin ula(double step, int steps) {
        return new Langevin(step, steps, false);
    }

    /** The Metropolis-adjusted Langevin algorithm with step h = step &gt; 0 for steps &gt;= 1 steps. */
    public static Langevin mala(double step, int steps) {
        return new Langevin(step, steps, true);
    }

    /** The step size h. */
    public double step() {
        return step;
    }

    /** The number of steps. */
    public int steps() {
        return steps;
    }

    /** True for MALA, false for ULA. */
    public boolean adjusted() {
        return adjusted;
    }

    /** "ULA (h = 0.1)" or "MALA (h = 0.1)". */
    public String name() {
        return (adjusted ? "MALA" : "ULA") + " (h = " + step + ")";
    }

    /**
     * Runs the chain from initial (P, d) (left untouched), drawing from Noise.seeded(seed); the result and the
     * snapshots (step 0 and snapshots evenly spaced steps; 0 for none) live in manager, and nothing else is left there.
     */
    public Run run(NDManager manager, Target target, NDArray initial, long seed, int snapshots) {
        Arguments.floatingBatch("initial", initial, "N", target.dim());
        MeteredTarget metered = new MeteredTarget(target);
        Trajectory trajectory = new Trajectory(manager, metered, steps, snapshots);
        try (NDManager scratch = manager.newSubManager()) {
            NDArray start = initial.duplicate();
            start.attach(scratch);
            Arguments.bounded("initial", start, Arguments.MAX_POINT_ENTRY);
            Noise noise = Noise.seeded(seed);
            trajectory.offer(0, start);
            Chain chain = advance(metered, start, name(), trajectory.and(Monitor.progress()), noise);
            chain.state().attach(manager);
            return new Run(chain.state(), metered.densityEvaluations(), metered.gradientEvaluations(),
                    chain.acceptanceRate(), trajectory.snapshots());
        }
    }

    /** A finished chain: its final state and the MALA proposals made and accepted (0 and 0 for ULA). */
    record Chain(NDArray state, long proposals, long accepted) {

        /** accepted / proposals, NaN without proposals. */
        double acceptanceRate() {
            return proposals == 0 ? Double.NaN : (double) accepted / proposals;
        }
    }

    /**
     * Runs the steps from x, which the chain takes over (it is closed); the final state is owned by x's manager.
     * Draws from noise; the monitor is told every step 1..steps.
     */
    Chain advance(Target target, NDArray x, String label, Monitor monitor, Noise noise) {
        NDManager owner = x.getManager();
        Shape shape = x.getShape();
        DataType type = x.getDataType();
        NDArray state = x;
        // evaluations at the initial particles: a non-finite value there is the target's fault (IllegalArgumentException)
        NDArray logDensity = adjusted ? target.logDensity(state) : null;
        NDArray gradient = target.gradLogDensity(state);
        long accepted = 0;
        monitor.start(label, steps);
        for (int k = 1; k <= steps; k++) {
            try (NDManager scope = owner.newSubManager()) {
                state.attach(scope);
                if (adjusted) {
                    logDensity.attach(scope);
                }
                gradient = gradient != null ? gradient : target.gradLogDensity(state);
                gradient.attach(scope);
                NDArray z = noise.normal(scope, shape).toType(type, false);
                NDArray proposal = LangevinStep.step(state, gradient, z, step); // y = x + h grad log p*(x) + sqrt(2 h) z
                NDArray next = proposal;
                if (adjusted) {
                    NDArray proposalLogDensity = target.logDensity(proposal);
                    NDArray proposalGradient = target.gradLogDensity(proposal);
                    // log alpha = log p*(y) - log p*(x) + log q(x | y) - log q(y | x), with ||y - x - h g(x)||^2 / (4 h) = ||z||^2 / 2
                    NDArray reverse = state.sub(proposal).sub(proposalGradient.mul(step)).square().sum(new int[] {1});
                    NDArray logAlpha = proposalLogDensity.sub(logDensity).sub(reverse.div(4 * step))
                            .add(z.square().sum(new int[] {1}).div(2));
                    // NaN (a non-finite proposal) compares false: rejected
                    NDArray accept = noise.uniform(scope, new Shape(shape.get(0))).toType(type, false).log().lt(logAlpha);
                    accepted += accept.toType(DataType.INT64, false).sum().getLong();
                    NDArray acceptRow = accept.expandDims(1).broadcast(shape);
                    next = NDArrays.where(acceptRow, proposal, state);
                    logDensity = NDArrays.where(accept, proposalLogDensity, logDensity);
                    gradient = NDArrays.where(acceptRow, proposalGradient, gradient);
                    logDensity.attach(owner);
                    gradient.attach(owner);
                } else {
                    gradient = null;
                }
                Arguments.finiteState(label, k, Double.NaN, next);
                next.attach(owner);
                state = next;
            } catch (NonFiniteTargetException e) {
                monitor.end();
                throw new DivergedException(label, k, e);
            }
            monitor.step(k, Double.NaN, state, "");
        }
        monitor.end();
        if (adjusted) {
            logDensity.close();
            gradient.close();
        }
        return new Chain(state, adjusted ? (long) steps * shape.get(0) : 0, accepted);
    }
}
