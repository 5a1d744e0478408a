package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.nn.ImageClassifier;
import org.junit.jupiter.api.Test;

class ClassifierScoresTest extends ManagedTest {

    /**
     * Batched scoring gives the classifier's own features and probabilities of the whole set, whatever the batch size
     * (1e-5: float32 convolutions may sum in another order for another batch size), and leaves no array behind but
     * its two results.
     */
    @Test
    void batchesGiveTheFeaturesAndProbabilitiesOfTheWholeSet() {
        ImageClassifier classifier = new ImageClassifier(new Shape(1, 8, 8), 10, 4, 16);
        classifier.initialize(manager);
        try (NDManager m = manager.newSubManager()) {
            NDArray images = m.randomUniform(-1, 1, new Shape(23, 1, 8, 8));
            float[] features = classifier.features(images).toFloatArray();
            float[] probabilities = classifier.probabilities(images).toFloatArray();
            for (int batch : new int[] {1, 7, 23, 100}) {
                int before = m.getManagedArrays().size();
                try (ClassifierScores scores = ClassifierScores.of(classifier, 10, images, batch)) {
                    assertEquals(23, scores.size());
                    assertArrayEquals(features, scores.features().toFloatArray(), 1e-5f, "batch " + batch);
                    assertArrayEquals(probabilities, scores.probabilities().toFloatArray(), 1e-5f, "batch " + batch);
                    assertEquals(before + 2, m.getManagedArrays().size(), "batch " + batch);
                }
            }
        }
    }

    /** A classifier for another class count, or images of another shape, are refused with a message saying which. */
    @Test
    void aClassifierForAnotherDataSetIsRefused() {
        ImageClassifier classifier = new ImageClassifier(new Shape(1, 8, 8), 10, 4, 16);
        classifier.initialize(manager);
        NDArray digits = manager.zeros(new Shape(3, 1, 8, 8));
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> ClassifierScores.of(classifier, 4, digits, 10));
        assertTrue(classes.getMessage().contains("classes = 4 but the classifier has 10 classes"), classes.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ClassifierScores.of(classifier, 10, manager.zeros(new Shape(3, 1, 28, 28)), 10));
        assertTrue(shape.getMessage().contains("(3, 1, 28, 28)"), shape.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassifierScores.of(classifier, 10, digits, 0));
    }

    /** Accuracy is the fraction of rows whose most probable class is the label: 2 of 3 here. */
    @Test
    void accuracyCountsCorrectArgmaxes() {
        NDArray probabilities = manager.create(new float[] {0.7f, 0.2f, 0.1f, 0.1f, 0.1f, 0.8f, 0.3f, 0.6f, 0.1f}, new Shape(3, 3));
        ClassifierScores scores = new ClassifierScores(manager.zeros(new Shape(3, 2)), probabilities);
        assertEquals(2.0 / 3, scores.accuracy(manager.create(new int[] {0, 2, 0})), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> scores.accuracy(manager.create(new int[] {0, 2})));
        assertThrows(IllegalArgumentException.class, () -> scores.accuracy(manager.create(new float[] {0, 2, 0})));
    }
}
