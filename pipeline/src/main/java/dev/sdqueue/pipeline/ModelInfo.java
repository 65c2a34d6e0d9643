package dev.sdqueue.pipeline;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a loaded model folder offers.
 *
 * @param name                folder name, e.g. "tiny-random"
 * @param directory           the folder
 * @param defaultScheduler    request name of its scheduler_config.json class (e.g. "pndm"), or null if unsupported
 * @param defaultWidth        unet config sample_size * 8, else 512
 * @param defaultHeight       same as width (SD configs are square)
 * @param latentScale         VAE scaling factor (vae_decoder config scaling_factor, else 0.18215)
 * @param maxPromptTokens     tokenizer context length including BOS/EOS (77)
 * @param providers           execution providers the sessions were created with
 * @param inputs              per component ("text_encoder", "unet", "vae_decoder"): input tensors
 * @param outputs             per component: output tensors
 */
public record ModelInfo(String name, Path directory, String defaultScheduler, int defaultWidth, int defaultHeight,
                        double latentScale, int maxPromptTokens, List<String> providers,
                        Map<String, List<TensorSpec>> inputs, Map<String, List<TensorSpec>> outputs) {

    public ModelInfo {
        providers = List.copyOf(providers);
        inputs = Map.copyOf(inputs);
        outputs = Map.copyOf(outputs);
    }
}
