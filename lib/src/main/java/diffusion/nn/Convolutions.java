package diffusion.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** The UNet's convolutions: 3x3 with padding 1 (same size, or half with stride 2) and 1x1. */
final class Convolutions {

    private Convolutions() {
    }

    /** A 3x3 convolution to `filters` channels, padding 1, stride 1: the spatial size is kept. */
    static Conv2d same(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).setFilters(filters).build();
    }

    /** A 3x3 convolution with stride 2 and padding 1: H -&gt; ceil(H / 2), so an even H halves. */
    static Conv2d halving(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1)).optStride(new Shape(2, 2))
                .setFilters(filters).build();
    }

    /** A 1x1 convolution to `filters` channels (a per-position linear map). */
    static Conv2d pointwise(int filters) {
        return Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(filters).build();
    }
}
