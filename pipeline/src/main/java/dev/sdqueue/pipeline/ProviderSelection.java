package dev.sdqueue.pipeline;

import java.util.List;

/**
 * Outcome of trying the configured providers in order.
 *
 * @param configured the configured order
 * @param chain      providers the sessions were created with, in priority order; the first is the active one
 *                   (later ones take the nodes it cannot run, e.g. tensorrt then cuda then cpu)
 * @param failures   providers dropped on the way, with ONNX Runtime's reason
 */
public record ProviderSelection(List<ExecutionProvider> configured, List<ExecutionProvider> chain,
                                List<ProviderFailure> failures) {

    public ProviderSelection {
        configured = List.copyOf(configured);
        chain = List.copyOf(chain);
        failures = List.copyOf(failures);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a selection has at least the active provider");
        }
    }

    public ExecutionProvider active() {
        return chain.get(0);
    }

    public List<String> chainNames() {
        return chain.stream().map(ExecutionProvider::configName).toList();
    }

    /** e.g. "cpu (tensorrt (text_encoder): ORT_EP_FAIL ...; cuda (text_encoder): ORT_EP_FAIL ...)". */
    public String describe() {
        String active = String.join(" > ", chainNames());
        if (failures.isEmpty()) {
            return active;
        }
        return active + " (not usable: " + String.join("; ", failures.stream().map(ProviderFailure::describe).toList())
                + ")";
    }
}
