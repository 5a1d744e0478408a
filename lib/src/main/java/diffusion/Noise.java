package diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * The only randomness an algorithm sees: standard normal (and uniform) draws of a requested shape, in the order the
 * algorithm asks for them. A seeded source repeats its draws exactly from run to run and does not touch DJL's engine
 * generator; a replayed source hands out given arrays, so a trajectory of another library can be followed step by step.
 */
public interface Noise {

    /** z ~ N(0, I) of the given shape, created in manager (float32, on manager's device). */
    NDArray normal(NDManager manager, Shape shape);

    /** u ~ U[0, 1) of the given shape, created in manager (float32, on manager's device). */
    NDArray uniform(NDManager manager, Shape shape);

    /** A seeded source (the L64X128MixRandom generator of java.util.random): the same seed gives the same draws. */
    static Noise seeded(long seed) {
        return new Seeded(seed);
    }

    /**
     * The given standard normal draws, handed out in order (each must have the requested shape); asking for more than
     * were given, or for a uniform draw, is an error naming the draw.
     */
    static Noise replay(List<NDArray> normals) {
        Arguments.nonNull("normals", normals);
        return new Replay(normals);
    }

    /** A java.util.random stream seeded once; draws fill a float array which is copied to the device. */
    final class Seeded implements Noise {

        private final RandomGenerator generator;

        private Seeded(long seed) {
            this.generator = RandomGeneratorFactory.<RandomGenerator>of("L64X128MixRandom").create(seed);
        }

        @Override
        public NDArray normal(NDManager manager, Shape shape) {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) generator.nextGaussian();
            }
            return manager.create(values, shape);
        }

        @Override
        public NDArray uniform(NDManager manager, Shape shape) {
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = generator.nextFloat();
            }
            return manager.create(values, shape);
        }
    }

    /** Hands out given arrays in order. */
    final class Replay implements Noise {

        private final Deque<NDArray> normals;
        private int drawn;

        private Replay(List<NDArray> normals) {
            this.normals = new ArrayDeque<>(normals);
        }

        @Override
        public NDArray normal(NDManager manager, Shape shape) {
            NDArray next = normals.poll();
            drawn++;
            if (next == null) {
                throw new IllegalArgumentException("noise: draw " + drawn + " of shape " + shape + " requested, but only "
                        + (drawn - 1) + " normal draws were given");
            }
            if (!next.getShape().equals(shape)) {
                throw new IllegalArgumentException("noise: draw " + drawn + " has shape " + next.getShape() + " but the algorithm"
                        + " asked for " + shape);
            }
            NDArray copy = next.duplicate();
            copy.attach(manager);
            return copy;
        }

        @Override
        public NDArray uniform(NDManager manager, Shape shape) {
            throw new IllegalArgumentException("noise: a replayed source holds normal draws only; uniform draw of shape "
                    + shape + " requested");
        }
    }
}
