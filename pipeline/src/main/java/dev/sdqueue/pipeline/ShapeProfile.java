package dev.sdqueue.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One TensorRT optimisation profile of a network, in the provider options' syntax:
 * {@code name:d0xd1x...,name2:...} for min, opt and max.
 */
public record ShapeProfile(List<InputRange> inputs) {

    public static final ShapeProfile EMPTY = new ShapeProfile(List.of());

    /** min/opt/max shape of one dynamic input. */
    public record InputRange(String name, long[] min, long[] opt, long[] max) {
        public InputRange {
            if (name.isEmpty() || name.contains(",") || name.contains(":")) {
                // The provider splits the option on ',' and ':'; such a name cannot be expressed.
                throw new IllegalArgumentException("input name '" + name + "' cannot appear in a TensorRT profile");
            }
            if (min.length != opt.length || opt.length != max.length || min.length == 0) {
                throw new IllegalArgumentException("input '" + name + "': min/opt/max ranks differ or are 0");
            }
            for (int i = 0; i < min.length; i++) {
                if (min[i] < 1 || min[i] > opt[i] || opt[i] > max[i]) {
                    throw new IllegalArgumentException("input '" + name + "' axis " + i + ": need 1 <= min <= opt <= max, got "
                            + min[i] + "/" + opt[i] + "/" + max[i]);
                }
            }
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(min) + ".." + Arrays.toString(opt) + ".." + Arrays.toString(max);
        }
    }

    public ShapeProfile {
        inputs = List.copyOf(new ArrayList<>(inputs));
    }

    public boolean isEmpty() {
        return inputs.isEmpty();
    }

    public String min() {
        return format(0);
    }

    public String opt() {
        return format(1);
    }

    public String max() {
        return format(2);
    }

    private String format(int which) {
        return inputs.stream().map(r -> r.name() + ":" + Arrays.stream(which == 0 ? r.min() : which == 1 ? r.opt() : r.max())
                .mapToObj(Long::toString).collect(Collectors.joining("x"))).collect(Collectors.joining(","));
    }
}
