package diffusion.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InceptionScoreTest extends ManagedTest {

    /** Tolerance of a closed form evaluated in double precision from exactly representable float32 probabilities. */
    private static final double EXACT = 1e-12;

    /** One-hot predictions spread evenly over K classes give IS = K exactly (KL = log K for every sample). */
    @Test
    void oneHotPredictionsSpreadEvenlyOverKClassesGiveK() {
        for (int classes : new int[] {2, 3, 10}) {
            NDArray p = oneHot(5 * classes, classes);
            assertEquals(classes, InceptionScore.of(p), EXACT * classes, "K = " + classes);
        }
    }

    /** The same prediction for every sample, confident or not, gives IS = 1 (p(y|x) = p(y), KL = 0). */
    @Test
    void constantPredictionsGiveOne() {
        for (float[] row : new float[][] {{1, 0, 0}, {0.2f, 0.3f, 0.5f}, {1 / 3f, 1 / 3f, 1 / 3f}}) {
            float[] rows = new float[12];
            for (int i = 0; i < 4; i++) {
                System.arraycopy(row, 0, rows, 3 * i, 3);
            }
            assertEquals(1, InceptionScore.of(manager.create(rows, new Shape(4, 3))), EXACT);
        }
    }

    /**
     * Hand-computed mixed cases. K = 2, rows (1, 0), (1/2, 1/2), (1/2, 1/2), (0, 1): p(y) = (1/2, 1/2), the KLs are
     * log 2, 0, 0, log 2, so IS = exp(log(2) / 2) = sqrt 2. K = 3, rows (1, 0, 0) twice, (0, 1, 0), (0, 1/2, 1/2):
     * p(y) = (1/2, 3/8, 1/8), KLs log 2, log 2, log(8/3), (1/2) log(4/3) + (1/2) log 4.
     */
    @Test
    void mixedCasesMatchTheirHandComputedValues() {
        NDArray two = manager.create(new float[] {1, 0, 0.5f, 0.5f, 0.5f, 0.5f, 0, 1}, new Shape(4, 2));
        assertEquals(Math.sqrt(2), InceptionScore.of(two), EXACT);
        NDArray three = manager.create(new float[] {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0.5f, 0.5f}, new Shape(4, 3));
        double meanKl = (2 * Math.log(2) + Math.log(8.0 / 3) + 0.5 * Math.log(4.0 / 3) + 0.5 * Math.log(4)) / 4;
        assertEquals(Math.exp(meanKl), InceptionScore.of(three), EXACT);
    }

    /**
     * Splits are the contiguous rows [k n / s, (k + 1) n / s): with n = 5 and s = 2, rows 0-1 (one-hot classes 0, 1:
     * IS 2) and rows 2-4 (one-hot classes 0, 1, 2: IS 3) give mean 2.5 and standard deviation (divisor s) 0.5; one
     * split is the whole-set score.
     */
    @Test
    void splitsAreContiguousAndReportMeanAndSpread() {
        NDArray p = oneHotRows(new int[] {0, 1, 0, 1, 2}, 3);
        InceptionScore.Result result = InceptionScore.over(p, 2);
        assertEquals(2.5, result.mean(), EXACT);
        assertEquals(0.5, result.sd(), EXACT);
        assertEquals(2, result.splits());
        InceptionScore.Result whole = InceptionScore.over(p, 1);
        assertEquals(InceptionScore.of(p), whole.mean(), 0.0);
        assertEquals(0, whole.sd(), 0.0);
        InceptionScore.Result ten = InceptionScore.over(oneHot(40, 4), InceptionScore.SALIMANS_SPLITS);
        assertEquals(4, ten.mean(), EXACT * 4, "each split of 4 rows holds each class once");
        assertEquals(0, ten.sd(), EXACT * 4);
    }

    /** 1 &lt;= IS &lt;= K on random softmax rows (the mutual information lies in [0, log K]). */
    @Test
    void liesBetweenOneAndTheNumberOfClasses() {
        Random random = new Random(3);
        for (int trial = 0; trial < 20; trial++) {
            int classes = 2 + random.nextInt(9);
            NDArray p = manager.create(softmaxRows(random, 50, classes, 3 * random.nextDouble()), new Shape(50, classes));
            double score = InceptionScore.of(p);
            assertTrue(score >= 1 - EXACT && score <= classes + EXACT, "IS = " + score + " for K = " + classes);
        }
    }

    /**
     * The lecture's expansion -p(y|x) log p(y) - (-p(y|x) log p(y|x)) (cross-entropy minus entropy, signs right) is
     * log IS, not IS: on random rows it equals log IS and H(p(y)) - E_x H(p(y|x)) (computed here independently, the
     * mutual-information form) to double precision; for one-hot predictions spread over 10 classes it gives
     * ln 10 = 2.303 where IS = 10.
     */
    @Test
    void theLecturesSecondLineIsTheLogarithmOfTheScore() {
        Random random = new Random(5);
        int n = 40;
        int classes = 5;
        float[] rows = softmaxRows(random, n, classes, 2);
        double[] marginal = new double[classes];
        double conditionalEntropy = 0;
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < classes; y++) {
                double p = rows[i * classes + y];
                marginal[y] += p / n;
                conditionalEntropy -= p * Math.log(p) / n;
            }
        }
        double marginalEntropy = 0;
        for (double q : marginal) {
            marginalEntropy -= q * Math.log(q);
        }
        NDArray p = manager.create(rows, new Shape(n, classes));
        double lecture = LectureInceptionScore.secondLine(p);
        assertEquals(marginalEntropy - conditionalEntropy, Math.log(InceptionScore.of(p)), 1e-10);
        assertEquals(Math.log(InceptionScore.of(p)), lecture, 1e-10);
        NDArray oneHot = oneHot(50, 10);
        assertEquals(Math.log(10), LectureInceptionScore.secondLine(oneHot), EXACT);
        assertEquals(10, InceptionScore.of(oneHot), EXACT * 10);
    }

    /** Rows that are not distributions, too few rows for the splits, or a bad shape are refused before any work. */
    @Test
    void badInputIsRefused() {
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class,
                () -> InceptionScore.of(manager.create(new float[] {0.5f, 0.4f, 0.5f, 0.5f}, new Shape(2, 2))));
        assertTrue(sum.getMessage().contains("row 0 sums to"), sum.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> InceptionScore.of(manager.create(new float[] {1.5f, -0.5f}, new Shape(1, 2))));
        assertThrows(IllegalArgumentException.class,
                () -> InceptionScore.of(manager.create(new float[] {Float.NaN, 1}, new Shape(1, 2))));
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.of(manager.create(new float[] {1, 0}, new Shape(2))));
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.over(oneHot(5, 5), 10));
        assertThrows(IllegalArgumentException.class, () -> InceptionScore.over(oneHot(5, 5), 0));
        assertThrows(IllegalArgumentException.class,
                () -> LectureInceptionScore.secondLine(manager.create(new float[] {0.5f, 0.4f}, new Shape(1, 2))));
    }

    /** n one-hot rows cycling through the classes 0, 1, ..., K - 1. */
    private static NDArray oneHot(int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % classes;
        }
        return oneHotRows(labels, classes);
    }

    private static NDArray oneHotRows(int[] labels, int classes) {
        float[] rows = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            rows[i * classes + labels[i]] = 1;
        }
        return manager.create(rows, new Shape(labels.length, classes));
    }

    /** n rows softmax(scale z), z standard normal: distributions from flat (scale 0) to confident (large scale). */
    private static float[] softmaxRows(Random random, int n, int classes, double scale) {
        float[] rows = new float[n * classes];
        for (int i = 0; i < n; i++) {
            double[] e = new double[classes];
            double sum = 0;
            for (int y = 0; y < classes; y++) {
                e[y] = Math.exp(scale * random.nextGaussian());
                sum += e[y];
            }
            for (int y = 0; y < classes; y++) {
                rows[i * classes + y] = (float) (e[y] / sum);
            }
        }
        return rows;
    }
}
