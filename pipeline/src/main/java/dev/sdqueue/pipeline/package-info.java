/**
 * Stable Diffusion text-to-image as a plain Java library: CLIP tokenizer ({@code .tokenizer}),
 * diffusers-compatible schedulers ({@code .scheduler}), ONNX Runtime model loading and the three
 * networks ({@code .onnx}), PNG encoding ({@code .png}), and {@link dev.sdqueue.pipeline.StableDiffusionPipeline}
 * tying them together.
 *
 * <p><b>Layering rule.</b> Nothing in this package tree imports Kafka, Quarkus, SmallRye, MicroProfile,
 * Jakarta or MinIO code: the worker's messaging and storage code calls the pipeline, never the other
 * way round, so the pipeline also runs from a CLI, a benchmark or a test without a container. Allowed
 * dependencies: the JDK, the ONNX Runtime Java API, and plain Jackson databind for reading model config
 * files. {@code PipelineLayeringTest} enforces this on the sources.
 *
 * <p>Inside: {@code tokenizer}, {@code scheduler} and {@code png} depend on nothing else here;
 * {@code onnx} uses them and this package's API types; {@link dev.sdqueue.pipeline.StableDiffusionPipeline}
 * uses all of them.
 */
package dev.sdqueue.pipeline;
