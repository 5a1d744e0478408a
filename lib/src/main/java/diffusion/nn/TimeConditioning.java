package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import diffusion.Arguments;
import diffusion.schedule.PerturbationKernel;

/**
 * The time input tau(t) through which a time-conditioned network sees the kernel time t: EpsMlp embeds tau with
 * frequencies from 1 down to about 1e-4 per unit of tau. Training (loss/TrainableScore.fromEpsilon) and inference
 * (score/NetworkScoreModel) must feed the same tau. Discrete chains feed their integer step (KERNEL_TIME), as DDPM
 * does; continuous-time models feed the log noise level (logSigma).
 */
@FunctionalInterface
public interface TimeConditioning {

    /** tau = t: the kernel's own time, a discrete chain's integer step t = 1..T as in DDPM. */
    TimeConditioning KERNEL_TIME = t -> t;

    /** tau(t), the network's time input at the kernel time t. */
    double input(double t);

    /** tau(t_i) row by row for times t of shape (n,): shape (n,), in t's data type on t's device. */
    default NDArray input(NDArray t) {
        double[] times = t.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] tau = new double[times.length];
        for (int row = 0; row < times.length; row++) {
            tau[row] = input(times[row]);
        }
        return t.getManager().create(tau).toType(t.getDataType(), false).toDevice(t.getDevice(), false);
    }

    /**
     * tau = log sigma(t), sigma = s(t) / m(t), the log noise level of the kernel (EDM's c_noise = log(sigma) / 4 up to
     * the factor), for continuous-time kernels; needs sigma(t) &gt; 0 at every t it is asked for. Under the VP SDE
     * (beta 0.1 to 20) on [1e-3, 1] tau spans [-4.6, 5], one and a half turns of the top frequency where the former
     * tau = 1000 t made 160, which the learned field followed: on the eight Gaussians (nn/TimeConditioningTest) its total
     * variation in t is 0.6 times the exact eps's (11 times with 1000 t), and Dormand-Prince at 1e-5 spends 92
     * evaluations against the oracle's 80 (902 with 1000 t). A bounded 10 t is as smooth, but resolves least where the
     * field changes fastest, near the data, where log sigma resolves most; and it holds for any kernel (affine in t for VE).
     */
    static TimeConditioning logSigma(PerturbationKernel kernel) {
        Arguments.nonNull("kernel", kernel);
        return t -> Math.log(Arguments.positive("sigma(t = " + t + ")", kernel.sigma(t))); // tau = log(s(t) / m(t))
    }
}
