package diffusion.ode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.report.Progress;
import java.util.function.ObjDoubleConsumer;

/** A one-step method on the uniform grid t_i = t0 + i h, h = (t1 - t0) / steps; subclasses give the step. */
public abstract class FixedStepSolver implements OdeSolver {

    private final int steps;

    /** steps &gt;= 1 uniform steps. */
    protected FixedStepSolver(int steps) {
        this.steps = Arguments.atLeast("steps", steps, 1);
    }

    /** The number of steps N. */
    public int steps() {
        return steps;
    }

    /** Evaluations of v per step. */
    protected abstract int evaluationsPerStep();

    /** x_{i+1} from x_i = x at t with step h (negative when time runs backwards), in x's manager. */
    protected abstract NDArray step(VectorField field, NDArray x, double t, double h);

    @Override
    public Solution solve(NDManager manager, VectorField field, NDArray initial, double t0, double t1, ObjDoubleConsumer<NDArray> observer) {
        OdeSolver.requireInterval(t0, t1);
        double h = (t1 - t0) / steps;
        NDArray x = initial.duplicate();
        x.attach(manager);
        observer.accept(x, t0);
        try (Progress progress = Progress.forLongRuns(name(), steps)) {
            for (int i = 0; i < steps; i++) {
                double t = t0 + i * h;
                double next = i == steps - 1 ? t1 : t0 + (i + 1) * h; // land exactly on t1
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    NDArray stepped = step(field, x, t, next - t);
                    stepped.attach(manager);
                    x = stepped;
                }
                observer.accept(x, next);
                progress.update(i + 1, String.format("t=%.4f", next));
            }
        }
        return new Solution(x, steps * evaluationsPerStep(), steps, 0);
    }
}
