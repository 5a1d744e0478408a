package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.ManagedTest;
import diffusion.Noise;
import diffusion.data.GaussianMixture;
import diffusion.nn.EpsMlp;
import diffusion.report.Environment;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;
import diffusion.sde.VeSde;
import diffusion.sde.VpSde;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EDM preconditioning (Karras et al. 2022, Table 1): unit-variance network inputs and targets on data of variance
 * sigma_data^2, in closed form and by sampling; the loss weight as 1 / c_out^2; any ScoreModel seen as a denoiser
 * through its kernel equals the exact posterior mean on Gaussian data; EdmModel is the preconditioned network on every
 * kernel; bad inputs are refused.
 */
class EdmPreconditioningTest extends ManagedTest {

    private static final double[] SIGMAS = {0.002, 0.1, 0.5, 1.45, 10, 80};

    /**
     * For y = x_0 + sigma n with Var x_0 = sigma_data^2: Var(c_in y) = c_in^2 (sigma_data^2 + sigma^2) = 1, and the
     * target (x_0 - c_skip y) / c_out has variance ((1 - c_skip)^2 sigma_data^2 + c_skip^2 sigma^2) / c_out^2 = 1;
     * lambda(sigma) c_out^2 = 1; and c_skip minimises the target's variance (it is larger at c_skip +- 1e-3). Exact up to
     * double rounding of a few operations (1e-12 relative).
     */
    @Test
    void inputsAndTargetsHaveUnitVarianceInClosedForm() {
        for (double sigmaData : new double[] {0.5, 1.45}) {
            EdmPreconditioning c = new EdmPreconditioning(sigmaData);
            double sd2 = sigmaData * sigmaData;
            for (double sigma : SIGMAS) {
                double s2 = sigma * sigma;
                String at = "sigma_data = " + sigmaData + ", sigma = " + sigma;
                assertEquals(1, c.cIn(sigma) * c.cIn(sigma) * (sd2 + s2), 1e-12, at + ": Var(c_in y)");
                assertEquals(1, targetVariance(c.cSkip(sigma), sd2, s2) / (c.cOut(sigma) * c.cOut(sigma)), 1e-12, at + ": Var(target)");
                assertEquals(1, c.lossWeight(sigma) * c.cOut(sigma) * c.cOut(sigma), 1e-12, at + ": lambda c_out^2");
                assertEquals(Math.log(sigma) / 4, c.cNoise(sigma), 1e-15, at + ": c_noise");
                for (double shift : new double[] {-1e-3, 1e-3}) {
                    assertTrue(targetVariance(c.cSkip(sigma) + shift, sd2, s2) > targetVariance(c.cSkip(sigma), sd2, s2), at + ": c_skip minimises");
                }
            }
        }
    }

    /** Var(x_0 - c y) = (1 - c)^2 sigma_data^2 + c^2 sigma^2 for y = x_0 + sigma n. */
    private static double targetVariance(double c, double sd2, double s2) {
        return (1 - c) * (1 - c) * sd2 + c * c * s2;
    }

    /**
     * By sampling, on non-Gaussian data: the eight Gaussians (radius 2, std 0.3) have per-coordinate variance
     * sigma_data^2 = 2.09 and mean 0; with 100 000 draws (seeded) of x_0 and n, c_in y and (x_0 - c_skip y) / c_out have
     * per-coordinate sample variance within 4 standard errors of 1 (SE = sqrt((m4 - v^2) / n) from the sample's fourth
     * central moment; 24 comparisons, so a false alarm has probability ~ 1e-3).
     */
    @Test
    void inputsAndTargetsHaveUnitVarianceBySampling() {
        GaussianMixture data = GaussianMixture.eightGaussians(2, 0.3);
        EdmPreconditioning c = new EdmPreconditioning(Math.sqrt(data.variance()[0]));
        int n = 100_000;
        try (NDManager m = manager.newSubManager()) {
            NDArray x0 = data.sample(m, n, 11).toType(DataType.FLOAT64, false);
            NDArray noise = Noise.seeded(12).normal(m, new Shape(n, 2)).toType(DataType.FLOAT64, false);
            for (double sigma : SIGMAS) {
                NDArray y = x0.add(noise.mul(sigma));
                NDArray input = y.mul(c.cIn(sigma));
                NDArray target = x0.sub(y.mul(c.cSkip(sigma))).div(c.cOut(sigma));
                for (NDArray a : List.of(input, target)) {
                    NDArray centred = a.sub(a.mean(new int[] {0}));
                    double[] v = centred.square().mean(new int[] {0}).toDoubleArray();
                    double[] m4 = centred.pow(4).mean(new int[] {0}).toDoubleArray();
                    for (int j = 0; j < 2; j++) {
                        double se = Math.sqrt((m4[j] - v[j] * v[j]) / n);
                        assertEquals(1, v[j], 4 * se, (a == input ? "input" : "target") + " at sigma = " + sigma + ", coordinate " + j);
                    }
                }
            }
        }
    }

    /**
     * Denoiser.of(oracle) on Gaussian data N(mu, v) per coordinate is E[x_0 | y] = mu + v (y - mu) / (v + sigma^2), on
     * VP, VE and the discrete linear schedule (at sigma of its integer times), in float64: within 1e-9 (the time is found
     * by bisection to double precision; the rest is a few roundings of O(1) values).
     */
    @Test
    void anyModelIsADenoiserThroughItsKernel() {
        double[] mu = {1.5, -0.5};
        double[] v = {0.25, 2.0};
        GaussianMixture gaussian = GaussianMixture.gaussian(mu, v);
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        List<PerturbationKernel> kernels = List.of(new VpSde(0.1, 20), new VeSde(0.01, 50), linear);
        try (NDManager m = manager.newSubManager()) {
            NDArray y = Noise.seeded(3).normal(m, new Shape(50, 2)).toType(DataType.FLOAT64, false).mul(3);
            double[] ys = y.toDoubleArray();
            for (PerturbationKernel kernel : kernels) {
                Denoiser denoiser = Denoiser.of(new GaussianMixtureOracle(gaussian, kernel));
                double[] sigmas = kernel.discrete() ? new double[] {linear.sigma(1), linear.sigma(300), linear.sigma(1000)} : new double[] {0.02, 1, 40};
                for (double sigma : sigmas) {
                    double[] d = denoiser.x0(y, sigma).toDoubleArray();
                    for (int i = 0; i < ys.length; i++) {
                        int j = i % 2;
                        double expected = mu[j] + v[j] * (ys[i] - mu[j]) / (v[j] + sigma * sigma); // E[x_0 | y]
                        assertEquals(expected, d[i], 1e-9 * (1 + Math.abs(expected)), kernel + ", sigma = " + sigma);
                    }
                }
            }
        }
    }

    /**
     * EdmModel is c_skip y + c_out F(c_in y, c_noise) with y = x_t / m(t), sigma = sigma(t), for a network F (an
     * untrained EpsMlp, seeded): its output on VP equals that expression computed here from F's forward pass, and its
     * denoiser x0(y, sigma) does not depend on the kernel (VP and VE at the same sigma agree). float32: within 1e-5
     * relative (a few roundings of 2^-24 on values of size ~ 10).
     */
    @Test
    void edmModelIsThePreconditionedNetworkOnEveryKernel() {
        Environment.seed(5);
        EpsMlp network = new EpsMlp(2, 32, 2, 16);
        network.initialize(manager);
        EdmPreconditioning c = new EdmPreconditioning(1.45);
        VpSde vp = new VpSde(0.1, 20);
        EdmModel onVp = new EdmModel(network, c, vp);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = Noise.seeded(4).normal(m, new Shape(40, 2)).mul(2);
            for (double t : new double[] {0.01, 0.3, 0.9}) {
                double sigma = vp.sigma(t);
                NDArray y = x.div(vp.meanScale(t));
                NDArray f = network.forward(new ParameterStore(m, false),
                        new NDList(y.mul(c.cIn(sigma)), m.full(new Shape(40), (float) c.cNoise(sigma))), false).head();
                NDArray expected = y.mul(c.cSkip(sigma)).add(f.mul(c.cOut(sigma)));
                double scale = 1 + expected.abs().max().getFloat();
                assertEquals(0, onVp.output(x, t).sub(expected).abs().max().getFloat(), 1e-5 * scale, "VP, t = " + t);
                double onVe = onVp.on(new VeSde(0.01, 200)).x0(y, sigma).sub(onVp.x0(y, sigma)).abs().max().getFloat();
                assertEquals(0, onVe, 1e-5 * scale, "the denoiser is kernel-free, sigma = " + sigma);
            }
            assertEquals(Parameterisation.X0, onVp.parameterisation());
        }
    }

    /** Bad inputs are refused with messages naming the parameter and the value. */
    @Test
    void badInputsAreRefused() {
        refuses("sigmaData = 0.0", () -> new EdmPreconditioning(0));
        refuses("sigmaData = -1.0", () -> new EdmPreconditioning(-1));
        refuses("sigmaData = NaN", () -> new EdmPreconditioning(Double.NaN));
        EdmPreconditioning c = new EdmPreconditioning(0.5);
        refuses("sigma = 0.0", () -> c.lossWeight(0));
        refuses("sigma = 0.0", () -> c.cNoise(0));
        refuses("sigma = -1.0", () -> c.cSkip(-1));
        NoiseSchedule linear = NoiseSchedule.linear(1000);
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0}, new double[] {1}), linear);
        try (NDManager m = manager.newSubManager()) {
            NDArray y = m.zeros(new Shape(3, 1));
            refuses("is not sigma(t) of an integer time", () -> Denoiser.of(oracle).x0(y, 0.5 * (linear.sigma(10) + linear.sigma(11))));
            refuses("exceeds sigma(tMax)", () -> Denoiser.of(oracle).x0(y, 2 * linear.sigma(1000)));
        }
    }

    private static void refuses(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' should say " + fragment);
    }
}
