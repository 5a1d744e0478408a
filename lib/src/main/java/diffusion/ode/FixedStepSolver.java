package diffusion.ode;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;
import diffusion.Monitor;

/** A one-step method taking one step per interval of the given times; subclasses give the step. */
public abstract class FixedStepSolver implements OdeSolver {

    /** Evaluations of v per step. */
    protected abstract int evaluationsPerStep();

    /** x_{i+1} from x_i = x at t with step h = next - t (negative when time runs backwards), in x's manager. */
    protected abstract NDArray step(VectorField field, NDArray x, double t, double next);

    @Override
    public Solution solve(NDManager manager, VectorField field, NDArray initial, double[] times, Monitor monitor) {
        OdeSolver.requireTimes(times);
        Arguments.finite("initial", initial);
        NDArray x = initial.duplicate();
        x.attach(manager);
        int steps = times.length - 1;
        int nfe = 0;
        monitor.start(name(), steps);
        try {
            for (int i = 0; i < steps; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    x.attach(scope);
                    NDArray stepped = step(field, x, times[i], times[i + 1]);
                    Arguments.finiteState(name(), i + 1, times[i + 1], stepped);
                    stepped.attach(manager);
                    x = stepped;
                }
                nfe += field.definedAt(times[i + 1]) ? evaluationsPerStep() : 1;
                monitor.step(i + 1, times[i + 1], x, "");
            }
        } finally {
            monitor.end();
        }
        return new Solution(x, nfe, steps, 0);
    }
}
