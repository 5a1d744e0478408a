package diffusion.ode;

import ai.djl.ndarray.NDArray;

/** Euler's method, order 1: x_{i+1} = x_i + h v(x_i, t_i); one evaluation per step. */
public final class Euler extends FixedStepSolver {

    /** steps &gt;= 1 uniform steps. */
    public Euler(int steps) {
        super(steps);
    }

    @Override
    public String name() {
        return "Euler (" + steps() + " steps)";
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    /** x + h v(x, t). */
    @Override
    protected NDArray step(VectorField field, NDArray x, double t, double h) {
        return x.add(field.velocity(x, t).mul(h));
    }
}
