package diffusion.guidance;

import diffusion.Arguments;
import diffusion.score.ScoreModel;

/**
 * Classifier guidance (Dhariwal and Nichol 2021; lecture 002 section 7): the unconditional score plus gamma times the
 * gradient of a time-dependent classifier's log-probability of the label, s(x, t) + gamma grad_x log p_t(y | x), the
 * score of p_t(x) p_t(y | x)^gamma up to normalisation (gamma = 1 is the conditional score by Bayes' rule). With the
 * exact classifier, gamma = 1 + w is classifier-free guidance of weight w with exact scores:
 * (1 + w) s(x | y) - w s(x) = s(x) + (1 + w) (s(x | y) - s(x)) = s(x) + (1 + w) grad log p_t(y | x).
 */
public final class ClassifierGuidance {

    private ClassifierGuidance() {
    }

    /**
     * The guided model (a Guided over model.unconditional()), after refusing a label outside 0..K-1, a non-finite
     * gamma, a classifier of another number of classes or of another sample shape than the model's.
     */
    public static Guided of(ConditionalModel model, Classifier classifier, int label, double gamma) {
        Arguments.nonNull("model", model);
        Arguments.nonNull("classifier", classifier);
        Arguments.within("gamma", gamma, -Arguments.MAX_GUIDANCE, Arguments.MAX_GUIDANCE);
        if (classifier.classes() != model.classes()) {
            throw new IllegalArgumentException("the classifier has " + classifier.classes() + " classes and the model "
                    + model.classes() + ": they must be equal");
        }
        ScoreModel base = model.unconditional();
        if (!classifier.sampleShape().equals(base.sampleShape())) {
            throw new IllegalArgumentException("the classifier reads samples of shape " + classifier.sampleShape()
                    + " and the model makes " + base.sampleShape() + ": they must be equal");
        }
        return new Guided(base, classifier.logLikelihood(ConditionalModel.requireLabel(label, model.classes())), gamma);
    }
}
