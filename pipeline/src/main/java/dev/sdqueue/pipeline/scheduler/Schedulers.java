package dev.sdqueue.pipeline.scheduler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Creates schedulers by request name ({@code ddim}, {@code pndm}, {@code euler}, {@code euler_a},
 * {@code lms}, {@code dpmpp_2m}, {@code dpmpp_2m_karras}, {@code lcm}, {@code unipc}) or by
 * diffusers class name ({@code PNDMScheduler}, ...), configured from a model's scheduler_config.json
 * the way diffusers' {@code from_config} does when a pipeline swaps its scheduler.
 */
public final class Schedulers {

    private record Entry(String className, Map<String, Object> overrides,
                         Function<SchedulerConfig, Scheduler> factory) {
    }

    private static final Map<String, Entry> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("ddim", new Entry("DDIMScheduler", Map.of(), DdimScheduler::new));
        BY_NAME.put("pndm", new Entry("PNDMScheduler", Map.of(), PndmScheduler::new));
        BY_NAME.put("euler", new Entry("EulerDiscreteScheduler", Map.of(), EulerDiscreteScheduler::new));
        BY_NAME.put("euler_a", new Entry("EulerAncestralDiscreteScheduler", Map.of(),
                EulerAncestralDiscreteScheduler::new));
        BY_NAME.put("lms", new Entry("LMSDiscreteScheduler", Map.of(), LmsDiscreteScheduler::new));
        BY_NAME.put("dpmpp_2m", new Entry("DPMSolverMultistepScheduler",
                Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", false),
                DpmSolverMultistepScheduler::new));
        BY_NAME.put("dpmpp_2m_karras", new Entry("DPMSolverMultistepScheduler",
                Map.of("algorithm_type", "dpmsolver++", "solver_order", 2, "use_karras_sigmas", true),
                DpmSolverMultistepScheduler::new));
        BY_NAME.put("lcm", new Entry("LCMScheduler", Map.of(), LcmScheduler::new));
        BY_NAME.put("unipc", new Entry("UniPCMultistepScheduler", Map.of(), UniPcMultistepScheduler::new));
    }

    private Schedulers() {
    }

    /** Request names, in a stable order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** Whether {@link #create} accepts this request or class name. */
    public static boolean isSupported(String nameOrClass) {
        return nameOrClass != null && lookup(nameOrClass) != null;
    }

    /**
     * A scheduler configured from {@code modelConfig}; {@code nameOrClass} null means the model's own
     * {@code _class_name} with the file's settings unchanged.
     *
     * @throws UnsupportedSchedulerException for unknown names or unsupported options
     */
    public static Scheduler create(String nameOrClass, SchedulerConfig modelConfig) {
        if (nameOrClass == null || nameOrClass.isBlank()) {
            String own = modelConfig.className();
            if (own == null) {
                throw new UnsupportedSchedulerException("no scheduler requested and the model's scheduler config has no _class_name");
            }
            Entry entry = byClass(own);
            if (entry == null) {
                throw unknown(own);
            }
            return entry.factory.apply(modelConfig);
        }
        Entry entry = lookup(nameOrClass);
        if (entry == null) {
            throw unknown(nameOrClass);
        }
        boolean className = entry.className.equals(nameOrClass.trim());
        // A class name keeps the file's options; a short name pins what the name promises.
        SchedulerConfig config = className ? modelConfig : modelConfig.withAll(entry.overrides);
        return entry.factory.apply(config);
    }

    /**
     * Like {@link #create(String, SchedulerConfig)} with diffusers {@code step()} keyword arguments:
     * {@code eta}, {@code use_clipped_model_output} (DDIM); {@code s_churn}, {@code s_tmin},
     * {@code s_tmax}, {@code s_noise} (Euler); {@code order} (LMS). Others are rejected.
     */
    public static Scheduler create(String nameOrClass, SchedulerConfig modelConfig, Map<String, ?> stepKwargs) {
        if (stepKwargs == null || stepKwargs.isEmpty()) {
            return create(nameOrClass, modelConfig);
        }
        Scheduler plain = create(nameOrClass, modelConfig);
        SchedulerConfig config = plain.config();
        SchedulerConfig kw = new SchedulerConfig(new LinkedHashMap<>(stepKwargs));
        java.util.Set<String> allowed = switch (plain.className()) {
            case "DDIMScheduler" -> java.util.Set.of("eta", "use_clipped_model_output");
            case "EulerDiscreteScheduler" -> java.util.Set.of("s_churn", "s_tmin", "s_tmax", "s_noise");
            case "LMSDiscreteScheduler" -> java.util.Set.of("order");
            default -> java.util.Set.of();
        };
        for (String key : stepKwargs.keySet()) {
            if (!allowed.contains(key)) {
                throw new UnsupportedSchedulerException("unsupported step option '" + key + "' for " + plain.className());
            }
        }
        return switch (plain.className()) {
            case "DDIMScheduler" -> new DdimScheduler(config, kw.number("eta", 0.0),
                    kw.bool("use_clipped_model_output", false));
            case "EulerDiscreteScheduler" -> new EulerDiscreteScheduler(config, kw.number("s_churn", 0.0),
                    kw.number("s_tmin", 0.0), kw.number("s_tmax", Double.POSITIVE_INFINITY), kw.number("s_noise", 1.0));
            case "LMSDiscreteScheduler" -> new LmsDiscreteScheduler(config, kw.integer("order", 4));
            default -> plain;
        };
    }

    /** The request name of the model's default scheduler (e.g. "pndm"), or null if unsupported/absent. */
    public static String defaultName(SchedulerConfig modelConfig) {
        String own = modelConfig.className();
        if (own == null || byClass(own) == null) {
            return null;
        }
        try {
            return create(null, modelConfig).name();
        } catch (UnsupportedSchedulerException e) {
            return null;
        }
    }

    private static Entry lookup(String nameOrClass) {
        String key = nameOrClass.trim();
        Entry byName = BY_NAME.get(key.toLowerCase(Locale.ROOT));
        return byName != null ? byName : byClass(key);
    }

    private static Entry byClass(String className) {
        for (Entry e : BY_NAME.values()) {
            if (e.className.equals(className)) {
                return e;
            }
        }
        return null;
    }

    private static UnsupportedSchedulerException unknown(String name) {
        return new UnsupportedSchedulerException("unsupported scheduler '" + name + "' (supported: "
                + String.join(", ", BY_NAME.keySet()) + ", or their diffusers class names)");
    }
}
