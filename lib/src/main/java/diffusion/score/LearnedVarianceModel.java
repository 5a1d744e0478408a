package diffusion.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import diffusion.Arguments;
import diffusion.nn.EpsMlp;
import diffusion.process.Coefficients;
import diffusion.process.Posterior;
import diffusion.schedule.NoiseSchedule;
import diffusion.schedule.PerturbationKernel;

/**
 * A network with 2d outputs (eps_theta, v) seen as a reverse kernel with learned variance (Nichol and Dhariwal):
 * mu_theta = (x_t - beta_t / sqrt(1 - alphaBar_t) eps_theta) / sqrt(alpha_t) and
 * log sigma_t^2 = v log beta_t + (1 - v) log betaTilde_t, elementwise. betaTilde_1 = 0, so at t = 1 the interpolation
 * uses betaTilde_2 instead (their clipping); the schedule needs T >= 2. Inference only, like NetworkScoreModel.
 */
public final class LearnedVarianceModel implements ScoreModel, ReverseModel {

    private final EpsMlp network;
    private final NoiseSchedule schedule;
    private NDArray lastInput;
    private int lastStep;
    private NDArray lastOutput;

    /** network must have 2d outputs: the first d are eps, the last d the interpolation v. */
    public LearnedVarianceModel(EpsMlp network, NoiseSchedule schedule) {
        if (network.outputs() != 2 * network.dim()) {
            throw new IllegalArgumentException("network has " + network.outputs() + " outputs: a learned-variance model needs 2d = "
                    + 2 * network.dim() + " (eps, then v)");
        }
        requireT(schedule);
        this.network = network;
        this.schedule = schedule;
    }

    /** (d). */
    @Override
    public Shape sampleShape() {
        return new Shape(network.dim());
    }

    @Override
    public int dim() {
        return network.dim();
    }

    /** The first d outputs predict the noise. */
    @Override
    public Parameterisation parameterisation() {
        return Parameterisation.EPSILON;
    }

    @Override
    public PerturbationKernel kernel() {
        return schedule;
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** eps_theta(x_t, t): the first d outputs. */
    @Override
    public NDArray output(NDArray x, double t) {
        return epsilonOf(forward(x, NoiseSchedule.step(t)));
    }

    /**
     * v(x_t, t) in [0, 1]-ish, the interpolation weight of the log variance: the last d outputs. Following output(x, t)
     * at the same x and t it reuses that forward pass (one network evaluation per sampler step).
     */
    public NDArray interpolation(NDArray x, int t) {
        return vOf(forward(x, t));
    }

    /** N(mu_theta(x_t, t), diag exp(v log beta_t + (1 - v) log betaTilde_t)) from one forward pass. */
    @Override
    public Gaussian reverse(NDArray xt, int t) {
        Arguments.nonNull("xt", xt);
        NDArray output = forward(xt, t);
        NDArray steps = xt.getManager().full(new Shape(xt.getShape().get(0)), t, DataType.INT64);
        return reverse(schedule, xt, steps, epsilonOf(output), vOf(output));
    }

    /** The first half of the outputs (n, 2d): eps_theta. */
    public static NDArray epsilonOf(NDArray output) {
        return output.get(":, 0:" + output.getShape().get(1) / 2);
    }

    /** The second half of the outputs (n, 2d): v. */
    public static NDArray vOf(NDArray output) {
        return output.get(":, " + output.getShape().get(1) / 2 + ":");
    }

    /**
     * The reverse kernel at per-row steps t (shape (n,), entries in 1..T) from eps and v (each (n, d)):
     * mu = (x_t - beta_t / sqrt(1 - alphaBar_t) eps) / sqrt(alpha_t), log sigma^2 = v log beta_t + (1 - v) log betaTilde_t.
     */
    public static Gaussian reverse(NoiseSchedule schedule, NDArray xt, NDArray t, NDArray eps, NDArray v) {
        Arguments.allNonNull("schedule, xt, t, eps, v", schedule, xt, t, eps, v);
        Arguments.requireSame("eps", eps, "v", v);
        return new Gaussian(new Posterior(schedule).meanFromEpsilon(xt, eps, t), logVariance(schedule, v, t));
    }

    /** log sigma_t^2 = v log beta_t + (1 - v) log betaTilde_t per row (t of shape (n,)), betaTilde_1 replaced by betaTilde_2. */
    public static NDArray logVariance(NoiseSchedule schedule, NDArray v, NDArray t) {
        requireT(schedule);
        NDArray logBeta = Coefficients.perStep(schedule.T(), s -> Math.log(schedule.beta(s)), t, v);
        NDArray logBetaTilde = Coefficients.perStep(schedule.T(), s -> logBetaTildeClipped(schedule, s), t, v);
        return v.mul(logBeta).add(v.neg().add(1.0).mul(logBetaTilde)); // v log beta + (1 - v) log betaTilde
    }

    /** log betaTilde_t for t in 2..T, and log betaTilde_2 at t = 1 (where betaTilde_1 = 0). */
    public static double logBetaTildeClipped(NoiseSchedule schedule, int t) {
        requireT(schedule);
        return Math.log(schedule.betaTilde(t == 1 ? 2 : t));
    }

    /** The network's 2d outputs at (x, t); the last call's result is reused for the same array x and step t. */
    private NDArray forward(NDArray x, int t) {
        if (x == lastInput && t == lastStep && !lastOutput.isReleased()) {
            return lastOutput;
        }
        Arguments.requireBatch("x", x, dim());
        NDArray time = x.getManager().full(new Shape(x.getShape().get(0)), (float) t).toDevice(x.getDevice(), false);
        lastOutput = network.forward(new ParameterStore(x.getManager(), false), new NDList(x, time), false).head();
        lastInput = x;
        lastStep = t;
        return lastOutput;
    }

    private static void requireT(NoiseSchedule schedule) {
        if (schedule.T() < 2) {
            throw new IllegalArgumentException("T = " + schedule.T() + ": a learned variance needs T >= 2 (betaTilde_1 = 0)");
        }
    }
}
