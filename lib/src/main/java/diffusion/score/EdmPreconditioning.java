package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.TimeNetwork;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * Karras et al.'s (2022, EDM, Table 1 and section 5) preconditioning of a denoiser network F for data of standard
 * deviation sigmaData: D(y; sigma) = c_skip(sigma) y + c_out(sigma) F(c_in(sigma) y, c_noise(sigma)) for
 * y = x_0 + sigma n, n ~ N(0, I). The coefficients make the network's input c_in y and its effective regression target
 * (x_0 - c_skip y) / c_out of unit variance at every sigma when Var x_0 = sigmaData^2, and the loss weight
 * lambda(sigma) = 1 / c_out^2 gives that target unit weight: lambda ||D - x_0||^2 = ||F - (x_0 - c_skip y) / c_out||^2.
 */
public final class EdmPreconditioning {

    private final double sigmaData;

    /** The preconditioning for data of standard deviation sigmaData &gt; 0 (EDM uses 0.5 for images in [-1, 1]). */
    public EdmPreconditioning(double sigmaData) {
        Arguments.positive("sigmaData", sigmaData);
        Arguments.finiteResult("sigmaData", sigmaData, "sigmaData^2", sigmaData * sigmaData);
        Arguments.finiteResult("sigmaData", sigmaData, "1 / sigmaData^2", 1 / (sigmaData * sigmaData));
        this.sigmaData = sigmaData;
    }

    /** sigma_data. */
    public double sigmaData() {
        return sigmaData;
    }

    /** c_skip = sigma_data^2 / (sigma^2 + sigma_data^2). */
    public double cSkip(double sigma) {
        double sd2 = sigmaData * sigmaData;
        return sd2 / (requireSigma(sigma) * sigma + sd2);
    }

    /** c_out = sigma sigma_data / sqrt(sigma^2 + sigma_data^2). */
    public double cOut(double sigma) {
        return requireSigma(sigma) * sigmaData / Math.hypot(sigma, sigmaData);
    }

    /** c_in = 1 / sqrt(sigma^2 + sigma_data^2). */
    public double cIn(double sigma) {
        return 1 / Math.hypot(requireSigma(sigma), sigmaData);
    }

    /** c_noise = ln(sigma) / 4, the network's noise-level input; needs sigma &gt; 0. */
    public double cNoise(double sigma) {
        return Math.log(Arguments.positive("sigma", sigma)) / 4;
    }

    /** lambda(sigma) = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2 = 1 / c_out^2; needs sigma &gt; 0. */
    public double lossWeight(double sigma) {
        Arguments.positive("sigma", sigma);
        return Arguments.finiteResult("sigma", sigma, "lambda(sigma)", 1 / (sigmaData * sigmaData) + 1 / (sigma * sigma)); // = (sigma^2 + sigma_data^2) / (sigma sigma_data)^2
    }

    /**
     * D(y; sigma) = c_skip y + c_out F(c_in y, c_noise) for a batch y (n, sampleShape...) with one noise level per row,
     * sigma[i] &gt; 0, the network F read through parameters (training = true keeps the graph for a loss): the one place
     * where inference (EdmModel) and training (loss/EdmLoss) apply the preconditioning. F's first sampleShape[0] output
     * channels are its prediction.
     */
    public NDArray denoise(TimeNetwork network, ParameterStore parameters, NDArray y, double[] sigma, boolean training) {
        Arguments.requireSamples("y", y, network.sampleShape());
        if (sigma.length != y.getShape().get(0)) {
            throw new IllegalArgumentException("sigma has " + sigma.length + " entries for " + y.getShape().get(0) + " rows of y: one per row");
        }
        for (int i = 0; i < sigma.length; i++) {
            Arguments.positive("sigma[" + i + "]", sigma[i]);
        }
        NDArray noise = perRow(y, sigma, this::cNoise).reshape(sigma.length);
        NDArray f = network.forward(parameters, new NDList(y.mul(perRow(y, sigma, this::cIn)), noise), training).head();
        long channels = network.sampleShape().get(0);
        NDArray out = (f.getShape().get(1) == channels ? f : f.get(":, 0:" + channels)).toType(y.getDataType(), false);
        return y.mul(perRow(y, sigma, this::cSkip)).add(out.mul(perRow(y, sigma, this::cOut))); // c_skip y + c_out F(c_in y, c_noise)
    }

    /** c(sigma_i) row by row, shaped to broadcast over y's rows (Scalar.rows). */
    private static NDArray perRow(NDArray y, double[] sigma, DoubleUnaryOperator c) {
        return Scalar.rows(y, Arrays.stream(sigma).map(c).toArray());
    }

    private static double requireSigma(double sigma) {
        return Arguments.nonNegative("sigma", sigma);
    }

    @Override
    public String toString() {
        return "EDM preconditioning (sigma_data = " + sigmaData + ")";
    }
}
