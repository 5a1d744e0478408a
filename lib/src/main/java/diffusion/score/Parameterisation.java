package diffusion.score;

import ai.djl.ndarray.NDArray;
import diffusion.Arguments;
import diffusion.Scalar;
import diffusion.schedule.PerturbationKernel;

/**
 * What a network predicts at x_t = m x_0 + s eps (m = m(t), s = s(t) of the kernel): the noise eps, the data x_0, the
 * score grad log p_t = -eps / s, or the velocity v = m eps - s x_0 (Salimans and Ho). Given x_t, each is an affine
 * function of eps, so a prediction converts exactly into any other, and an error in one is a fixed multiple of the
 * error in eps: P_hat - P = c_P (eps_hat - eps). Hence w_P ||P_hat - P||^2 = w_eps ||eps_hat - eps||^2 exactly when
 * w_P = w_eps / c_P^2: the weights under which the four regression losses are the same loss.
 */
public enum Parameterisation {
    /** eps. */
    EPSILON {
        @Override
        double[] coefficients(double m, double s) {
            return new double[] {0, 1}; // eps = 0 x_0 + 1 eps
        }

        @Override
        NDArray fromEpsilon(NDArray eps, NDArray xt, double m, double s) {
            return eps;
        }

        @Override
        NDArray toEpsilon(NDArray prediction, NDArray xt, double m, double s) {
            return prediction;
        }

        @Override
        double errorScale(double m, double s) {
            return 1.0;
        }
    },
    /** x_0 = (x_t - s eps) / m. */
    X0 {
        @Override
        double[] coefficients(double m, double s) {
            return new double[] {1, 0}; // x_0 = 1 x_0 + 0 eps
        }

        @Override
        NDArray fromEpsilon(NDArray eps, NDArray xt, double m, double s) {
            return Scalar.over(xt.sub(Scalar.times(eps, s)), m); // x_0 = (x_t - s eps) / m
        }

        @Override
        NDArray toEpsilon(NDArray prediction, NDArray xt, double m, double s) {
            return Scalar.over(xt.sub(Scalar.times(prediction, m)), s); // eps = (x_t - m x_0) / s
        }

        @Override
        double errorScale(double m, double s) {
            return -s / m;
        }
    },
    /** score = -eps / s. */
    SCORE {
        @Override
        double[] coefficients(double m, double s) {
            return new double[] {0, -1 / s}; // -eps / s = 0 x_0 - (1/s) eps
        }

        @Override
        NDArray fromEpsilon(NDArray eps, NDArray xt, double m, double s) {
            return Scalar.over(eps, -s); // grad log p_t = -eps / s
        }

        @Override
        NDArray toEpsilon(NDArray prediction, NDArray xt, double m, double s) {
            return Scalar.times(prediction, -s); // eps = -s score
        }

        @Override
        double errorScale(double m, double s) {
            return -1.0 / s;
        }
    },
    /** v = m eps - s x_0 = ((m^2 + s^2) eps - s x_t) / m. */
    V {
        @Override
        double[] coefficients(double m, double s) {
            return new double[] {-s, m}; // v = m eps - s x_0
        }

        @Override
        NDArray fromEpsilon(NDArray eps, NDArray xt, double m, double s) {
            return Scalar.over(Scalar.times(eps, m * m + s * s).sub(xt.mul(s)), m); // v = ((m^2 + s^2) eps - s x_t) / m
        }

        @Override
        NDArray toEpsilon(NDArray prediction, NDArray xt, double m, double s) {
            return Scalar.over(Scalar.times(prediction, m).add(xt.mul(s)), m * m + s * s); // eps = (m v + s x_t) / (m^2 + s^2)
        }

        @Override
        double errorScale(double m, double s) {
            return (m * m + s * s) / m;
        }
    };

    abstract NDArray fromEpsilon(NDArray eps, NDArray xt, double m, double s);

    abstract NDArray toEpsilon(NDArray prediction, NDArray xt, double m, double s);

    abstract double errorScale(double m, double s);

    abstract double[] coefficients(double m, double s);

    /** This parameterisation's prediction at (x_t, t) equivalent to the noise prediction eps (both (n, d)). */
    public NDArray fromEpsilon(NDArray eps, NDArray xt, PerturbationKernel kernel, double t) {
        Arguments.requireSame("eps", eps, "xt", xt);
        return fromEpsilon(eps, xt, kernel.meanScale(t), checkedStd(kernel, t));
    }

    /** The noise prediction eps equivalent to this parameterisation's prediction at (x_t, t) (both (n, d)). */
    public NDArray toEpsilon(NDArray prediction, NDArray xt, PerturbationKernel kernel, double t) {
        Arguments.requireSame("prediction", prediction, "xt", xt);
        return toEpsilon(prediction, xt, kernel.meanScale(t), checkedStd(kernel, t));
    }

    /** The prediction in parameterisation target equivalent to this one's prediction at (x_t, t). */
    public NDArray convert(NDArray prediction, Parameterisation target, NDArray xt, PerturbationKernel kernel, double t) {
        if (target == this) {
            Arguments.requireSame("prediction", prediction, "xt", xt);
            return prediction;
        }
        return target.fromEpsilon(toEpsilon(prediction, xt, kernel, t), xt, kernel, t);
    }

    /** c_P(t) with P_hat - P = c_P (eps_hat - eps) at fixed x_t: 1 (eps), -s/m (x_0), -1/s (score), (m^2 + s^2)/m (v). */
    public double errorScale(PerturbationKernel kernel, double t) {
        return errorScale(kernel.meanScale(t), checkedStd(kernel, t));
    }

    /**
     * (a, b) with this parameterisation's true value at x_t = m x_0 + s eps equal to a x_0 + b eps (the regression target
     * of a training objective, from the data and the noise): (0, 1) for eps, (1, 0) for x_0, (0, -1/s) for the score,
     * (-s, m) for v.
     */
    public double[] targetCoefficients(PerturbationKernel kernel, double t) {
        return coefficients(kernel.meanScale(t), checkedStd(kernel, t));
    }

    /** w_P = w_eps / c_P(t)^2: the weight with w_P ||P_hat - P||^2 = w_eps ||eps_hat - eps||^2. */
    public double lossWeight(double epsWeight, PerturbationKernel kernel, double t) {
        if (!(epsWeight >= 0) || Double.isInfinite(epsWeight)) {
            throw new IllegalArgumentException("epsWeight = " + epsWeight + ": must be finite and >= 0");
        }
        double c = errorScale(kernel, t);
        return epsWeight / (c * c);
    }

    private static double checkedStd(PerturbationKernel kernel, double t) {
        double m = kernel.meanScale(t);
        double s = kernel.std(t);
        if (!(m > 0 && s > 0)) {
            throw new IllegalArgumentException("t = " + t + " gives m(t) = " + m + ", s(t) = " + s
                    + ": converting between parameterisations needs m(t) > 0 and s(t) > 0");
        }
        return s;
    }
}
