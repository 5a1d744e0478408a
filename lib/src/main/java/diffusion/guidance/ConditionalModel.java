package diffusion.guidance;

import diffusion.score.ScoreModel;

/**
 * A class-conditional model seen through the score-model seam: for every label y in 0..K-1 a ScoreModel of
 * p_t(x | y), and one of the unconditional p_t(x) ("no label"), all over one kernel and one sample shape, so every
 * sampler runs on them unchanged (the label is bound into the model). Implemented exactly by a labelled Gaussian
 * mixture (LabelledMixture) and by a network trained with label dropout (NetworkConditional).
 */
public interface ConditionalModel {

    /** K, the number of classes. */
    int classes();

    /** The model of p_t(x | y) for a label in 0..K-1. */
    ScoreModel given(int label);

    /** The model of p_t(x), no label. */
    ScoreModel unconditional();

    /** Returns label if it lies in 0..classes-1; IllegalArgumentException naming the range otherwise. */
    static int requireLabel(int label, int classes) {
        if (label < 0 || label >= classes) {
            throw new IllegalArgumentException("label = " + label + ": a model of " + classes + " classes takes labels in 0.."
                    + (classes - 1));
        }
        return label;
    }
}
