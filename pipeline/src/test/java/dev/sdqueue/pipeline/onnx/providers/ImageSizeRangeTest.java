package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ImageSizeRange;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageSizeRangeTest {

    @Test
    void latentSizesAreAnEighthPerAxis() {
        ImageSizeRange r = new ImageSizeRange(256, 128, 768, 512, 1024, 960);
        assertThat(r.latentWidths()).containsExactly(32, 96, 128);
        assertThat(r.latentHeights()).containsExactly(16, 64, 120);
    }

    @Test
    void rangesMustBeOrderedMultiplesOfEight() {
        assertThatThrownBy(() -> new ImageSizeRange(64, 64, 1024, 512, 512, 512)).hasMessageContaining("width");
        assertThatThrownBy(() -> new ImageSizeRange(64, 60, 512, 512, 1024, 1024)).hasMessageContaining("height");
        assertThatThrownBy(() -> new ImageSizeRange(0, 64, 512, 512, 1024, 1024)).hasMessageContaining("8 <= min");
    }
}
