package diffusion.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import org.junit.jupiter.api.Test;

class ImageClassifierTest extends ManagedTest {

    /**
     * For 8x8 and 28x28 images, one or three channels: features (n, featureWidth), logits (n, K), probabilities the
     * softmax of the logits (rows summing to 1 within float32 rounding, 1e-6 for K = 10), and logits equal to the head
     * applied to the features (the same float32 operations, so to 0).
     */
    @Test
    void mapsImagesToFeaturesLogitsAndProbabilities() {
        for (Shape image : new Shape[] {new Shape(1, 8, 8), new Shape(1, 28, 28), new Shape(3, 8, 12)}) {
            ImageClassifier classifier = new ImageClassifier(image, 10, 4, 24);
            classifier.initialize(manager);
            NDArray x = manager.randomUniform(-1, 1, new Shape(5).addAll(image));
            NDArray features = classifier.features(x);
            NDArray logits = classifier.logits(x);
            NDArray probabilities = classifier.probabilities(x);
            assertEquals(new Shape(5, 24), features.getShape());
            assertEquals(new Shape(5, 10), logits.getShape());
            assertTrue(features.gte(0).all().getBoolean(), "features follow a ReLU");
            assertArrayEquals(logits.toFloatArray(), classifier.logitsOfFeatures(features).toFloatArray(), 0f);
            assertArrayEquals(logits.softmax(1).toFloatArray(), probabilities.toFloatArray(), 0f);
            for (float sum : probabilities.sum(new int[] {1}).toFloatArray()) {
                assertEquals(1, sum, 1e-6);
            }
            assertEquals(image, classifier.sameArchitecture().imageShape());
        }
    }

    /** Images of another shape, an image shape the two poolings cannot halve, or too few classes are refused. */
    @Test
    void badShapesAreRefused() {
        ImageClassifier classifier = ImageClassifier.forImages(new Shape(1, 8, 8), 10);
        classifier.initialize(manager);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> classifier.features(manager.zeros(new Shape(2, 1, 28, 28))));
        assertTrue(wrong.getMessage().contains("(2, 1, 28, 28)") && wrong.getMessage().contains("(1, 8, 8)"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> classifier.features(manager.zeros(new Shape(2, 64))));
        assertThrows(IllegalArgumentException.class, () -> new ImageClassifier(new Shape(1, 6, 8), 10, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> new ImageClassifier(new Shape(8, 8), 10, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> ImageClassifier.forImages(new Shape(1, 8, 8), 1));
        assertThrows(IllegalArgumentException.class,
                () -> classifier.requireLabels("labels", manager.create(new int[] {0, 10}), 2));
        assertThrows(IllegalArgumentException.class,
                () -> classifier.requireLabels("labels", manager.create(new float[] {0, 1}), 2));
        assertThrows(IllegalArgumentException.class,
                () -> classifier.requireLabels("labels", manager.create(new int[] {0, 1}), 3));
        classifier.requireLabels("labels", manager.create(new int[] {0, 9}), 2);
    }
}
