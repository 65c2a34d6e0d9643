package dev.sdqueue.pipeline.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.sdqueue.pipeline.LoadListener;
import dev.sdqueue.pipeline.ModelLoadException;
import dev.sdqueue.pipeline.PipelineOptions;
import dev.sdqueue.pipeline.ExecutionProvider;
import dev.sdqueue.pipeline.onnx.providers.OnnxSignature;
import dev.sdqueue.pipeline.onnx.providers.ProviderBinder;
import dev.sdqueue.pipeline.ProviderFailure;
import dev.sdqueue.pipeline.ProviderSelection;
import dev.sdqueue.pipeline.onnx.providers.ProviderUnavailableException;
import dev.sdqueue.pipeline.ShapeProfile;
import dev.sdqueue.pipeline.onnx.providers.TensorRtProfiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Session options from {@link PipelineOptions}, and the provider selection: the configured providers are
 * tried in order and the first whose sessions can all be created wins. ONNX Runtime's
 * {@code getAvailableProviders()} lists what the jar was compiled with, not what this host can run (the GPU
 * jar lists CUDA and TensorRT without a GPU), so the only reliable test is to try. A provider fails when
 * its options cannot be built or added (CPU jar: ORT_EP_FAIL; GPU jar without CUDA/cuDNN/TensorRT
 * libraries: ORT_FAIL) or when a session cannot be created with it (e.g. a TensorRT engine build fails);
 * it is then dropped and everything is loaded again with the rest, so all networks use one provider chain.
 * With {@code strictProviders} the first failure ends the load instead.
 */
final class OrtSessions {

    private OrtSessions() {
    }

    /** The value the load produced and the providers it ended up with. */
    public record Selected<T>(T value, ProviderSelection selection) {
    }

    /** One try with a provider chain: session options per network. */
    public static final class Attempt {
        private final PipelineOptions options;
        private final List<ExecutionProvider> chain;
        private final ProviderBinder binder;
        private final Function<String, ShapeProfile> profiles;

        Attempt(PipelineOptions options, List<ExecutionProvider> chain, ProviderBinder binder,
                Function<String, ShapeProfile> profiles) {
            this.options = options;
            this.chain = List.copyOf(chain);
            this.binder = binder;
            this.profiles = profiles;
        }

        public ExecutionProvider active() {
            return chain.get(0);
        }

        /** The chain's configuration names, active first. */
        public List<String> chainNames() {
            return chain.stream().map(ExecutionProvider::configName).toList();
        }

        /**
         * New options for one network; the caller closes them after creating the session.
         *
         * @throws ProviderUnavailableException if a provider of the chain cannot be added
         */
        public OrtSession.SessionOptions sessionOptions(String component) {
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            try {
                so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                if (options.intraOpThreads() > 0) {
                    so.setIntraOpNumThreads(options.intraOpThreads());
                }
                for (ExecutionProvider p : chain) {
                    Map<String, String> settings = settings(p, component);
                    try {
                        binder.bind(so, p, settings);
                    } catch (OrtException e) {
                        throw new ProviderUnavailableException(ProviderFailure.of(p, component, e), e);
                    }
                }
                return so;
            } catch (OrtException e) {
                so.close();
                throw new ModelLoadException("cannot configure ONNX Runtime session options: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                so.close();
                throw e;
            }
        }

        /** The provider options {@code p} gets for {@code component}. */
        Map<String, String> settings(ExecutionProvider p, String component) {
            return switch (p) {
                case TENSORRT -> {
                    ShapeProfile profile;
                    try {
                        profile = profiles.apply(component);
                    } catch (IllegalArgumentException | UncheckedIOException e) {
                        ProviderFailure f = new ProviderFailure(p, component, "profile", e.getMessage());
                        throw new ProviderUnavailableException(f, e);
                    }
                    yield options.tensorRt().toProviderOptions(options.cuda().deviceId(), profile);
                }
                case CUDA -> options.cuda().toProviderOptions();
                case CPU -> Map.of();
            };
        }

        /**
         * What to throw when creating {@code component}'s session failed: a provider failure (so the next
         * provider is tried) unless the active provider is the CPU, where the model itself is at fault.
         */
        public RuntimeException sessionFailed(String component, ModelLoadException e) {
            if (active() != ExecutionProvider.CPU && e.getCause() instanceof OrtException oe) {
                return new ProviderUnavailableException(ProviderFailure.of(active(), component, oe), e);
            }
            return e;
        }
    }

    /** The configured names as providers, duplicates dropped; fails naming an unknown one. */
    public static List<ExecutionProvider> parse(List<String> names) {
        LinkedHashSet<ExecutionProvider> out = new LinkedHashSet<>();
        for (String name : names) {
            out.add(ExecutionProvider.byName(name).orElseThrow(() -> new ModelLoadException(
                    "unknown execution provider '" + name + "' (known: " + ExecutionProvider.knownNames() + ")")));
        }
        return List.copyOf(out);
    }

    /** Fails with a message naming the provider if a configured name is not a known provider. */
    public static void checkProviders(PipelineOptions options) {
        parse(options.providers());
    }

    /**
     * Runs {@code load} with the configured chain, then without each provider that failed, until one load
     * succeeds. {@code load} must close what it opened before it rethrows.
     */
    public static <T> Selected<T> withFallback(PipelineOptions options, ProviderBinder binder,
                                               Function<String, ShapeProfile> profiles, LoadListener listener,
                                               Function<Attempt, T> load) {
        List<ExecutionProvider> configured = parse(options.providers());
        List<ExecutionProvider> remaining = new ArrayList<>(configured);
        List<ProviderFailure> failures = new ArrayList<>();
        while (true) {
            try {
                T value = load.apply(new Attempt(options, remaining, binder, profiles));
                ProviderSelection selection = new ProviderSelection(configured, remaining, failures);
                listener.providersSelected(selection);
                return new Selected<>(value, selection);
            } catch (ProviderUnavailableException e) {
                ProviderFailure f = e.failure();
                failures.add(f);
                remaining.remove(f.provider());
                if (options.strictProviders()) {
                    listener.providerFailed(f, null);
                    throw new ModelLoadException("execution provider '" + f.provider() + "' is not usable and strict"
                            + " provider selection forbids falling back: " + f.describe(), e);
                }
                if (remaining.isEmpty()) {
                    listener.providerFailed(f, null);
                    throw new ModelLoadException("none of the configured execution providers " + configured
                            + " is usable: " + String.join("; ", failures.stream().map(ProviderFailure::describe).toList()), e);
                }
                listener.providerFailed(f, remaining.get(0).configName());
            }
        }
    }

    /**
     * TensorRT profiles of a model folder's networks, read from their files on first use. A missing file
     * gives an empty profile: opening the session reports it with the usual message.
     */
    public static Function<String, ShapeProfile> tensorRtProfiles(Path modelDir, PipelineOptions options, int tokens) {
        Map<String, OnnxSignature> signatures = new HashMap<>();
        Function<String, OnnxSignature> signature = component -> signatures.computeIfAbsent(component, c -> {
            Path file = modelDir.resolve(c).resolve("model.onnx");
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try {
                return OnnxSignature.read(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the inputs of " + c + "/model.onnx: " + e.getMessage(), e);
            }
        });
        return component -> {
            OnnxSignature sig = signature.apply(component);
            if (sig == null) {
                return ShapeProfile.EMPTY;
            }
            long hidden = -1;
            if (component.equals("unet")) {
                // A UNet with a dynamic hidden size takes the text encoder's.
                OnnxSignature text = signature.apply("text_encoder");
                OnnxSignature.ValueSpec states = text == null ? null : text.output("last_hidden_state");
                if (states != null && states.shapeKnown() && states.dims().size() == 3) {
                    hidden = states.dims().get(2);
                }
            }
            return new TensorRtProfiles(options.tensorRt().profileSizes(), options.maxBatch(), tokens, hidden)
                    .profile(component, sig.inputs());
        };
    }
}
