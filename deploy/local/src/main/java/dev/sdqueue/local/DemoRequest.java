package dev.sdqueue.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body {@code ./sdq demo} posts to {@code /v1/generations}: the prompt plus only the options given (the dispatcher
 * applies its defaults to the rest).
 */
record DemoRequest(String prompt, String negativePrompt, Integer steps, Long seed, Integer width, Integer height,
        String scheduler, Double guidanceScale, Integer numImages) {
    private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");

    /**
     * From the command line: exactly one prompt; {@code size} as {@code WxH}. Throws {@link IllegalArgumentException}
     * with the message to show.
     */
    static DemoRequest of(List<String> prompts, String negative, Integer steps, Long seed, String size,
            String scheduler, Double guidance, Integer images) {
        if (prompts == null || prompts.isEmpty() || prompts.get(0).isBlank()) {
            throw new IllegalArgumentException("usage: ./sdq demo \"PROMPT\" [--steps N --seed S --size WxH"
                    + " --scheduler NAME]");
        }
        if (prompts.size() > 1) {
            throw new IllegalArgumentException("one prompt only (quote it): ./sdq demo \"a red cube\"");
        }
        Integer width = null;
        Integer height = null;
        if (size != null) {
            Matcher m = SIZE.matcher(size);
            if (!m.matches()) {
                throw new IllegalArgumentException("--size must look like 512x512, got '" + size + "'");
            }
            try {
                width = Integer.parseInt(m.group(1));
                height = Integer.parseInt(m.group(2));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--size must look like 512x512, got '" + size + "'", e);
            }
        }
        return new DemoRequest(prompts.get(0), negative, steps, seed, width, height, scheduler, guidance, images);
    }

    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode body = mapper.createObjectNode().put("prompt", prompt);
        if (negativePrompt != null && !negativePrompt.isEmpty()) {
            body.put("negativePrompt", negativePrompt);
        }
        if (steps != null) {
            body.put("steps", steps);
        }
        if (seed != null) {
            body.put("seed", seed);
        }
        if (width != null) {
            body.put("width", width).put("height", height);
        }
        if (scheduler != null && !scheduler.isEmpty()) {
            body.put("scheduler", scheduler);
        }
        if (guidanceScale != null) {
            body.put("guidanceScale", guidanceScale);
        }
        if (numImages != null) {
            body.put("numImages", numImages);
        }
        return body;
    }
}
