package diffusion.process;

import ai.djl.ndarray.NDArray;

/** Shape checks shared by the closed-form Gaussian quantities: fail before any work, naming the arguments. */
public final class Shapes {

    private Shapes() {
    }

    /** Throws IllegalArgumentException unless a and b have the same shape. */
    public static void requireSame(String nameA, NDArray a, String nameB, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(nameA + " has shape " + a.getShape() + " but " + nameB + " has shape "
                    + b.getShape() + ": they must match");
        }
    }

    /** Throws IllegalArgumentException unless x is a batch (n, d) with d == dim. */
    public static void requireBatch(String name, NDArray x, int dim) {
        if (x.getShape().dimension() != 2 || x.getShape().get(1) != dim) {
            throw new IllegalArgumentException(name + " has shape " + x.getShape() + ": expected (n, " + dim + ")");
        }
    }
}
