package diffusion.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import diffusion.Arguments;

/**
 * Controlled defects of real images for the image metrics' negative control: a metric that ranks samplers must see
 * real images with a defect as worse than real images (notebook 10). Images are (n, C, H, W); the result is a new
 * array in the images' manager.
 */
public final class ImageDefects {

    private ImageDefects() {
    }

    /**
     * x + sigma z with z ~ N(0, I) from the manager's generator (seed it with Environment.seed for a fixed draw): pixel
     * noise of standard deviation sigma &gt;= 0.
     */
    public static NDArray noisy(NDArray images, double sigma) {
        requireImages(images);
        Arguments.within("sigma", sigma, 0, 1e3);
        try (NDArray z = images.getManager().randomNormal(images.getShape())) {
            return images.add(z.mul(sigma));
        }
    }

    /**
     * (1 - mix) x + mix box(x) per channel, box(x) the mean of the 3 x 3 neighbourhood that lies inside the image (4
     * pixels at a corner, 6 at an edge, 9 inside), mix in [0, 1].
     */
    public static NDArray blurred(NDArray images, double mix) {
        requireImages(images);
        Arguments.within("mix", mix, 0, 1);
        float[] v = images.toFloatArray(), out = new float[v.length];
        int h = (int) images.getShape().get(2), w = (int) images.getShape().get(3);
        for (int plane = 0; plane < v.length / (h * w); plane++) {
            int o = plane * h * w;
            for (int r = 0; r < h; r++) {
                for (int c = 0; c < w; c++) {
                    double sum = 0;
                    int count = 0;
                    for (int rr = Math.max(0, r - 1); rr <= Math.min(h - 1, r + 1); rr++) {
                        for (int cc = Math.max(0, c - 1); cc <= Math.min(w - 1, c + 1); cc++) {
                            sum += v[o + rr * w + cc];
                            count++;
                        }
                    }
                    out[o + r * w + c] = (float) ((1 - mix) * v[o + r * w + c] + mix * sum / count);
                }
            }
        }
        NDManager manager = images.getManager();
        return manager.create(out, images.getShape());
    }

    private static void requireImages(NDArray images) {
        Arguments.nonNull("images", images);
        if (images.getShape().dimension() != 4) {
            throw new IllegalArgumentException("images must be (n, C, H, W), got shape " + images.getShape());
        }
        Arguments.finite("images", images);
    }
}
