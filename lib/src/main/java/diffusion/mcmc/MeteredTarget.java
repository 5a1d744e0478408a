package diffusion.mcmc;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A target that counts its evaluations, one per row of each batch, and rejects values that make no
 * sense: a NaN or +infinite log-density, or a non-finite gradient, at a finite point
 * ({@link NonFiniteTargetException}).
 *
 * <p>Samplers wrap the target they are given in one of these, so every run reports its cost in the
 * same unit (evaluations of -f* and of grad f* per point). Non-finite points are passed through: a
 * sampler whose state left the reals reports that itself ({@link diffusion.DivergedException}).
 */
public final class MeteredTarget implements Target {

    private final Target target;
    private long densityEvaluations;
    private long gradientEvaluations;

    public MeteredTarget(Target target) {
        Arguments.nonNull("target", target);
        this.target = target;
    }

    /** The wrapped target. */
    public Target target() {
        return target;
    }

    /** Rows evaluated by {@link #logDensity} so far. */
    public long densityEvaluations() {
        return densityEvaluations;
    }

    /** Rows evaluated by {@link #gradLogDensity} so far. */
    public long gradientEvaluations() {
        return gradientEvaluations;
    }

    @Override
    public int dim() {
        return target.dim();
    }

    @Override
    public String name() {
        return target.name();
    }

    /** log p*(x) of the wrapped target, counted; throws when a finite row gets NaN or +infinity. */
    @Override
    public NDArray logDensity(NDArray x) {
        Arguments.floatingBatch("x", x, "N", dim());
        NDArray value = evaluate("log-density", () -> target.logDensity(x));
        densityEvaluations += x.getShape().get(0);
        requireShape("logDensity", value, x.getShape().get(0));
        // -infinity (zero density) is a legitimate value; NaN and +infinity are not.
        rejectAtFinitePoints("log-density", x, value.isNaN().logicalOr(value.eq(Double.POSITIVE_INFINITY)));
        return value;
    }

    /** grad log p*(x) of the wrapped target, counted; throws when a finite row gets a non-finite component. */
    @Override
    public NDArray gradLogDensity(NDArray x) {
        Arguments.floatingBatch("x", x, "N", dim());
        NDArray gradient = evaluate("gradient", () -> target.gradLogDensity(x));
        gradientEvaluations += x.getShape().get(0);
        requireShape("gradLogDensity", gradient, x.getShape().get(0), dim());
        rejectAtFinitePoints("gradient", x, Arguments.nonFiniteRows(gradient));
        return gradient;
    }

    /**
     * The wrapped target's value; its refusal of a finite, well-shaped x (a point it cannot evaluate, such as one so far
     * out that the value overflows the data type) is reported as NonFiniteTargetException, which a sampler turns into
     * its divergence at that step.
     */
    private NDArray evaluate(String what, Supplier<NDArray> call) {
        try {
            return call.get();
        } catch (NonFiniteTargetException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new NonFiniteTargetException("target " + name() + " could not evaluate its " + what + ": " + e.getMessage());
        }
    }

    private void rejectAtFinitePoints(String what, NDArray x, NDArray badRows) {
        NDArray culprits = badRows.logicalAnd(Arguments.nonFiniteRows(x).logicalNot());
        if (culprits.any().getBoolean()) {
            boolean[] flags = culprits.toBooleanArray();
            int row = 0;
            while (!flags[row]) {
                row++;
            }
            double[] point = x.get(row).toType(DataType.FLOAT64, false).toDoubleArray();
            throw new NonFiniteTargetException("target " + name() + " returned a non-finite " + what
                    + " at the finite point x = " + Arrays.toString(point) + " (row " + row
                    + "); a target's log-density must not be NaN or +infinity and its gradient must be finite");
        }
    }

    private void requireShape(String method, NDArray value, long... expected) {
        if (!Arrays.equals(value.getShape().getShape(), expected)) {
            throw new IllegalArgumentException("target " + name() + "." + method + " returned shape " + value.getShape()
                    + "; expected " + Arrays.toString(expected));
        }
    }
}
