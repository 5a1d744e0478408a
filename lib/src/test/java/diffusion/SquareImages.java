package diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Random;

/**
 * Synthetic labelled images for classifier tests: on an 8x8 canvas of -1, class k in 0..3 is a 3x3 square of +1 at
 * corner k (rows and columns 1-3 or 4-6), plus N(0, noise^2) per pixel. Two class templates differ on 18 pixels by 2
 * each, a distance of 2 sqrt(18) = 8.5, so the Bayes error between two classes is Phi(-8.5 / (2 noise)): 1e-5 at
 * noise 1.
 */
public final class SquareImages {

    /** The number of classes (corners). */
    public static final int CLASSES = 4;

    /** (1, 8, 8). */
    public static final Shape IMAGE = new Shape(1, 8, 8);

    private SquareImages() {
    }

    /** Labels 0, 1, 2, 3, 0, 1, ... (n of them), as int32. */
    public static NDArray labels(NDManager manager, int n) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % CLASSES;
        }
        return manager.create(labels);
    }

    /** n images of class k alone. */
    public static NDArray ofClass(NDManager manager, int k, int n, double noise, long seed) {
        int[] labels = new int[n];
        Arrays.fill(labels, k);
        return images(manager, labels, noise, seed);
    }

    /** One image per label (n, 1, 8, 8), float32, noise from Random(seed). */
    public static NDArray images(NDManager manager, NDArray labels, double noise, long seed) {
        return images(manager, labels.toIntArray(), noise, seed);
    }

    private static NDArray images(NDManager manager, int[] labels, double noise, long seed) {
        Random random = new Random(seed);
        float[] pixels = new float[labels.length * 64];
        for (int i = 0; i < labels.length; i++) {
            int top = 1 + 3 * (labels[i] / 2);
            int left = 1 + 3 * (labels[i] % 2);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    boolean square = r >= top && r < top + 3 && c >= left && c < left + 3;
                    pixels[i * 64 + r * 8 + c] = (float) ((square ? 1 : -1) + noise * random.nextGaussian());
                }
            }
        }
        return manager.create(pixels, new Shape(labels.length).addAll(IMAGE));
    }
}
