package diffusion.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GaussianKlTest {

    @Test
    void klOfTwoGaussiansEqualsTheMonteCarloMeanOfTheLogRatio() {
        // KL(q || p) = E_q[log q(x) - log p(x)], estimated with N samples from q = N(mu1, var1 I) in d = 3.
        int n = 400_000;
        double var1 = 0.5;
        double var2 = 2.0;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            NDArray mu1 = m.create(new float[] {0.3f, -1f, 2f}).reshape(1, 3);
            NDArray mu2 = m.create(new float[] {1f, 0f, 1.5f}).reshape(1, 3);
            double closedForm = GaussianKl.kl(mu1, var1, mu2, var2).getFloat();
            NDArray x = m.randomNormal(new Shape(n, 3)).mul(Math.sqrt(var1)).add(mu1);
            NDArray logRatio = logDensity(x, mu1, var1).sub(logDensity(x, mu2, var2));
            double mean = logRatio.mean().getFloat();
            double sd = Math.sqrt(logRatio.sub(mean).square().mean().getFloat());
            assertEquals(closedForm, mean, 5 * sd / Math.sqrt(n), "5 Monte Carlo standard errors");
            assertEquals(0.0, GaussianKl.kl(mu1, var1, mu1, var1).getFloat(), 1e-7, "KL(p || p) = 0");
            assertThrows(IllegalArgumentException.class, () -> GaussianKl.kl(mu1, 0.0, mu2, var2));
        }
    }

    private static NDArray logDensity(NDArray x, NDArray mu, double var) {
        long d = x.getShape().get(1);
        return x.sub(mu).square().sum(new int[] {1}).div(-2 * var).sub(0.5 * d * Math.log(2 * Math.PI * var));
    }
}
