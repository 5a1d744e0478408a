package diffusion.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaussianMixtureTest extends ManagedTest {

    /** Unequal weights (given unnormalised), unequal diagonal variances, d = 3. */
    private static final GaussianMixture MIXTURE = GaussianMixture.of(
            new double[] {1, 3},
            new double[][] {{-2, 0, 1}, {1.5, 1, -1}},
            new double[][] {{0.25, 1, 0.5}, {1, 0.09, 2}});

    /** log p(x) in double precision straight from the definition, with a max-shifted log-sum-exp. */
    private static double referenceLogDensity(GaussianMixture mixture, double[] x) {
        double[] terms = new double[mixture.components()];
        double peak = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < terms.length; k++) {
            double term = Math.log(mixture.weights()[k]);
            for (int j = 0; j < x.length; j++) {
                double variance = mixture.variances()[k][j];
                double delta = x[j] - mixture.means()[k][j];
                term -= 0.5 * (Math.log(2 * Math.PI * variance) + delta * delta / variance);
            }
            terms[k] = term;
            peak = Math.max(peak, term);
        }
        double sum = 0;
        for (double term : terms) {
            sum += Math.exp(term - peak);
        }
        return peak + Math.log(sum);
    }

    @Test
    void weightsAreNormalisedAndAccessorsAreCopies() {
        assertArrayEquals(new double[] {0.25, 0.75}, MIXTURE.weights(), 1e-15);
        MIXTURE.means()[0][0] = 99;
        MIXTURE.variances()[0][0] = 99;
        assertEquals(-2, MIXTURE.means()[0][0]);
        assertEquals(0.25, MIXTURE.variances()[0][0]);
        assertEquals(2, MIXTURE.components());
        assertEquals(3, MIXTURE.dim());
    }

    @Test
    void sameSeedGivesBitwiseSameFloat32Sample() {
        NDArray first = MIXTURE.sample(manager, 500, 7);
        NDArray second = MIXTURE.sample(manager, 500, 7);
        NDArray other = MIXTURE.sample(manager, 500, 8);
        assertEquals(new Shape(500, 3), first.getShape());
        assertEquals(DataType.FLOAT32, first.getDataType());
        assertArrayEquals(first.toFloatArray(), second.toFloatArray());
        assertFalse(java.util.Arrays.equals(first.toFloatArray(), other.toFloatArray()));
    }

    @Test
    void sampleMomentsMatchExactMomentsWithinFiveStandardErrors() {
        int n = 40_000;
        float[] data = MIXTURE.sample(manager, n, 1).toFloatArray();
        double[] mean = MIXTURE.mean();
        double[] variance = MIXTURE.variance();
        for (int j = 0; j < 3; j++) {
            double sum = 0;
            double sumSquares = 0;
            for (int i = 0; i < n; i++) {
                sum += data[3 * i + j];
                sumSquares += data[3 * i + j] * data[3 * i + j];
            }
            double sampleMean = sum / n;
            double sampleVariance = sumSquares / n - sampleMean * sampleMean;
            // SE(mean) = sqrt(var/n); SE(variance) = sqrt((m4 - var^2)/n) < 2 var/sqrt(n) here (kurtosis < 5): both bounds are 5 SE.
            assertEquals(mean[j], sampleMean, 5 * Math.sqrt(variance[j] / n), "mean " + j);
            assertEquals(variance[j], sampleVariance, 10 * variance[j] / Math.sqrt(n), "variance " + j);
        }
    }

    @Test
    void logDensityMatchesDoublePrecisionDefinitionIncludingFarTails() {
        double[][] points = {{0, 0, 0}, {-2, 0, 1}, {1.5, 1, -1}, {40, -30, 25}, {-300, 200, 100}};
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(points).toType(DataType.FLOAT32, false);
            NDArray logDensity = MIXTURE.logDensity(x);
            assertEquals(new Shape(points.length), logDensity.getShape());
            assertEquals(DataType.FLOAT32, logDensity.getDataType());
            float[] values = logDensity.toFloatArray();
            for (int i = 0; i < points.length; i++) {
                double expected = referenceLogDensity(MIXTURE, points[i]);
                assertTrue(Double.isFinite(values[i]), "finite at far point " + i);
                assertEquals(expected, values[i], 1e-5 * Math.max(1, Math.abs(expected)), "point " + i);
            }
        }
    }

    /**
     * The score stays differentiable in float32 (the probability-flow likelihood's exact divergence differentiates it):
     * d score_0 / d x_0 by autograd against a central difference of the score in float64 (h = 1e-4: truncation
     * O(h^2) ~ 1e-8, far below float32's relative 1e-7 times the O(1) derivative, checked to 1e-4).
     */
    @Test
    void scoreIsDifferentiableInFloat32() {
        double[] point = {0.3, -0.2, 0.4};
        double h = 1e-4;
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(new double[][] {point}).toType(DataType.FLOAT32, false);
            x.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                collector.backward(MIXTURE.score(x).get(":, 0").sum());
            }
            double autograd = x.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()[0];
            double[] up = point.clone(), down = point.clone();
            up[0] += h;
            down[0] -= h;
            double upScore = MIXTURE.score(scope.create(new double[][] {up})).toDoubleArray()[0];
            double downScore = MIXTURE.score(scope.create(new double[][] {down})).toDoubleArray()[0];
            assertEquals((upScore - downScore) / (2 * h), autograd, 1e-4);
        }
    }

    @Test
    void scoreEqualsCentralDifferenceOfLogDensityInFloat64() {
        double h = 1e-5;
        SplittableRandom random = new SplittableRandom(3);
        try (NDManager scope = manager.newSubManager()) {
            for (int trial = 0; trial < 5; trial++) {
                double[] x = {3 * random.nextGaussian(), 3 * random.nextGaussian(), 3 * random.nextGaussian()};
                double[] score = MIXTURE.score(scope.create(new double[][] {x})).toDoubleArray();
                for (int j = 0; j < 3; j++) {
                    double[] plus = x.clone();
                    double[] minus = x.clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double[] logDensity = MIXTURE.logDensity(scope.create(new double[][] {plus, minus})).toDoubleArray();
                    double finiteDifference = (logDensity[0] - logDensity[1]) / (2 * h);
                    assertEquals(finiteDifference, score[j], 1e-5 * Math.max(1, Math.abs(score[j])), "trial " + trial + " dim " + j);
                }
            }
        }
    }

    @Test
    void scoreOfOneGaussianIsMeanMinusXOverVariance() {
        GaussianMixture gaussian = GaussianMixture.gaussian(new double[] {1, -2}, new double[] {0.5, 4});
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(new float[] {0, 0, 3, 1}, new Shape(2, 2));
            NDArray score = gaussian.score(x);
            assertEquals(DataType.FLOAT32, score.getDataType());
            assertArrayEquals(new float[] {2, -0.5f, -4, -0.75f}, score.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void scratchArraysAreReleasedAndInputStaysWithItsManager() {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = MIXTURE.sample(scope, 100, 2);
            NDArray score = MIXTURE.score(x);
            NDArray logDensity = MIXTURE.logDensity(x);
            assertSame(scope, x.getManager());
            assertSame(scope, score.getManager());
            assertSame(scope, logDensity.getManager());
            assertEquals(3, ((ai.djl.ndarray.BaseNDManager) scope).getManagedArrays().size(), "only x, score, logDensity remain");
        }
    }

    @Test
    void tenThousandPointsAreFastAndFinite() {
        GaussianMixture mixture = Toy2D.eightGaussians();
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = mixture.sample(scope, 10_000, 4).mul(3);
            long start = System.nanoTime();
            NDArray score = mixture.score(x);
            NDArray logDensity = mixture.logDensity(x);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(new Shape(10_000, 2), score.getShape());
            assertFalse(score.isNaN().any().getBoolean() || logDensity.isNaN().any().getBoolean());
            assertTrue(seconds < 2, "took " + seconds + " s");
        }
    }

    @Test
    void diffusedMomentsAreAffineInTheOriginal() {
        double a = 0.6;
        double s = 0.8;
        GaussianMixture diffused = MIXTURE.diffuse(a, s);
        for (int j = 0; j < 3; j++) {
            assertEquals(a * MIXTURE.mean()[j], diffused.mean()[j], 1e-12);
            assertEquals(a * a * MIXTURE.variance()[j] + s * s, diffused.variance()[j], 1e-12);
        }
        assertArrayEquals(MIXTURE.weights(), diffused.weights());
    }

    @Test
    void diffusedLogDensityIsTheConvolutionInOneDimension() {
        // p_s(y) = int p(x) N(y; a x, s^2) dx, by midpoint quadrature over x.
        GaussianMixture mixture = GaussianMixture.of(new double[] {0.3, 0.7}, new double[][] {{-1}, {2}}, new double[][] {{0.2}, {0.5}});
        double a = 0.9;
        double s = 0.5;
        double y = 0.7;
        double integral = 0;
        double step = 1e-3;
        for (double x = -10; x < 10; x += step) {
            double px = Math.exp(referenceLogDensity(mixture, new double[] {x + step / 2}));
            double delta = y - a * (x + step / 2);
            integral += px * Math.exp(-delta * delta / (2 * s * s)) / Math.sqrt(2 * Math.PI * s * s) * step;
        }
        try (NDManager scope = manager.newSubManager()) {
            double exact = mixture.diffuse(a, s).logDensity(scope.create(new double[][] {{y}})).toDoubleArray()[0];
            assertEquals(Math.log(integral), exact, 1e-6);
        }
    }

    @Test
    void eightGaussiansHaveMeanZeroAndVarianceRadiusSquaredOverTwoPlusStdSquared() {
        GaussianMixture mixture = GaussianMixture.eightGaussians(2, 0.3);
        assertArrayEquals(new double[] {0, 0}, mixture.mean(), 1e-12);
        assertArrayEquals(new double[] {2.09, 2.09}, mixture.variance(), 1e-12);
        assertEquals("eight_gaussians", mixture.name());
    }

    @Test
    void badInputIsRejectedWithParameterNameAndValue() {
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> GaussianMixture.of(new double[] {1, -1}, new double[][] {{0}, {1}}, new double[][] {{1}, {1}}));
        assertTrue(weight.getMessage().contains("weights[1] = -1.0"), weight.getMessage());
        IllegalArgumentException variance = assertThrows(IllegalArgumentException.class,
                () -> GaussianMixture.gaussian(new double[] {0, 0}, new double[] {1, 0}));
        assertTrue(variance.getMessage().contains("variances[0][1] = 0.0"), variance.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MIXTURE.diffuse(0, 0));
        assertThrows(IllegalArgumentException.class, () -> MIXTURE.diffuse(1, -0.1));
        try (NDManager scope = manager.newSubManager()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> MIXTURE.score(scope.zeros(new Shape(4, 2))));
            assertTrue(shape.getMessage().contains("(n, 3)"), shape.getMessage());
        }
    }
}
