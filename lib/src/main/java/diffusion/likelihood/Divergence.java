package diffusion.likelihood;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import diffusion.Arguments;
import diffusion.ode.VectorField;

/**
 * The velocity v(x, t) together with the divergence estimate sum_m e_m^T (dv/dx) e_m per row, from one forward pass
 * over the M n rows x tiled M times and one backward pass (vector-Jacobian products with DJL's autograd): the gradient
 * of sum_{m, i} e_{m,i} . v(x_i, t) with respect to the tiled rows holds (dv/dx)^T e_m row by row, because the
 * field maps every row on its own (true of the score models here: no batch coupling). Opens a GradientCollector: at most
 * one can be open per JVM at a time, so never call this from parallel threads or inside another collector.
 */
public final class Divergence {

    private Divergence() {
    }

    /** v(x, t) (n, d) and the divergence estimate (n,) for probes (M n, d) of x's data type (see DivergenceEstimator). */
    public static VelocityAndDivergence of(VectorField field, NDArray x, double t, NDArray probes) {
        Arguments.allNonNull("field, x, probes", field, x, probes);
        long n = x.getShape().get(0);
        long rows = probes.getShape().get(0);
        if (rows % n != 0 || probes.getShape().get(1) != x.getShape().get(1) || probes.getDataType() != x.getDataType()) {
            throw new IllegalArgumentException("probes has shape " + probes.getShape() + " and type " + probes.getDataType()
                    + ": expected (M n, d) and the type of x, " + x.getShape() + " " + x.getDataType());
        }
        long m = rows / n;
        NDArray tiled = x.tile(new long[] {m, 1}); // row m n + i is x_i
        tiled.setRequiresGradient(true);
        NDArray velocity;
        NDArray forms;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray v = field.velocity(tiled, t);
            collector.backward(v.mul(probes).sum()); // d/dx sum e . v = J^T e per row
            NDArray vjp = tiled.getGradient();
            forms = vjp.mul(probes).sum(new int[] {1}); // e^T J e per tiled row
            velocity = v.get("0:" + n).stopGradient();
        }
        NDArray divergence = forms.reshape(m, n).sum(new int[] {0});
        return new VelocityAndDivergence(velocity, divergence);
    }

    /** v(x, t) (n, d) and the divergence estimate (n,). */
    public record VelocityAndDivergence(NDArray velocity, NDArray divergence) {

        /** Refuses a null component, naming it. */
        public VelocityAndDivergence {
            Arguments.allNonNull("velocity, divergence", velocity, divergence);
        }
    }
}
