package diffusion.ode;

import ai.djl.ndarray.NDArray;

/**
 * Heun's method (explicit trapezoid), order 2: k1 = v(x_i, t_i), k2 = v(x_i + h k1, t_{i+1}),
 * x_{i+1} = x_i + h (k1 + k2) / 2; two evaluations per step. Where the field is undefined at t_{i+1} (a flow that
 * ends at the data, s = 0) the step is Euler's, as in Karras et al.'s Algorithm 1.
 */
public final class Heun extends FixedStepSolver {

    @Override
    public String name() {
        return "Heun";
    }

    @Override
    protected int evaluationsPerStep() {
        return 2;
    }

    /** x + h (k1 + k2) / 2 with k1 = v(x, t), k2 = v(x + h k1, t + h); x + h k1 where v is undefined at t + h. */
    @Override
    protected NDArray step(VectorField field, NDArray x, double t, double next) {
        double h = next - t;
        NDArray k1 = field.velocity(x, t);
        NDArray euler = x.add(k1.mul(h));
        if (!field.definedAt(next)) {
            return euler;
        }
        NDArray k2 = field.velocity(euler, next);
        return x.add(k1.add(k2).mul(0.5 * h));
    }
}
