package diffusion.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDResource;
import diffusion.Arguments;
import java.util.function.BiFunction;

/** Checks and scratch scopes for two samples x (n, d) and y (m, d) compared by a metric. */
final class Samples {

    private Samples() {}

    /** Accepts finite floating-point x of shape (n, d) and y of shape (m, d) with n, m >= minRows and d >= 1. */
    static void checkPair(NDArray x, NDArray y, int minRows) {
        checkOne("x", x, minRows);
        checkOne("y", y, minRows);
        if (x.getShape().get(1) != y.getShape().get(1)) {
            throw new IllegalArgumentException("x has shape " + x.getShape() + " and y has shape " + y.getShape()
                    + "; their dimensions (last axis) must match");
        }
    }

    private static void checkOne(String parameter, NDArray array, int minRows) {
        Arguments.nonNull(parameter, array);
        if (!array.getDataType().isFloating()) {
            throw new IllegalArgumentException(parameter + " has data type " + array.getDataType()
                    + "; a floating-point type (float32 or float64) is required");
        }
        long[] shape = array.getShape().getShape();
        if (shape.length != 2 || shape[0] < minRows || shape[1] < 1) {
            throw new IllegalArgumentException(parameter + " has shape " + array.getShape()
                    + "; expected (n, d) with n >= " + minRows + " and d >= 1");
        }
        Arguments.finite(parameter, array);
    }

    /** Runs metric(x, y) inside a scratch manager on x's device; every array it creates is closed before returning. */
    static double inScratch(NDArray x, NDArray y, BiFunction<NDArray, NDArray, Double> metric) {
        try (NDManager scratch = x.getManager().newSubManager(x.getDevice())) {
            // Attach a shared array once: a second temporary attach would hand it back to the closed scratch manager.
            scratch.tempAttachAll(x == y ? new NDResource[] {x} : new NDResource[] {x, y});
            return metric.apply(x, y);
        }
    }
}
