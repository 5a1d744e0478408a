package diffusion.ode;

import ai.djl.ndarray.NDArray;

/**
 * Heun's method (explicit trapezoid), order 2: k1 = v(x_i, t_i), k2 = v(x_i + h k1, t_i + h),
 * x_{i+1} = x_i + h (k1 + k2) / 2; two evaluations per step.
 */
public final class Heun extends FixedStepSolver {

    /** steps &gt;= 1 uniform steps. */
    public Heun(int steps) {
        super(steps);
    }

    @Override
    public String name() {
        return "Heun (" + steps() + " steps)";
    }

    @Override
    protected int evaluationsPerStep() {
        return 2;
    }

    /** x + h (k1 + k2) / 2 with k1 = v(x, t), k2 = v(x + h k1, t + h). */
    @Override
    protected NDArray step(VectorField field, NDArray x, double t, double h) {
        NDArray k1 = field.velocity(x, t);
        NDArray k2 = field.velocity(x.add(k1.mul(h)), t + h);
        return x.add(k1.add(k2).mul(0.5 * h));
    }
}
