package diffusion.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import diffusion.data.GaussianMixture;
import org.junit.jupiter.api.Test;

class DecoderTest {

    /** The Gaussian decoder's L_0 is -log N(x_0; mu, diag sigma^2), as computed by the mixture's exact log-density. */
    @Test
    void gaussianDecoderIsTheNegativeLogDensity() {
        double[] mean = {0.2, -0.4};
        double[] variance = {0.05, 0.8};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.create(new float[] {0.1f, 0.3f, -1f, 2f, 0.2f, -0.4f}).reshape(3, 2);
            NDArray mu = m.create(new float[] {0.2f, -0.4f}).reshape(1, 2).repeat(0, 3);
            NDArray logVar = m.create(new float[] {(float) Math.log(0.05), (float) Math.log(0.8)}).reshape(1, 2);
            float[] nll = Decoder.GAUSSIAN.nll(x0, mu, logVar).toFloatArray();
            float[] logDensity = GaussianMixture.gaussian(mean, variance).logDensity(x0).toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertEquals(-logDensity[i], nll[i], 1e-5 * (1 + Math.abs(nll[i])), "row " + i);
            }
        }
    }

    /**
     * The discretised decoder is a probability mass function on the 256 levels: the masses exp(-L_0) of all levels sum
     * to 1 for any mu and sigma (float64; tolerance 1e-9 for the rounding of 256 terms).
     */
    @Test
    void discretisedMassesOverAll256LevelsSumToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray levels = m.arange(0, 256, 1, DataType.FLOAT64).mul(2.0 / 255).sub(1).reshape(256, 1);
            for (double mu : new double[] {-1.2, -0.3, 0.0, 0.77, 1.0}) {
                for (double sigma : new double[] {1e-3, 0.02, 0.3, 2.0}) {
                    NDArray mean = m.zeros(levels.getShape(), DataType.FLOAT64).add(mu);
                    NDArray logVar = m.create(2 * Math.log(sigma));
                    double total = Decoder.DISCRETISED_256.nll(levels, mean, logVar).neg().exp().sum().getDouble();
                    assertEquals(1.0, total, 1e-9, "mu = " + mu + ", sigma = " + sigma);
                }
            }
        }
    }

    /**
     * For sigma much wider than a bin the mass of an interior bin is its width 2/255 times the density (midpoint rule):
     * L_0(discretised) = L_0(Gaussian) - log(2/255) up to the midpoint error (Delta^2 / 24) |z^2 - 1| / sigma^2 < 1e-4
     * for Delta = 2/255, sigma = 0.5, |z| <= 2 (float64).
     */
    @Test
    void discretisedDecoderApproachesTheDensityTimesTheBinWidth() {
        try (NDManager m = NDManager.newBaseManager()) {
            double sigma = 0.5;
            NDArray x = m.create(new double[] {-0.6, -0.2, 0.0, 0.4, 0.8}).add(1).mul(127.5).round().div(127.5).sub(1).reshape(5, 1);
            NDArray mean = m.zeros(x.getShape(), DataType.FLOAT64).add(0.1);
            NDArray logVar = m.create(2 * Math.log(sigma));
            double[] discretised = Decoder.DISCRETISED_256.nll(x, mean, logVar).toDoubleArray();
            double[] density = Decoder.GAUSSIAN.nll(x, mean, logVar).toDoubleArray();
            double delta = 2.0 / 255;
            double midpointError = delta * delta / 24 * 3 / (sigma * sigma); // |z^2 - 1| <= 3 for |z| <= 2
            for (int i = 0; i < 5; i++) {
                assertEquals(density[i] - Math.log(delta), discretised[i], midpointError, "row " + i);
            }
        }
    }

    @Test
    void discretisedDecoderRejectsDataOutsideMinusOneToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.create(new float[] {0.5f, 1.5f}).reshape(1, 2);
            assertThrows(IllegalArgumentException.class, () -> Decoder.DISCRETISED_256.nll(x0, x0.zerosLike(), m.create(0f)));
            assertThrows(IllegalArgumentException.class, () -> Decoder.GAUSSIAN.nll(x0, m.zeros(new ai.djl.ndarray.types.Shape(1, 3)), m.create(0f)));
        }
    }
}
