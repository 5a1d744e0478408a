package diffusion.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * n labelled images of shape (C, H, W) with integer pixel values 0..maxValue, held compactly as unsigned bytes in
 * (n, C, H, W) order. images(manager) creates them once as a float32 array scaled to [-1, 1] (put it on the training
 * device once; train/Trainer draws its minibatches from it there); labels are the integers 0..classes-1.
 */
public final class LabelledImages {

    private final byte[] pixels;
    private final int[] labels;
    private final Shape sampleShape;
    private final int maxValue;
    private final int classes;

    /**
     * Images from unsigned pixel bytes (n * C * H * W of them, in (n, C, H, W) order, each at most maxValue in 1..255)
     * and n labels in 0..classes-1; the arrays are copied.
     */
    public LabelledImages(byte[] pixels, int[] labels, Shape sampleShape, int maxValue, int classes) {
        Arguments.nonNull("pixels", pixels);
        Arguments.nonNull("labels", labels);
        Arguments.nonNull("sampleShape", sampleShape);
        if (sampleShape.dimension() != 3 || sampleShape.size() < 1) {
            throw new IllegalArgumentException("sampleShape = " + sampleShape + ": expected (C, H, W) with positive sizes");
        }
        if (maxValue < 1 || maxValue > 255) {
            throw new IllegalArgumentException("maxValue = " + maxValue + " must lie in [1, 255]");
        }
        Arguments.atLeast("classes", classes, 1);
        if ((long) labels.length * sampleShape.size() != pixels.length) {
            throw new IllegalArgumentException("sampleShape = " + sampleShape + ": " + pixels.length + " pixels for " + labels.length
                    + " labels, expected " + labels.length + " x " + sampleShape.size() + " (one image of sampleShape per label)");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " must lie in [0, " + (classes - 1) + "]");
            }
        }
        for (int i = 0; i < pixels.length; i++) {
            if ((pixels[i] & 0xff) > maxValue) {
                throw new IllegalArgumentException("pixel " + i + " = " + (pixels[i] & 0xff) + " exceeds maxValue = " + maxValue);
            }
        }
        this.pixels = pixels.clone();
        this.labels = labels.clone();
        this.sampleShape = sampleShape;
        this.maxValue = maxValue;
        this.classes = classes;
    }

    /** n, the number of images. */
    public int size() {
        return labels.length;
    }

    /** (C, H, W), the shape of one image. */
    public Shape sampleShape() {
        return sampleShape;
    }

    /** The largest pixel value, which maps to 1 (0 maps to -1). */
    public int maxValue() {
        return maxValue;
    }

    /** The number of classes; labels lie in 0..classes-1. */
    public int classes() {
        return classes;
    }

    /** The labels in image order (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The raw pixel value of entry `offset` (in (C, H, W) order) of image i. */
    public int pixel(int i, int offset) {
        return pixels[Math.toIntExact(i * sampleShape.size() + offset)] & 0xff;
    }

    /** The images as a float32 array (n, C, H, W) on manager's device, x = 2 p / maxValue - 1 in [-1, 1]. */
    public NDArray images(NDManager manager) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(pixels.length).put(pixels).flip();
        NDArray raw = manager.create(buffer, new Shape(size()).addAll(sampleShape), DataType.UINT8);
        return raw.toType(DataType.FLOAT32, false).mul(2.0 / maxValue).sub(1); // x = 2 p / maxValue - 1
    }

    /** The labels as an int32 array (n,) on manager's device. */
    public NDArray labels(NDManager manager) {
        return manager.create(labels);
    }

    /** The images at the given indices, in that order. */
    public LabelledImages subset(int[] indices) {
        int length = Math.toIntExact(sampleShape.size());
        byte[] chosenPixels = new byte[indices.length * length];
        int[] chosenLabels = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= size()) {
                throw new IllegalArgumentException("indices[" + k + "] = " + indices[k] + " must lie in [0, " + (size() - 1) + "]");
            }
            System.arraycopy(pixels, indices[k] * length, chosenPixels, k * length, length);
            chosenLabels[k] = labels[indices[k]];
        }
        return new LabelledImages(chosenPixels, chosenLabels, sampleShape, maxValue, classes);
    }

    /** How many images carry each label 0..classes-1. */
    public int[] classCounts() {
        int[] counts = new int[classes];
        Arrays.stream(labels).forEach(label -> counts[label]++);
        return counts;
    }
}
