package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;

/**
 * Inpainting (imputation): A x = M * x with a 0/1 mask M of the sample's shape, 1 where x is observed. The observation
 * keeps the sample's shape, with zeros at the missing entries; A is its own pseudo-inverse and projector (A^+ = P = M).
 * A mask with no missing entry (nothing to impute) or no observed entry (no observation) is refused.
 */
public final class Inpainting implements LinearOperator {

    private final Shape shape;
    private final float[] mask;
    private final int observed;

    /** The mask (entries 0 or 1, row-major over shape), 1 = observed. */
    public Inpainting(Shape shape, double[] mask) {
        Arguments.allNonNull("shape, mask", shape, mask);
        this.shape = Arguments.sampleShape("shape", shape);
        if (mask.length != shape.size()) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries but the sample shape " + shape + " has "
                    + shape.size());
        }
        this.mask = new float[mask.length];
        int count = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && mask[i] != 1) {
                throw new IllegalArgumentException("mask[" + i + "] = " + mask[i] + ": entries must be 0 (missing) or 1 (observed)");
            }
            this.mask[i] = (float) mask[i];
            count += (int) mask[i];
        }
        if (count == mask.length) {
            throw new IllegalArgumentException("mask observes all " + count + " entries: nothing is missing, there is nothing to impute");
        }
        if (count == 0) {
            throw new IllegalArgumentException("mask observes no entry: there is no observation (use the unconditional sampler)");
        }
        this.observed = count;
    }

    /** Whether entry i (row-major) is observed. */
    public boolean observed(int i) {
        return mask[i] == 1;
    }

    /** The observed entries per sample. */
    public int observedCount() {
        return observed;
    }

    /** The mask as a 0/1 double array (a copy). */
    public double[] mask() {
        double[] copy = new double[mask.length];
        for (int i = 0; i < mask.length; i++) {
            copy[i] = mask[i];
        }
        return copy;
    }

    /** The missing entries of each row, (n, d - observed) in row-major order, for x of shape (n, shape...). */
    public NDArray missing(NDArray x) {
        requireInput("x", x);
        int d = mask.length;
        float[] selection = new float[d * (d - observed)];
        for (int i = 0, column = 0; i < d; i++) {
            if (mask[i] == 0) {
                selection[i * (d - observed) + column++] = 1; // one column per missing entry
            }
        }
        NDArray select = x.getManager().create(selection, new Shape(d, d - observed)).toType(x.getDataType(), false);
        return x.reshape(x.getShape().get(0), d).matMul(select);
    }

    /** The observed flags, one per entry (row-major). */
    public boolean[] observedFlags() {
        boolean[] flags = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            flags[i] = mask[i] == 1;
        }
        return flags;
    }

    @Override
    public Shape inputShape() {
        return shape;
    }

    @Override
    public Shape outputShape() {
        return shape;
    }

    /** M * x. */
    @Override
    public NDArray apply(NDArray x) {
        return x.mul(x.getManager().create(mask, shape));
    }

    /** M * y (A^+ = A for a 0/1 diagonal). */
    @Override
    public NDArray pseudoInverse(NDArray y) {
        return apply(y);
    }

    @Override
    public String toString() {
        return "inpainting (" + observed + " of " + mask.length + " observed)";
    }
}
