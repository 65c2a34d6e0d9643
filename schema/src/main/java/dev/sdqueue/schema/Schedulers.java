package dev.sdqueue.schema;

import java.util.List;

/** Scheduler names a request may ask for; the worker maps each to its diffusers counterpart. */
public final class Schedulers {
    /** In the order of the docs: DDIM, PNDM, Euler, Euler ancestral, LMS, DPM++ 2M (plain, Karras), LCM, UniPC. */
    public static final List<String> NAMES = List.of(
            "ddim", "pndm", "euler", "euler_a", "lms", "dpmpp_2m", "dpmpp_2m_karras", "lcm", "unipc");

    private Schedulers() {
    }

    public static boolean isKnown(String name) {
        return NAMES.contains(name);
    }
}
