package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;

/**
 * The nearest training neighbour of each sample, for a memorisation check: for samples (n, ...) and training data
 * (N, ...) of one per-sample shape (images are flattened), the index j of min_j ||x_i - t_j|| and that Euclidean
 * distance. A model that copies its training set has distances near 0; compare them with the distances of held-out
 * real data to the same training set. Samples are processed in batches: all N squared distances of a batch come from
 * ||x||^2 + ||t||^2 - 2 x . t (one matrix product, float32), and the distance to the chosen neighbour is then
 * recomputed directly as ||x_i - t_j||, free of the expansion's cancellation (whose float32 error, about
 * 1e-7 (||x||^2 + ||t||^2), decides only between near-ties).
 */
public final class NearestNeighbours {

    private NearestNeighbours() {
    }

    /** Per sample: the index of its nearest training row and the distance to it. */
    public record Result(long[] index, double[] distance) {

        /** Refuses a null component, naming it. */
        public Result {
            Arguments.allNonNull("index, distance", index, distance);
        }
    }

    /** The nearest row of training (N, ...) to each row of samples (n, ...), batchSize &gt;= 1 samples at a time. */
    public static Result of(NDArray samples, NDArray training, int batchSize) {
        Arguments.nonNull("samples", samples);
        Arguments.nonNull("training", training);
        Arguments.atLeast("batchSize", batchSize, 1);
        if (!samples.getDataType().isFloating() || !training.getDataType().isFloating()) {
            throw new IllegalArgumentException("samples (" + samples.getDataType() + ") and training (" + training.getDataType()
                    + ") must be floating-point");
        }
        if (samples.getShape().dimension() < 2 || samples.getShape().get(0) < 1 || training.getShape().get(0) < 1
                || !samples.getShape().slice(1).equals(training.getShape().slice(1))) {
            throw new IllegalArgumentException("samples have shape " + samples.getShape() + " and training " + training.getShape()
                    + ": expected (n, ...) and (N, ...) with n, N >= 1 and one per-sample shape");
        }
        int n = Math.toIntExact(samples.getShape().get(0));
        long[] index = new long[n];
        double[] distance = new double[n];
        try (NDScope outer = new NDScope()) {
            NDArray t = training.reshape(training.getShape().get(0), -1).toType(DataType.FLOAT32, false);
            NDArray tNorms = t.square().sum(new int[] {1}).expandDims(0); // ||t_j||^2, (1, N)
            NDArray tTransposed = t.transpose();
            for (int from = 0; from < n; from += batchSize) {
                int to = Math.min(n, from + batchSize);
                try (NDScope scope = new NDScope()) {
                    NDArray x = samples.get(from + ":" + to).reshape(to - from, -1).toType(DataType.FLOAT32, false);
                    NDArray squared = x.square().sum(new int[] {1}, true).add(tNorms).sub(x.matMul(tTransposed).mul(2)); // ||x||^2 + ||t||^2 - 2 x.t
                    NDArray nearest = squared.argMin(1);
                    NDArray direct = x.sub(t.get(nearest)).square().sum(new int[] {1}).sqrt(); // ||x_i - t_j||
                    System.arraycopy(nearest.toLongArray(), 0, index, from, to - from);
                    float[] d = direct.toFloatArray();
                    for (int i = 0; i < d.length; i++) {
                        distance[from + i] = d[i];
                    }
                }
            }
        }
        return new Result(index, distance);
    }
}
