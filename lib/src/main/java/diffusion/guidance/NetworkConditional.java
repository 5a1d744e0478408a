package diffusion.guidance;

import diffusion.Arguments;
import diffusion.nn.TimeConditioning;
import diffusion.nn.TimeNetwork;
import diffusion.schedule.PerturbationKernel;
import diffusion.score.NetworkScoreModel;

/**
 * A class-conditional eps network (inputs (x_t, tau, y), y in 0..K where K means no label: nn/UNet built with
 * Config.withClasses(K), nn/ConditionalEpsMlp) as a ConditionalModel: given(y) feeds the label, unconditional() feeds
 * the null label K, the model trained by label dropout (train/EpsTrainer with a LabelDropout).
 */
public final class NetworkConditional implements ConditionalModel {

    private final NetworkScoreModel model;
    private final int classes;

    /** network over K = classes &gt;= 1 labels, trained on kernel reading tau(t) = conditioning. */
    public NetworkConditional(TimeNetwork network, int classes, PerturbationKernel kernel, TimeConditioning conditioning) {
        this.model = new NetworkScoreModel(Arguments.nonNull("network", network), kernel, conditioning);
        this.classes = Arguments.atLeast("classes", classes, 1);
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The network fed the label y. */
    @Override
    public NetworkScoreModel given(int label) {
        return model.labelled(ConditionalModel.requireLabel(label, classes));
    }

    /** The network fed the null label K. */
    @Override
    public NetworkScoreModel unconditional() {
        return model.labelled(classes);
    }
}
