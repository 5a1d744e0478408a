package diffusion.guidance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.sde.VpSde;
import org.junit.jupiter.api.Test;

/** The labelled mixture's classes, conditional laws and exact classifier against hand computations. */
class LabelledMixtureTest extends ManagedTest {

    private static final VpSde SDE = new VpSde(0.1, 20);
    private static final LabelledMixture MIXTURE = new LabelledMixture(ClassifierFreeTest.DATA, ClassifierFreeTest.LABELS, SDE);

    /** pi_0 = 0.3 + 0.2, p(x | 0) has weights 0.6 and 0.4 on components 0 and 1; class 1 is component 2. */
    @Test
    void classesGroupTheirComponents() {
        assertEquals(2, MIXTURE.classes());
        assertEquals(0.5, MIXTURE.classWeight(0), 1e-15);
        assertEquals(0.5, MIXTURE.classWeight(1), 1e-15);
        assertArrayEquals(new double[] {0.6, 0.4}, MIXTURE.classData(0).weights(), 1e-15);
        assertArrayEquals(ClassifierFreeTest.DATA.means()[2], MIXTURE.classData(1).means()[0], 0);
        assertEquals(1, MIXTURE.classData(1).components());
    }

    /**
     * The exact classifier: log p_t(y | x) = log sum_{c(k) = y} w_k N(x; m mu_k, m^2 var_k + s^2) - log p_t(x), by hand
     * in double precision per point (float64 input), and sum_y p_t(y | x) = 1.
     */
    @Test
    void theClassifierIsBayesRuleOnTheDiffusedMixture() {
        double t = 0.4;
        double m = SDE.meanScale(t);
        double s = SDE.std(t);
        GaussianMixture data = ClassifierFreeTest.DATA;
        NDArray x = MIXTURE.unconditional().marginal(t).sample(manager, 50, 7).toType(DataType.FLOAT64, false);
        double[] logP = MIXTURE.classifier().logProbabilities(x, t).toDoubleArray();
        double[] points = x.toDoubleArray();
        for (int i = 0; i < 50; i++) {
            double[] joint = new double[2];
            for (int k = 0; k < 3; k++) {
                double density = data.weights()[k];
                for (int j = 0; j < 2; j++) {
                    double variance = m * m * data.variances()[k][j] + s * s;
                    double d = points[2 * i + j] - m * data.means()[k][j];
                    density *= Math.exp(-0.5 * d * d / variance) / Math.sqrt(2 * Math.PI * variance);
                }
                joint[ClassifierFreeTest.LABELS[k]] += density;
            }
            for (int y = 0; y < 2; y++) {
                assertEquals(Math.log(joint[y] / (joint[0] + joint[1])), logP[2 * i + y], 1e-9, "i = " + i + ", y = " + y);
            }
            assertEquals(1, Math.exp(logP[2 * i]) + Math.exp(logP[2 * i + 1]), 1e-12);
        }
    }

    /** Labels that skip a class, are negative or miscount the components are refused. */
    @Test
    void badLabelsAreRefused() {
        GaussianMixture data = ClassifierFreeTest.DATA;
        assertThrows(IllegalArgumentException.class, () -> new LabelledMixture(data, new int[] {0, 2, 2}, SDE));
        assertThrows(IllegalArgumentException.class, () -> new LabelledMixture(data, new int[] {0, -1, 1}, SDE));
        assertThrows(IllegalArgumentException.class, () -> new LabelledMixture(data, new int[] {0, 1}, SDE));
        assertThrows(IllegalArgumentException.class, () -> MIXTURE.given(2));
        assertThrows(IllegalArgumentException.class, () -> MIXTURE.classData(-1));
    }
}
