package diffusion.inverse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import diffusion.ManagedTest;
import diffusion.data.GaussianMixture;
import diffusion.guidance.Guided;
import diffusion.score.GaussianMixtureOracle;
import diffusion.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DPS's guided score against its closed form on a Gaussian prior, where the denoiser is affine. */
class PosteriorSamplingTest extends ManagedTest {

    /**
     * For x_0 ~ N(mu, diag v) the denoiser is x0hat = mu + c (x - m mu) with c = m v / (m^2 v + s^2), so the DPS
     * gradient is c A^T (y - A x0hat) / sigma_y^2 and the guided score s(x, t) + gamma c A^T (y - A x0hat) / sigma_y^2
     * (float32 autograd: 1e-4 relative), for inpainting and a channel mixing, at three times.
     */
    @Test
    void theGuidedScoreAddsTheGradientThroughTheAffineDenoiser() {
        double[] mu = {0.5, -1, 2};
        double[] v = {0.3, 1.5, 0.8};
        VpSde sde = new VpSde(0.1, 20);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(mu, v), sde);
        List<LinearOperator> operators = List.of(new Inpainting(new Shape(3), new double[] {1, 0, 1}),
                new ChannelMixing(new Shape(3), new double[][] {{0.3, 0.6, 0.1}}));
        double sigmaY = 0.3;
        double gamma = 0.7;
        for (LinearOperator a : operators) {
            NDArray y = a.apply(manager.create(new float[] {0.2f, 0.4f, 1.5f}, new Shape(1, 3)));
            Guided guided = PosteriorSampling.model(oracle, new Observation(a, y, sigmaY), gamma);
            for (double t : new double[] {0.05, 0.4, 0.9}) {
                double m = sde.meanScale(t);
                double s = sde.std(t);
                NDArray x = manager.randomNormal(new Shape(16, 3));
                float[] c = new float[3];
                float[] mean = new float[3];
                for (int j = 0; j < 3; j++) {
                    c[j] = (float) (m * v[j] / (m * m * v[j] + s * s));
                    mean[j] = (float) mu[j];
                }
                NDArray cs = manager.create(c);
                NDArray x0hat = manager.create(mean).add(x.sub(manager.create(mean).mul(m)).mul(cs));
                assertEquals(0, oracle.denoise(x, t).sub(x0hat).abs().max().getFloat(), 1e-4, "Tweedie, t = " + t);
                NDArray residual = y.sub(a.apply(x0hat));
                NDArray backProjected = residual.matMul(manager.create(toFloat(a.matrix())));  // (y - A x0hat)^T A = A^T (y - A x0hat) per row
                NDArray expected = oracle.score(x, t).add(backProjected.mul(cs).mul(gamma / (sigmaY * sigmaY)));
                double scale = 1 + expected.abs().max().getFloat();
                assertEquals(0, guided.score(x, t).sub(expected).abs().max().getFloat(), 1e-4 * scale, a + ", t = " + t);
            }
        }
    }

    /**
     * Chung et al.'s normalised step: the term -zeta ||y - A x0hat|| has gradient zeta c A^T r / ||r|| per row
     * (r = y - A x0hat), so the guided score is s + zeta c A^T r / ||r|| (float32 autograd: 1e-4 relative).
     */
    @Test
    void theNormalisedStepDividesByTheResidualNorm() {
        double[] mu = {0.5, -1, 2};
        double[] v = {0.3, 1.5, 0.8};
        VpSde sde = new VpSde(0.1, 20);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(mu, v), sde);
        LinearOperator a = new Inpainting(new Shape(3), new double[] {1, 0, 1});
        NDArray y = a.apply(manager.create(new float[] {0.2f, 0.4f, 1.5f}, new Shape(1, 3)));
        double zeta = 1.7;
        Guided guided = PosteriorSampling.normalised(oracle, new Observation(a, y, 0), zeta);
        double t = 0.3;
        double m = sde.meanScale(t);
        double s = sde.std(t);
        NDArray x = manager.randomNormal(new Shape(16, 3));
        float[] c = new float[3];
        for (int j = 0; j < 3; j++) {
            c[j] = (float) (m * v[j] / (m * m * v[j] + s * s));
        }
        NDArray residual = y.sub(a.apply(oracle.denoise(x, t)));
        NDArray norm = residual.square().sum(new int[] {1}, true).sqrt();
        NDArray expected = oracle.score(x, t).add(a.apply(residual).mul(manager.create(c)).div(norm).mul(zeta)); // A^T = A for a mask
        double scale = 1 + expected.abs().max().getFloat();
        assertEquals(0, guided.score(x, t).sub(expected).abs().max().getFloat(), 1e-4 * scale);
    }

    private static float[][] toFloat(double[][] a) {
        float[][] f = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            f[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                f[i][j] = (float) a[i][j];
            }
        }
        return f;
    }
}
