package diffusion.inverse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.score.ScoreModel;

/**
 * A linear measurement y = A x of one sample x (inputShape) into an observation (outputShape), applied row by row to
 * batches (n, inputShape...) with NDArray operations, so it is differentiable with DJL's autograd (posterior
 * sampling takes gradients through it). Its pseudo-inverse A^+ = A^T (A A^T)^{-1} (A of full row rank) places an
 * observation back in data space, and P = A^+ A is the orthogonal projector onto the observed subspace: the part a
 * replacement method overwrites.
 */
public interface LinearOperator {

    /** The shape of one sample x. */
    Shape inputShape();

    /** The shape of one observation A x. */
    Shape outputShape();

    /** A x_i per row: (n, outputShape...) for x of shape (n, inputShape...). */
    NDArray apply(NDArray x);

    /** A^+ y_i per row: (n, inputShape...) for y of shape (n, outputShape...). */
    NDArray pseudoInverse(NDArray y);

    /** P x = A^+ A x, the orthogonal projection onto the observed subspace (the row space of A). */
    default NDArray project(NDArray x) {
        return pseudoInverse(apply(x));
    }

    /** A as a dense matrix (prod outputShape) x (prod inputShape), column j = A e_j, for the exact posteriors. */
    default double[][] matrix() {
        int d = Math.toIntExact(inputShape().size());
        int m = Math.toIntExact(outputShape().size());
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] basis = new float[d * d];
            for (int j = 0; j < d; j++) {
                basis[j * d + j] = 1;
            }
            float[] columns = apply(manager.create(basis, new Shape(d).addAll(inputShape()))).toFloatArray();
            double[][] a = new double[m][d];
            for (int j = 0; j < d; j++) {
                for (int i = 0; i < m; i++) {
                    a[i][j] = columns[j * m + i];
                }
            }
            return a;
        }
    }

    /** Accepts a model whose sample shape is this operator's input shape. */
    default void requireModel(ScoreModel model) {
        Arguments.nonNull("model", model);
        if (!model.sampleShape().equals(inputShape())) {
            throw new IllegalArgumentException("operator " + this + " acts on samples of shape " + inputShape()
                    + " but the model's sample shape is " + model.sampleShape());
        }
    }

    /** Accepts a finite batch (n, inputShape...). */
    default void requireInput(String parameter, NDArray x) {
        Arguments.requireSamples(parameter, x, inputShape());
    }
}
