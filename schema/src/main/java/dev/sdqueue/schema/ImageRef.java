package dev.sdqueue.schema;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** One generated image: where it is stored and a presigned GET link to it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageRef(String url, String bucket, String key, int width, int height, long seed, String contentType) {
}
