package diffusion.ode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.ObjDoubleConsumer;

/**
 * A numerical solver of dx/dt = v(x, t) from x(t0) to x(t1); t1 may be below t0 (time then runs backwards, as in
 * sampling from T down to eps). The initial state is left untouched; every step runs in its own sub-manager.
 */
public interface OdeSolver {

    /** A short name for tables and legends ("Euler (100 steps)", "RK45 (rtol 1e-05)"). */
    String name();

    /**
     * x(t1) from x(t0) = initial, in manager; observer.accept(x, t) is called at t0 and after every accepted step
     * (x is valid only during the call).
     */
    Solution solve(NDManager manager, VectorField field, NDArray initial, double t0, double t1, ObjDoubleConsumer<NDArray> observer);

    /** x(t1) from x(t0) = initial, in manager. */
    default Solution solve(NDManager manager, VectorField field, NDArray initial, double t0, double t1) {
        return solve(manager, field, initial, t0, t1, (x, t) -> { });
    }

    /** Accepts finite t0 != t1. */
    static void requireInterval(double t0, double t1) {
        if (!Double.isFinite(t0) || !Double.isFinite(t1) || t0 == t1) {
            throw new IllegalArgumentException("[t0, t1] = [" + t0 + ", " + t1 + "] must be finite with t0 != t1");
        }
    }
}
