package diffusion.ode;

import ai.djl.ndarray.NDArray;

/** Euler's method, order 1: x_{i+1} = x_i + h v(x_i, t_i), h = t_{i+1} - t_i; one evaluation per step. */
public final class Euler extends FixedStepSolver {

    @Override
    public String name() {
        return "Euler";
    }

    @Override
    protected int evaluationsPerStep() {
        return 1;
    }

    /** x + h v(x, t). */
    @Override
    protected NDArray step(VectorField field, NDArray x, double t, double next) {
        return x.add(field.velocity(x, t).mul(next - t));
    }
}
