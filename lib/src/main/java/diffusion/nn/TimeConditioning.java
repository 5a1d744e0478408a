package diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The time input tau(t) through which a time-conditioned network sees the kernel time t: EpsMlp embeds tau with
 * frequencies from 1 down to 1e-4 per unit of tau. Training (loss/TrainableScore.fromEpsilon) and inference
 * (score/NetworkScoreModel) must feed the same tau. Discrete chains feed their integer step (KERNEL_TIME), as DDPM
 * does.
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
}
