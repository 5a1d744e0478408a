package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.nn.TimeNetwork;
import diffusion.schedule.PerturbationKernel;
import java.util.Arrays;

/**
 * A network F under EDM preconditioning seen as a ScoreModel over any kernel (inference only): with y = x_t / m(t) and
 * sigma = sigma(t), output(x_t, t) = D(y; sigma) = c_skip y + c_out F(c_in y, c_noise), the prediction of x_0
 * (Parameterisation.X0); as a Denoiser it is D itself. F reads the time through c_noise = ln(sigma) / 4 alone, so the same trained F serves every
 * kernel (it is trained on y = x_0 + sigma n, loss/EdmLoss); the kernel only says how x_t and t map to y and sigma.
 */
public final class EdmModel implements ScoreModel, Denoiser {

    private final TimeNetwork network;
    private final EdmPreconditioning preconditioning;
    private final PerturbationKernel kernel;

    /** F under preconditioning, seen through kernel. */
    public EdmModel(TimeNetwork network, EdmPreconditioning preconditioning, PerturbationKernel kernel) {
        this.network = Arguments.nonNull("network", network);
        this.preconditioning = Arguments.nonNull("preconditioning", preconditioning);
        this.kernel = Arguments.nonNull("kernel", kernel);
    }

    /** The same network seen through another kernel. */
    public EdmModel on(PerturbationKernel other) {
        return new EdmModel(network, preconditioning, other);
    }

    /** The preconditioning. */
    public EdmPreconditioning preconditioning() {
        return preconditioning;
    }

    @Override
    public Shape sampleShape() {
        return network.sampleShape();
    }

    @Override
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** D predicts x_0. */
    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.X0;
    }

    /** D(x_t / m(t); sigma(t)); needs m(t) &gt; 0 and s(t) &gt; 0. */
    @Override
    public NDArray output(NDArray x, double t) {
        Arguments.requireSamples("x", x, sampleShape());
        double m = kernel.meanScale(t);
        double sigma = kernel.sigma(t);
        if (!(m > 0 && sigma > 0)) {
            throw new IllegalArgumentException("t = " + t + " gives m(t) = " + m + ", sigma(t) = " + sigma + ": the denoiser needs both > 0");
        }
        return x0(Scalar.over(x, m), sigma);
    }

    /** D(y; sigma) = c_skip y + c_out F(c_in y, c_noise) for y = x_0 + sigma n (n, sampleShape...), sigma &gt; 0, kernel-free. */
    @Override
    public NDArray x0(NDArray y, double sigma) {
        double[] sigmas = new double[Math.toIntExact(y.getShape().get(0))];
        Arrays.fill(sigmas, sigma);
        return preconditioning.denoise(network, new ParameterStore(y.getManager(), false), y, sigmas, false);
    }
}
