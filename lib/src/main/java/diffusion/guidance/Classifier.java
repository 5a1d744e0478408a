package diffusion.guidance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A time-dependent classifier p_t(y | x_t) over K classes of noisy samples x_t: the exact one of a labelled mixture
 * (LabelledMixture.classifier()) or a network trained on noisy data (NoisyClassifier). Its log-probability of one label
 * is the LogLikelihood term of classifier guidance (ClassifierGuidance).
 */
public interface Classifier {

    /** K, the number of classes. */
    int classes();

    /** The shape of one sample x_t: (d) or (C, H, W). */
    Shape sampleShape();

    /** log p_t(y | x_i) for every y, shape (n, K), for x (n, sampleShape...) at time t; differentiable in x. */
    NDArray logProbabilities(NDArray x, double t);

    /** The term log p_t(label | x) per row, shape (n,), for a label in 0..K-1 (checked here). */
    default LogLikelihood logLikelihood(int label) {
        ConditionalModel.requireLabel(label, classes());
        return (x, t) -> logProbabilities(x, t).get(":, " + label);
    }
}
