package dev.sdqueue.loadtests.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.schema.EventJson;

/**
 * The body every submission of a run sends ({@code POST /v1/generations}); absent fields take the deployment's
 * defaults. No seed: the worker derives one from the job id, so equal bodies are still different jobs.
 */
public record RequestShape(String prompt, int width, int height, int steps, String scheduler, Double guidanceScale) {
    public RequestShape {
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("prompt must not be blank");
        }
    }

    /** 512x512, 20 steps, the model's scheduler: the dispatcher's defaults, spelled out. */
    public static RequestShape standard() {
        return new RequestShape("a lighthouse at dusk, oil painting", 512, 512, 20, null, null);
    }

    /** 64x64, 4 steps: small enough that the pipeline takes a few ms on tiny-random. */
    public static RequestShape small() {
        return new RequestShape("a lighthouse at dusk, oil painting", 64, 64, 4, null, null);
    }

    public byte[] body() {
        ObjectNode body = EventJson.mapper().createObjectNode().put("prompt", prompt).put("width", width)
                .put("height", height).put("steps", steps);
        if (scheduler != null) {
            body.put("scheduler", scheduler);
        }
        if (guidanceScale != null) {
            body.put("guidanceScale", guidanceScale);
        }
        return EventJson.toBytes(body);
    }

    @Override
    public String toString() {
        return width + "x" + height + ", " + steps + " steps" + (scheduler == null ? "" : ", " + scheduler)
                + (guidanceScale == null ? "" : ", guidance " + guidanceScale) + ", prompt \"" + prompt + "\"";
    }
}
