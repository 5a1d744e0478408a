package diffusion.schedule;

/**
 * The Gaussian perturbation kernel p_{0t}(x_t | x_0) = N(x_t; m(t) x_0, s(t)^2 I) shared by every
 * diffusion the workbench knows: discrete DDPM chains (m = sqrt(alphaBar_t), s = sqrt(1 - alphaBar_t))
 * and, later, continuous SDEs. Samplers and oracles only need these two numbers per time.
 */
public interface PerturbationKernel {

    /** m(t): the mean coefficient, x_t = m(t) x_0 + s(t) eps. */
    double meanScale(double t);

    /** s(t): the standard deviation of the noise, x_t = m(t) x_0 + s(t) eps. */
    double std(double t);
}
