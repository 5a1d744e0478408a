package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.Test;

class GradientNoiseTest {

    /**
     * For a linear model y = w x (no bias) and the loss mean_i (w x_i)^2 / 2 over a batch, the gradient in w is
     * g = w mean_i x_i^2; with x_i ~ N(0, 1) rows and batch size b, Var g = w^2 Var(x^2) / b = 2 w^2 / b. A loss that
     * ignores the batch has zero gradient noise. Tolerances: 5 standard errors; a sample variance of R draws with excess
     * kurtosis k has relative standard error sqrt(2 / (R - 1) + k / R), and a mean of b chi-square(1) has k = 12 / b;
     * the squared mean has standard error 2 |w| sd(g) / sqrt(R) and bias Var(g) / R.
     */
    @Test
    void totalVarianceMatchesTheClosedFormOfALinearModel() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            Block linear = Linear.builder().setUnits(1).optBias(false).build();
            linear.initialize(m, DataType.FLOAT32, new Shape(1, 1));
            float w = linear.getParameters().get(0).getValue().getArray().getFloat();
            NDArray data = m.randomNormal(new Shape(200_000, 1));
            int batch = 8;
            int repeats = 400;
            Objective quadratic = (parameters, x) -> linear.forward(parameters, new NDList(x), true).head().square().mean().div(2);
            GradientNoise.Result noisy = GradientNoise.measure(linear, quadratic, data, batch, repeats, 2);
            double expected = 2.0 * w * w / batch;
            double relative = Math.sqrt(2.0 / (repeats - 1) + 12.0 / batch / repeats);
            assertEquals(expected, noisy.totalVariance(), 5 * relative * expected, "Var g = 2 w^2 / b");
            double meanError = 2 * Math.abs(w) * Math.sqrt(expected / repeats);
            assertEquals(w * w, noisy.meanNormSquared(), 5 * meanError + expected / repeats, "(E g)^2 = w^2");
            NDArray fixed = m.ones(new Shape(4, 1));
            Objective deterministic = (parameters, x) -> linear.forward(parameters, new NDList(fixed), true).head().square().mean();
            assertTrue(GradientNoise.measure(linear, deterministic, data, batch, 5, 3).totalVariance() < 1e-10, "no randomness, no noise");
            assertThrows(IllegalArgumentException.class, () -> GradientNoise.measure(linear, quadratic, data, batch, 1, 2), "repeats < 2");
            assertThrows(IllegalArgumentException.class, () -> GradientNoise.measure(linear, quadratic, data, 0, 5, 2), "batchSize < 1");
        }
    }

}
