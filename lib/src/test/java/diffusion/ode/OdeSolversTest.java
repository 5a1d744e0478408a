package diffusion.ode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.util.function.Function;
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

    /** log2(e(N) / e(2N)) for the last two of the step counts, the observed order of a fixed-step solver. */
    private double observedOrder(Function<Integer, OdeSolver> solver, VectorField field, Exact exact, double t0, double t1, int... steps) {
        double[] errors = new double[steps.length];
        for (int i = 0; i < steps.length; i++) {
            try (NDManager scope = manager.newSubManager()) {
                NDArray x0 = start();
                x0.attach(scope);
                NDArray x1 = solver.apply(steps[i]).solve(scope, field, x0, t0, t1).state();
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
        assertEquals(1, observedOrder(Euler::new, GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 400, 800), 0.05);
        assertEquals(1, observedOrder(Euler::new, DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 400, 800), 0.05);
    }

    /** Heun is second order (observed order within 0.05 of 2 at N = 200, 400). */
    @Test
    void heunConvergesWithOrderTwo() {
        assertEquals(2, observedOrder(Heun::new, GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 200, 400), 0.05);
        assertEquals(2, observedOrder(Heun::new, DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 200, 400), 0.05);
    }

    /** The Dormand-Prince step used with a fixed h is fifth order (observed order within 0.3 of 5 at N = 16, 32). */
    @Test
    void dormandPrinceStepConvergesWithOrderFive() {
        Function<Integer, OdeSolver> fixed = FixedDormandPrince::new;
        assertEquals(5, observedOrder(fixed, GAUSSIAN_DECAY, this::gaussianDecayExact, 0, 1.5, 16, 32), 0.3);
        assertEquals(5, observedOrder(fixed, DAMPED_ROTATION, this::dampedRotationExact, 1, -0.5, 16, 32), 0.3);
    }

    /** The Dormand-Prince step with a fixed step, for measuring its order (FSAL: six evaluations per step). */
    private static final class FixedDormandPrince extends FixedStepSolver {

        FixedDormandPrince(int steps) {
            super(steps);
        }

        @Override
        public String name() {
            return "fixed-step Dormand-Prince";
        }

        @Override
        protected int evaluationsPerStep() {
            return 7;
        }

        @Override
        protected NDArray step(VectorField field, NDArray x, double t, double h) {
            return DormandPrince.attempt(field, x, field.velocity(x, t), t, h).next();
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
                Solution solution = DormandPrince.withTolerance(tolerance).solve(scope, GAUSSIAN_DECAY, x0, 0.2, 2.0);
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
        Solution solution = new DormandPrince(1e-8, 1e-10, 1000).solve(manager, DAMPED_ROTATION, x0, 1, -0.5);
        double error = maxError(solution.state(), dampedRotationExact(x0, 1, -0.5));
        // the solution has entries of size ~ 4: relative accuracy 1e-8 per step over ~ 50 steps gives ~ 1e-6
        assertTrue(error < 1e-6, "error " + error);
    }

    /** A budget too small for the tolerance stops the solve with an error that says so. */
    @Test
    void dormandPrinceStopsAtItsStepBudget() {
        StepBudgetExceededException e = assertThrows(StepBudgetExceededException.class,
                () -> new DormandPrince(1e-10, 1e-10, 5).solve(manager, DAMPED_ROTATION, start(), 0, 10));
        assertTrue(e.getMessage().contains("step budget") && e.getMessage().contains("maxSteps = 5"), e.getMessage());
    }

    /** A field that returns NaN stops the adaptive solve at once with an error naming the cause, not a budget overrun. */
    @Test
    void dormandPrinceStopsOnANonFiniteField() {
        VectorField broken = (x, t) -> t < 0.5 ? x.mul(-1) : x.mul(Double.NaN);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DormandPrince.withTolerance(1e-6).solve(manager, broken, start(), 0, 1));
        assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
    }

    /** Observer sees t0 and every accepted step, ending at t1; fixed steps land on the uniform grid. */
    @Test
    void observerSeesEveryStep() {
        double[] times = new double[6];
        int[] calls = {0};
        new Heun(5).solve(manager, GAUSSIAN_DECAY, start(), 1, 0, (x, t) -> times[calls[0]++] = t);
        assertEquals(6, calls[0]);
        for (int i = 0; i <= 5; i++) {
            assertEquals(1 - 0.2 * i, times[i], 1e-12);
        }
        int[] accepted = {0};
        double[] last = {Double.NaN};
        Solution solution = DormandPrince.withTolerance(1e-6).solve(manager, GAUSSIAN_DECAY, start(), 0, 1, (x, t) -> {
            accepted[0]++;
            last[0] = t;
        });
        assertEquals(solution.steps() + 1, accepted[0]);
        assertEquals(1.0, last[0]);
    }

    /** Every step runs in its own sub-manager: a solve leaves exactly one array (its result) in the caller's manager. */
    @Test
    void solvesLeaveOnlyTheirResult() {
        for (OdeSolver solver : new OdeSolver[] {new Euler(30), new Heun(30), DormandPrince.withTolerance(1e-8)}) {
            try (NDManager caller = manager.newSubManager()) {
                solver.solve(caller, DAMPED_ROTATION, start(), 0, 3);
                assertEquals(1, caller.getManagedArrays().size(), solver.name());
            }
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnyWork() {
        assertMessageNames("steps", () -> new Euler(0));
        assertMessageNames("steps", () -> new Heun(-1));
        assertMessageNames("rtol", () -> new DormandPrince(0, 1e-6, 10));
        assertMessageNames("atol", () -> new DormandPrince(1e-6, -1, 10));
        assertMessageNames("maxSteps", () -> new DormandPrince(1e-6, 1e-6, 0));
        assertMessageNames("tolerance", () -> DormandPrince.withTolerance(Double.NaN));
        assertMessageNames("t0", () -> new Euler(3).solve(manager, GAUSSIAN_DECAY, start(), 1, 1));
    }

    private static void assertMessageNames(String parameter, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(parameter), e.getMessage());
    }

    @Test
    void shapesArePreserved() {
        NDArray x0 = manager.zeros(new Shape(7, 3)).add(1);
        assertEquals(x0.getShape(), new Euler(2).solve(manager, GAUSSIAN_DECAY, x0, 0, 1).state().getShape());
    }
}
