package diffusion.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import diffusion.data.GaussianMixture;
import diffusion.loss.Decoder;
import diffusion.loss.VariationalBound;
import diffusion.process.ForwardProcess;
import diffusion.process.GaussianKl;
import diffusion.process.Posterior;
import diffusion.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class ParameterisationTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100);
    private static final int[] STEPS = {1, 2, 30, 100};

    /** Converting a prediction into any parameterisation and back is the identity (float64). */
    @Test
    void convertingAPredictionAndBackIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            NDArray xt = m.randomNormal(new Shape(16, 3)).toType(DataType.FLOAT64, false);
            NDArray prediction = m.randomNormal(new Shape(16, 3)).toType(DataType.FLOAT64, false);
            for (int t : STEPS) {
                for (Parameterisation from : Parameterisation.values()) {
                    for (Parameterisation to : Parameterisation.values()) {
                        NDArray back = to.convert(from.convert(prediction, to, xt, SCHEDULE, t), from, xt, SCHEDULE, t);
                        assertArrayEquals(prediction.toDoubleArray(), back.toDoubleArray(), 1e-9, from + " -> " + to + " -> " + from + " at t = " + t);
                    }
                }
            }
        }
    }

    /**
     * The true eps of x_t = m x_0 + s eps converts to the true x_0, to the conditional score -eps/s and to the velocity
     * v = m eps - s x_0; and the oracle's eps* converts to its denoiser and its score (the ScoreModel seam).
     */
    @Test
    void conversionsOfTheTrueNoiseGiveTheTrueDataScoreAndVelocity() {
        GaussianMixtureOracle oracle = new GaussianMixtureOracle(GaussianMixture.gaussian(new double[] {0.5, -1}, new double[] {0.3, 2}), SCHEDULE);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            NDArray x0 = m.randomNormal(new Shape(16, 2)).toType(DataType.FLOAT64, false);
            NDArray eps = m.randomNormal(new Shape(16, 2)).toType(DataType.FLOAT64, false);
            for (int t : STEPS) {
                double a = SCHEDULE.meanScale(t);
                double s = SCHEDULE.std(t);
                NDArray xt = new ForwardProcess(SCHEDULE).sample(x0, t, eps);
                String at = " at t = " + t;
                assertArrayEquals(x0.toDoubleArray(), Parameterisation.X0.fromEpsilon(eps, xt, SCHEDULE, t).toDoubleArray(), 1e-9, "x0" + at);
                assertArrayEquals(eps.div(-s).toDoubleArray(), Parameterisation.SCORE.fromEpsilon(eps, xt, SCHEDULE, t).toDoubleArray(), 1e-9, "score" + at);
                assertArrayEquals(eps.mul(a).sub(x0.mul(s)).toDoubleArray(), Parameterisation.V.fromEpsilon(eps, xt, SCHEDULE, t).toDoubleArray(), 1e-9, "v" + at);
                NDArray x = xt.toType(DataType.FLOAT32, false);
                NDArray epsStar = oracle.epsilon(x, t);
                assertArrayEquals(oracle.denoise(x, t).toFloatArray(), Parameterisation.X0.fromEpsilon(epsStar, x, SCHEDULE, t).toFloatArray(), 1e-4f, "denoise" + at);
                assertArrayEquals(oracle.score(x, t).toFloatArray(), Parameterisation.SCORE.fromEpsilon(epsStar, x, SCHEDULE, t).toFloatArray(), 1e-4f, "score" + at);
            }
        }
    }

    /**
     * Under the weights w_P = w_eps / c_P^2 the four regression losses are one loss, and with Ho et al.'s w_eps it is the
     * KL term L_{t-1} up to its variance constant: checked against the direct Gaussian KL, for sigma^2 = beta and betaTilde.
     */
    @Test
    void weightedLossesOfAllParameterisationsEqualTheDirectKl() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        Posterior posterior = new Posterior(SCHEDULE);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            int d = 2;
            NDArray x0 = m.randomNormal(new Shape(32, d)).toType(DataType.FLOAT64, false);
            NDArray eps = m.randomNormal(new Shape(32, d)).toType(DataType.FLOAT64, false);
            NDArray epsHat = eps.add(m.randomNormal(new Shape(32, d)).toType(DataType.FLOAT64, false).mul(0.3));
            for (int t : new int[] {2, 30, 100}) {
                NDArray xt = new ForwardProcess(SCHEDULE).sample(x0, t, eps);
                for (double sigmaSquared : new double[] {SCHEDULE.beta(t), SCHEDULE.betaTilde(t)}) {
                    double betaTilde = SCHEDULE.betaTilde(t);
                    double constant = 0.5 * d * (Math.log(sigmaSquared / betaTilde) + betaTilde / sigmaSquared - 1);
                    double[] direct = GaussianKl.kl(posterior.mean(xt, x0, t), betaTilde, posterior.meanFromEpsilon(xt, epsHat, t), sigmaSquared)
                            .toDoubleArray();
                    double epsWeight = bound.epsWeight(t, sigmaSquared);
                    for (Parameterisation p : Parameterisation.values()) {
                        NDArray error = p.fromEpsilon(epsHat, xt, SCHEDULE, t).sub(p.fromEpsilon(eps, xt, SCHEDULE, t));
                        double[] weighted = error.square().sum(new int[] {1}).mul(p.lossWeight(epsWeight, SCHEDULE, t)).add(constant).toDoubleArray();
                        assertArrayEquals(direct, weighted, 1e-9 * (1 + max(direct)), p + " at t = " + t + ", sigma^2 = " + sigmaSquared);
                    }
                }
            }
        }
    }

    /** VDM's SNR form: with sigma_t^2 = betaTilde_t the x_0 weight is 1/2 (SNR(t-1) - SNR(t)) for every t in 2..T. */
    @Test
    void theX0WeightOfTheBoundIsHalfTheSnrDrop() {
        VariationalBound bound = new VariationalBound(SCHEDULE, Decoder.GAUSSIAN);
        for (int t = 2; t <= SCHEDULE.T(); t++) {
            double x0Weight = Parameterisation.X0.lossWeight(bound.epsWeight(t, SCHEDULE.betaTilde(t)), SCHEDULE, t);
            assertEquals(bound.snrWeight(t), x0Weight, 1e-9 * bound.snrWeight(t), "t = " + t);
        }
    }

    @Test
    void badInputIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 2));
            assertThrows(IllegalArgumentException.class, () -> Parameterisation.X0.fromEpsilon(x, x, SCHEDULE, 0), "s(0) = 0");
            assertThrows(IllegalArgumentException.class, () -> Parameterisation.V.toEpsilon(x, m.zeros(new Shape(2, 3)), SCHEDULE, 5));
            assertThrows(IllegalArgumentException.class, () -> Parameterisation.SCORE.lossWeight(-1, SCHEDULE, 5));
        }
    }

    private static double max(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }
}
