package diffusion.ode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.DivergedException;
import diffusion.ManagedTest;
import diffusion.Monitor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The solvers against linear ODEs with closed-form solutions, in float64 so that rounding stays far below the
 * discretisation errors measured: dx/dt = -2 t x (x(t) = x(t0) exp(t0^2 - t^2), time-dependent, so wrong stage times
 * show) and the damped rotation dx/dt = M x, M = [[-1/2, -2], [2, -1/2]] (x(t) = exp(-(t - t0)/2) R(2 (t - t0)) x(t0)).
 */
class OdeSolversTest extends ManagedTest {

    /** dx/dt = -2 t x. */
    private static final VectorField GAUSSIAN_DECAY = (x, t) -> x.mul(-2 * t);

    /** dx/dt = M x row by row, M = [[-1/2, -2], [2, -1/2]]: x M^T. */
    private static final VectorField DAMPED_ROTATION = (x, t) -> x.matMul(x.getManager().create(new double[][] {{-0.5, 2}, {-2, -0.5}}));

    private NDArray start() {
        return manager.create(new double[][] {{1.0, -0.5}, {0.3, 2.0}, {-1.5, 0.7}});
    }

    /** exp(t0^2 - t1^2) x0. */
    private NDArray gaussianDecayExact(NDArray x0, double t0, double t1) {
        return x0.mul(Math.exp(t0 * t0 - t1 * t1));
    }

    /** exp(-tau/2) R(2 tau) x0 row by row, tau = t1 - t0. */
    private NDArray dampedRotationExact(NDArray x0, double t0, double t1) {
        double tau = t1 - t0;
        double c = Math.cos(2 * tau);
        double s = Math.sin(2 * tau);
        NDArray rotationTransposed = manager.create(new double[][] {{c, s}, {-s, c}});
        return x0.matMul(rotationTransposed).mul(Math.exp(-0.5 * tau));
    }

    private static double maxError(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getDouble();
    }

    /** log2(e(N) / e(2N)) for the last two of the step counts, the observed order of a fixed-step solver on uniform steps. */
    private double observedOrder(OdeSolver solver, VectorField field, Exact exact, double t0, double t1, int... steps) {
        double[] errors = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x0 = start();
                x0.attach(scope);
                NDArray x1 = solver.solve(scope, field, x0, OdeSolver.uniform(t0, t1, steps[i])).state();
                errors[i] = maxError(x1, exact.at(x0, t0, t1));
            }
        }
        int last = steps.length - 1;
        assertEquals(2 * steps[last - 1], steps[last], "step counts must double");
        return Math.log(errors[last - 1] / errors[last]) / Math.log(2);
    }

    interface Exact {
        NDArray at(NDArray x0, double t0, double t1);
    }

    /** Euler is first order: the error halves when the steps double (observed order within 0.05 of 1 at N = 400, 800). */
    @Test
    void eulerConvergesWithOrderOne() {
        assertEquals(1, observedOrder(new Euler(), GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 400, 800), 0.05);
        assertEquals(1, observedOrder(new Euler(), DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 400, 800), 0.05);
    }

    /** Heun is second order (observed order within 0.05 of 2 at N = 200, 400). */
    @Test
    void heunConvergesWithOrderTwo() {
        assertEquals(2, observedOrder(new Heun(), GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 200, 400), 0.05);
        assertEquals(2, observedOrder(new Heun(), DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 200, 400), 0.05);
    }

    /** The Dormand-Prince step used with a fixed h is fifth order (observed order within 0.3 of 5 at N = 16, 32). */
    @Test
    void dormandPrinceStepConvergesWithOrderFive() {
        OdeSolver fixed = new FixedDormandPrince();
        assertEquals(5, observedOrder(fixed, GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 16, 32), 0.3);
        assertEquals(5, observedOrder(fixed, DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 16, 32), 0.3);
    }

    /** The Dormand-Prince step with a fixed step, for measuring its order (FSAL: six evaluations per step). */
    private static final class FixedDormandPrince extends FixedStepSolver {

        @Override
        public String name() {
            return "fixed-step Dormand-Prince";
        }

        @Override
        protected int evaluationsPerStep() {
            return 7;
        }

        @Override
        protected NDArray step(VectorField field, NDArray x, double t, double next) {
            return DormandPrince.attempt(field, x, field.velocity(x, t), t, next - t).next();
        }
    }

    /**
     * Tolerance honoured on a scalar contracting problem (dx/dt = -2 t x on [0.2, 2], x0 = 1): each accepted step's local
     * error is at most atol + rtol max|x| <= atol + rtol (the estimate bounds the propagated fifth-order error
     * asymptotically), and a contracting flow does not amplify earlier errors, so the global error is at most
     * steps * (atol + rtol). The error also falls with the tolerance while the number of evaluations grows.
     */
    @Test
    void dormandPrinceHonoursItsToleranceAndSpendsMoreEvaluationsForLess() {
        double previousError = Double.POSITIVE_INFINITY;
        int previousNfe = 0;
        for (double tolerance : new double[] {1e-3, 1e-5, 1e-7, 1e-9}) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x0 = scope.create(new double[][] {{1.0}});
                Solution solution = DormandPrince.withTolerance(tolerance).solve(scope, GAUSSIAN_DECAY, x0, new double[] {0.2, 2.0});
                double error = maxError(solution.state(), gaussianDecayExact(x0, 0.2, 2.0));
                double bound = solution.steps() * 2 * tolerance;
                assertTrue(error <= bound, "tolerance " + tolerance + ": error " + error + " > bound " + bound);
                assertTrue(error < previousError, "tolerance " + tolerance + ": error " + error + " did not fall below " + previousError);
                assertTrue(solution.nfe() > previousNfe, "tolerance " + tolerance + ": NFE " + solution.nfe() + " <= " + previousNfe);
                assertEquals(2 + 6 * (solution.steps() + solution.rejected()), solution.nfe(), "NFE = 2 + 6 attempts");
                previousError = error;
                previousNfe = solution.nfe();
            }
        }
    }

    /** On the rotation, backwards in time and over a batch, the adaptive solve lands on t1 within 100 rtol of the truth. */
    @Test
    void dormandPrinceSolvesBackwardsOverABatch() {
        NDArray x0 = start();
        Solution solution = new DormandPrince(1e-8, 1e-10, 1000).solve(manager, DAMPED_ROTATION, x0, new double[] {1, -0.5});
        double error = maxError(solution.state(), dampedRotationExact(x0, 1, -0.5));
        // the solution has entries of size ~ 4: relative accuracy 1e-8 per step over ~ 50 steps gives ~ 1e-6
        assertTrue(error < 1e-6, "error " + error);
    }

    /** A budget too small for the tolerance stops the solve with an error that says so. */
    @Test
    void dormandPrinceStopsAtItsStepBudget() {
        StepBudgetExceededException e = assertThrows(StepBudgetExceededException.class,
                () -> new DormandPrince(1e-10, 1e-10, 5).solve(manager, DAMPED_ROTATION, start(), new double[] {0, 10}));
        assertTrue(e.getMessage().contains("step budget") && e.getMessage().contains("maxSteps = 5"), e.getMessage());
    }

    /** A field that returns NaN stops the adaptive solve at once with a DivergedException naming the cause, not a budget overrun. */
    @Test
    void dormandPrinceStopsOnANonFiniteField() {
        VectorField broken = (x, t) -> t < 0.5 ? x.mul(-1) : x.mul(Double.NaN);
        DormandPrince solver = DormandPrince.withTolerance(1e-6);
        DivergedException e = assertThrows(DivergedException.class, () -> solver.solve(manager, broken, start(), new double[] {0, 1}));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().startsWith(solver.name() + " diverged at step "), e.getMessage());
        assertEquals(solver.name(), e.algorithm());
    }

    /**
     * dx/dt = x^3 from x(0) = 1 blows up at t = 1/2; Euler and Heun on 20 steps of h = 0.1 overflow to infinity within a
     * few steps of it. Each solve stops with a DivergedException naming the solver, the first step whose state is not
     * finite and its time, the step found by running the same recursion in Java doubles (the growth is so fast, 1e88 to
     * 1e263 to infinity, that rounding cannot move it); the monitor saw every finite step before it, and its end.
     */
    @Test
    void fixedStepSolversStopWhereTheStateLeavesTheReals() {
        VectorField cubic = (x, t) -> x.mul(x).mul(x);
        double[] times = OdeSolver.uniform(0, 2, 20);
        for (OdeSolver solver : new OdeSolver[] {new Euler(), new Heun()}) {
            int expected = 0;
            double x = 1;
            while (Double.isFinite(x)) {
                double h = times[expected + 1] - times[expected];
                double k1 = x * x * x;
                x = solver instanceof Euler ? x + h * k1 : x + 0.5 * h * (k1 + Math.pow(x + h * k1, 3));
                expected++;
            }
            int stepsSeen = expected - 1;
            int[] calls = new int[3]; // start, step, end
            Monitor counting = new Monitor() {
                @Override
                public void start(String label, long total) {
                    calls[0]++;
                }

                @Override
                public void step(long k, double t, NDArray state, String status) {
                    calls[1]++;
                }

                @Override
                public void end() {
                    calls[2]++;
                }
            };
            NDArray x0 = manager.create(new double[][] {{1.0}});
            DivergedException e = assertThrows(DivergedException.class, () -> solver.solve(manager, cubic, x0, times, counting));
            assertEquals(solver.name(), e.algorithm());
            assertEquals(expected, e.step(), e.getMessage());
            assertTrue(e.getMessage().startsWith(solver.name() + " diverged at step " + expected + " (t = " + times[expected] + ")"),
                    e.getMessage());
            assertEquals(List.of(1, stepsSeen, 1), List.of(calls[0], calls[1], calls[2]), solver.name() + ": start, steps, end");
        }
    }

    /**
     * The monitor is told start once (label, N), then step k = 1..N at the times after each step (any times, here a
     * non-uniform decreasing sequence), then end once; the adaptive solver reports each accepted step, the last at t1.
     */
    @Test
    void theMonitorSeesEveryStep() {
        double[] times = {1, 0.7, 0.45, 0.2, 0.1, 0};
        List<Double> seen = new ArrayList<>();
        List<Long> ks = new ArrayList<>();
        int[] ends = {0};
        long[] total = {0};
        Monitor monitor = new Monitor() {
            @Override
            public void start(String label, long n) {
                total[0] = n;
            }

            @Override
            public void step(long k, double t, NDArray x, String status) {
                ks.add(k);
                seen.add(t);
            }

            @Override
            public void end() {
                ends[0]++;
            }
        };
        new Heun().solve(manager, GAUSSIAN_DECAY, start(), times, monitor);
        assertEquals(5, total[0]);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ks);
        assertEquals(List.of(0.7, 0.45, 0.2, 0.1, 0.0), seen);
        assertEquals(1, ends[0]);
        List<Double> accepted = new ArrayList<>();
        Solution solution = DormandPrince.withTolerance(1e-6).solve(manager, GAUSSIAN_DECAY, start(), new double[] {0, 1},
                Monitor.observer((x, t) -> accepted.add(t)));
        assertEquals(solution.steps(), accepted.size());
        assertEquals(1.0, accepted.get(accepted.size() - 1));
    }

    /** Every step runs in its own sub-manager: a solve leaves exactly one array (its result) in the caller's manager. */
    @Test
    void solvesLeaveOnlyTheirResult() {
        for (OdeSolver solver : new OdeSolver[] {new Euler(), new Heun(), DormandPrince.withTolerance(1e-8)}) {
            try (NDManager caller = manager.newSubManager()) {
                solver.solve(caller, DAMPED_ROTATION, start(), OdeSolver.uniform(0, 3, 30));
                assertEquals(1, caller.getManagedArrays().size(), solver.name());
            }
        }
    }

    /** NFE: one evaluation per Euler step, two per Heun step, one for a Heun step into a time where the field is undefined. */
    @Test
    void fixedStepSolversCountTheirEvaluations() {
        VectorField undefinedAtZero = new VectorField() {
            @Override
            public NDArray velocity(NDArray x, double t) {
                return x.mul(-1);
            }

            @Override
            public boolean definedAt(double t) {
                return t != 0;
            }
        };
        double[] times = OdeSolver.uniform(1, 0, 8);
        assertEquals(8, new Euler().solve(manager, undefinedAtZero, start(), times).nfe());
        assertEquals(2 * 7 + 1, new Heun().solve(manager, undefinedAtZero, start(), times).nfe());
        assertEquals(16, new Heun().solve(manager, GAUSSIAN_DECAY, start(), times).nfe());
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        assertMessageNames("steps", () -> OdeSolver.uniform(0, 1, 0));
        assertMessageNames("rtol", () -> new DormandPrince(0, 1e-6, 10));
        assertMessageNames("atol", () -> new DormandPrince(1e-6, -1, 10));
        assertMessageNames("maxSteps", () -> new DormandPrince(1e-6, 1e-6, 0));
        assertMessageNames("tolerance", () -> DormandPrince.withTolerance(Double.NaN));
        assertMessageNames("at least 2", () -> new Euler().solve(manager, GAUSSIAN_DECAY, start(), new double[] {1}));
        assertMessageNames("strictly monotone", () -> new Euler().solve(manager, GAUSSIAN_DECAY, start(), new double[] {1, 1}));
        assertMessageNames("strictly monotone", () -> new Heun().solve(manager, GAUSSIAN_DECAY, start(), new double[] {1, 0.5, 0.7}));
        assertMessageNames("times[1]", () -> DormandPrince.withTolerance(1e-6).solve(manager, GAUSSIAN_DECAY, start(), new double[] {0, Double.NaN}));
    }

    private static void assertMessageNames(String parameter, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(parameter), e.getMessage());
    }

    @Test
    void shapesArePreserved() {
        NDArray x0 = manager.zeros(new Shape(7, 3)).add(1);
        assertEquals(x0.getShape(), new Euler().solve(manager, GAUSSIAN_DECAY, x0, OdeSolver.uniform(0, 1, 2)).state().getShape());
    }
}
