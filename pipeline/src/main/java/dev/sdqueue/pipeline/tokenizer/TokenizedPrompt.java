package dev.sdqueue.pipeline.tokenizer;

/**
 * A prompt as the text encoder receives it.
 *
 * @param inputIds      exactly {@code maxLength} ids: BOS, content, EOS, padding
 * @param tokenCount    ids before padding, BOS and EOS included (at most {@code maxLength})
 * @param truncated     whether content tokens were dropped to fit {@code maxLength}
 * @param truncatedText the decoded text of the dropped content tokens ("" if none); a character the cut falls
 *                      inside is given whole at its start (see {@link ClipTokenizer#encode})
 */
public record TokenizedPrompt(int[] inputIds, int tokenCount, boolean truncated, String truncatedText) {

    public TokenizedPrompt {
        inputIds = inputIds.clone();
    }

    @Override
    public int[] inputIds() {
        return inputIds.clone();
    }
}
