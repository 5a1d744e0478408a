package diffusion.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import diffusion.Arguments;
import diffusion.data.GaussianMixture;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.GaussianMixtureOracle;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The exact class-conditional oracle: a Gaussian mixture p(x) = sum_k w_k N(mu_k, diag var_k) whose component k
 * carries the class label c(k) in 0..K-1, so that the class y has weight pi_y = sum_{c(k) = y} w_k and its data
 * p(x | y) = sum_{c(k) = y} (w_k / pi_y) N(mu_k, diag var_k) is itself a mixture. Under a kernel every law stays a
 * mixture, so the conditional and unconditional scores and the classifier p_t(y | x) = pi_y p_t(x | y) / p_t(x) are
 * exact at every t (GaussianMixtureOracle.conditional(k) is the per-component special case, one component per class).
 */
public final class LabelledMixture implements ConditionalModel {

    private final GaussianMixture data;
    private final int[] labels;
    private final int classes;
    private final PerturbationKernel kernel;
    private final GaussianMixture[] classData;
    private final double[] classWeights;

    /** data with labels[k] the class of component k; the classes are 0..K-1, each with at least one component. */
    public LabelledMixture(GaussianMixture data, int[] labels, PerturbationKernel kernel) {
        this.data = Arguments.nonNull("data", data);
        Arguments.nonNull("labels", labels);
        this.kernel = Arguments.nonNull("kernel", kernel);
        if (labels.length != data.components()) {
            throw new IllegalArgumentException("labels has length " + labels.length + ": expected one label per component ("
                    + data.components() + ")");
        }
        for (int k = 0; k < labels.length; k++) {
            Arguments.within("labels[" + k + "]", labels[k], 0, labels.length - 1); // each class 0..K-1 needs a component: K <= components
        }
        this.labels = labels.clone();
        this.classes = Arrays.stream(labels).max().getAsInt() + 1; // K = max_k c(k) + 1
        this.classData = new GaussianMixture[classes];
        this.classWeights = new double[classes];
        double[] weights = data.weights();
        double[][] means = data.means();
        double[][] variances = data.variances();
        for (int y = 0; y < classes; y++) {
            int label = y;
            int[] members = IntStream.range(0, labels.length).filter(k -> labels[k] == label).toArray();
            if (members.length == 0) {
                throw new IllegalArgumentException("labels " + Arrays.toString(labels) + " give class " + y
                        + " no component: the classes must be 0..K-1, each with at least one component");
            }
            classData[y] = GaussianMixture.of(Arrays.stream(members).mapToDouble(k -> weights[k]).toArray(),
                    Arrays.stream(members).mapToObj(k -> means[k]).toArray(double[][]::new),
                    Arrays.stream(members).mapToObj(k -> variances[k]).toArray(double[][]::new));
            classWeights[y] = Arrays.stream(members).mapToDouble(k -> weights[k]).sum(); // pi_y = sum_{c(k) = y} w_k
        }
    }

    /** One class per component: labels c(k) = k (p(x | y) is the Gaussian component y). */
    public static LabelledMixture perComponent(GaussianMixture data, PerturbationKernel kernel) {
        Arguments.allNonNull("data, kernel", data, kernel);
        return new LabelledMixture(data, IntStream.range(0, data.components()).toArray(), kernel);
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The unlabelled data p(x). */
    public GaussianMixture data() {
        return data;
    }

    /** The class of each component (a copy). */
    public int[] labels() {
        return labels.clone();
    }

    /** The kernel every model here diffuses by. */
    public PerturbationKernel kernel() {
        return kernel;
    }

    /** pi_y = sum_{c(k) = y} w_k, the prior weight of a label in 0..K-1. */
    public double classWeight(int label) {
        return classWeights[ConditionalModel.requireLabel(label, classes)];
    }

    /** p(x | y), the data of a label in 0..K-1: the mixture of its components with weights w_k / pi_y. */
    public GaussianMixture classData(int label) {
        return classData[ConditionalModel.requireLabel(label, classes)];
    }

    /** The exact oracle of p_t(x | y). */
    @Override
    public GaussianMixtureOracle given(int label) {
        return new GaussianMixtureOracle(classData(label), kernel);
    }

    /** The exact oracle of p_t(x). */
    @Override
    public GaussianMixtureOracle unconditional() {
        return new GaussianMixtureOracle(data, kernel);
    }

    /** The exact classifier p_t(y | x) = pi_y p_t(x | y) / p_t(x) of the diffused mixture. */
    public Classifier classifier() {
        return new Classifier() {
            @Override
            public int classes() {
                return classes;
            }

            @Override
            public Shape sampleShape() {
                return new Shape(data.dim());
            }

            /** log p_t(y | x) = log pi_y + log p_t(x | y) - log p_t(x), exact, for every y: (n, K). */
            @Override
            public NDArray logProbabilities(NDArray x, double t) {
                kernel.requireTime("t", t);
                double m = kernel.meanScale(t);
                double s = kernel.std(t);
                NDList perClass = new NDList();
                for (int y = 0; y < classes; y++) {
                    perClass.add(classData[y].diffuse(m, s).logDensity(x).add(Math.log(classWeights[y])));
                }
                return NDArrays.stack(perClass, 1).sub(data.diffuse(m, s).logDensity(x).expandDims(1));
            }
        };
    }

    @Override
    public String toString() {
        return "LabelledMixture(" + data + ", K=" + classes + ", labels=" + Arrays.toString(labels) + ")";
    }
}
