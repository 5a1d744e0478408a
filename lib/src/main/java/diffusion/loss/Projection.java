package diffusion.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The law of the random projections v in sliced score matching; both have E[v] = 0 and E[v v^T] = I. */
public enum Projection {

    /** v ~ N(0, I). */
    GAUSSIAN {
        @Override
        public NDArray sample(NDManager manager, Shape shape, DataType type) {
            return manager.randomNormal(0, 1, shape, type);
        }
    },

    /** v_j = +1 or -1 with probability 1/2 each, independently. */
    RADEMACHER {
        @Override
        public NDArray sample(NDManager manager, Shape shape, DataType type) {
            return manager.randomInteger(0, 2, shape, DataType.INT32).toType(type, false).mul(2).sub(1); // 2 B - 1
        }
    };

    /** Independent projections of the given shape and floating data type, from the engine's seeded generator. */
    public abstract NDArray sample(NDManager manager, Shape shape, DataType type);
}
