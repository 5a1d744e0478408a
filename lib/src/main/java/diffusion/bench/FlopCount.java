package diffusion.bench;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;

/**
 * The multiply-add work of one network evaluation per sample, counted from the architecture of an initialised DJL
 * block tree (the shapes it was initialised with, batch 1): a Linear layer in -&gt; out costs 2 in out flops; a
 * convolution with weight (out, in, kh, kw) producing H' x W' positions costs 2 out in kh kw H' W'; a self-attention
 * block over C channels and P = H W positions costs its two batched products, q^T k and v w^T, 2 P^2 C each.
 * Elementwise work (activations, normalisation, additions) is not counted: the count is the matmul / convolution work
 * that bounds the time from below at the machine's matrix-multiply rate.
 */
final class FlopCount {

    private FlopCount() {
    }

    /** Flops of one forward evaluation for one sample, summed over the block tree of an initialised block. */
    static double forwardPerSample(Block block) {
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("block " + block.getClass().getSimpleName() + " is not initialised: its shapes are unknown");
        }
        double flops = 0;
        if (block instanceof Linear || block instanceof Conv2d) {
            Shape weight = block.getParameters().get("weight").getArray().getShape();
            double positions = 1;
            if (block instanceof Conv2d) {
                Shape out = block.getOutputShapes(block.getInputShapes())[0];
                positions = out.get(2) * out.get(3);
            }
            return 2 * weight.size() * positions; // 2 out in (kh kw H' W') per sample
        }
        if (block.getClass().getSimpleName().equals("SelfAttention")) {
            Shape x = block.getInputShapes()[0];
            double positions = x.get(2) * x.get(3);
            flops += 2 * 2 * positions * positions * x.get(1); // q^T k and v w^T: 2 P^2 C each
        }
        for (Pair<String, Block> child : block.getChildren()) {
            flops += forwardPerSample(child.getValue());
        }
        return flops;
    }

    /**
     * Flops of one training step per sample: the forward pass and a backward pass of twice its work (the gradient
     * with respect to each layer's input and to its weights, one product each), 3 x forward.
     */
    static double trainingPerSample(Block block) {
        return 3 * forwardPerSample(block);
    }
}
