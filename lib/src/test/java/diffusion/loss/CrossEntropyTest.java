package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.SquareImages;
import diffusion.nn.ImageClassifier;
import org.junit.jupiter.api.Test;

class CrossEntropyTest extends ManagedTest {

    /**
     * Logits (0, ln 2, 0) with label 1 give softmax 2/4, and (1, 1, 1) with label 2 give 1/3: the loss is
     * (ln 2 + ln 3) / 2 (float32, 1e-6).
     */
    @Test
    void matchesTheClosedForm() {
        NDArray logits = manager.create(new float[] {0, (float) Math.log(2), 0, 1, 1, 1}, new Shape(2, 3));
        NDArray labels = manager.create(new long[] {1, 2});
        assertEquals((Math.log(2) + Math.log(3)) / 2, CrossEntropy.of(logits, labels).getFloat(), 1e-6);
    }

    /**
     * Packed rows hold each image flattened and then its label; the objective on them is the cross-entropy of the
     * classifier's logits on the images (the same float32 operations: 1e-6).
     */
    @Test
    void theObjectiveOnPackedRowsIsTheCrossEntropyOfTheImages() {
        ImageClassifier classifier = new ImageClassifier(SquareImages.IMAGE, SquareImages.CLASSES, 4, 8);
        classifier.initialize(manager);
        NDArray labels = SquareImages.labels(manager, 6);
        NDArray images = SquareImages.images(manager, labels, 0.5, 1);
        NDArray rows = CrossEntropy.pack(classifier, images, labels);
        assertEquals(new Shape(6, 65), rows.getShape());
        assertArrayEquals(images.toFloatArray(), rows.get(":, :64").toFloatArray(), 0f);
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 1}, rows.get(":, 64").toFloatArray(), 0f);
        float objective = CrossEntropy.objective(classifier).loss(new ParameterStore(manager, false), rows).getFloat();
        assertEquals(CrossEntropy.of(classifier.logits(images), labels).getFloat(), objective, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> CrossEntropy.pack(classifier, images, SquareImages.labels(manager, 5)));
        assertThrows(IllegalArgumentException.class,
                () -> CrossEntropy.pack(classifier, images, manager.create(new int[] {0, 1, 2, 3, 4, 0})));
    }
}
