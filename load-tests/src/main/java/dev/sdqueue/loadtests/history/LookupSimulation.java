package dev.sdqueue.loadtests.history;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.sdqueue.loadtests.BenchClock;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The Gatling simulation of {@link LookupLoad} (Gatling instantiates it by name; the plan is handed over in a static
 * field): an unmeasured warm-up whose arrival rate ramps up to the rate (JIT, connections: a cold client and server
 * at once at 1,000/s queue for seconds), then the measured phase at a constant arrival rate. Each virtual user makes
 * one {@code GET <replica>/v1/generations/<id>}, replicas taken round-robin, ids from the plan; the send time is
 * taken in the step right before the request, the answer in the step right after.
 */
public final class LookupSimulation extends Simulation {
    private static final String SENT = "sdqSent";
    private static final String STATUS = "sdqStatus";
    private static final String FINAL = "sdqFinal";

    /** What one answer (or no answer: status 0) was. */
    interface Sink {
        void sent(String replica);

        void answered(String replica, int status, boolean finalStatus, double latencyMs);
    }

    record Plan(Map<String, URI> replicas, Supplier<String> ids, String finalStatus, double rate, Duration warmup,
                Duration duration, Sink sink) {
    }

    private static volatile Plan plan;

    static void handOver(Plan next) {
        plan = next;
    }

    public LookupSimulation() {
        Plan p = plan;
        if (p == null) {
            throw new IllegalStateException("LookupSimulation runs only through LookupLoad");
        }
        List<String> names = new ArrayList<>(p.replicas().keySet());
        AtomicLong next = new AtomicLong();
        Iterator<Map<String, Object>> feeder = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Map<String, Object> next() {
                String replica = names.get((int) (next.getAndIncrement() % names.size()));
                return Map.of("replica", replica, "base", p.replicas().get(replica).toString(), "id", p.ids().get());
            }
        };
        HttpProtocolBuilder protocol = http.acceptHeader("application/json")
                .disableWarmUp() // Gatling's warm-up request goes to gatling.io by default
                .disableCaching()
                .shareConnections(); // one keep-alive pool, as clients behind a load balancer
        ScenarioBuilder warmup = scenario("warmup").feed(feeder)
                .exec(http("warmup").get("#{base}/v1/generations/#{id}").check(status().is(200)));
        ScenarioBuilder measure = scenario("lookups").feed(feeder)
                .exec(session -> {
                    p.sink().sent(session.getString("replica"));
                    return session.set(SENT, BenchClock.nowMicros());
                })
                .exec(http("lookup").get("#{base}/v1/generations/#{id}")
                        // saveAs first: checks stop at the first failure
                        .check(status().saveAs(STATUS), substring(p.finalStatus()).count().saveAs(FINAL),
                                status().is(200)))
                .exec(session -> {
                    long answered = BenchClock.nowMicros();
                    int status = session.contains(STATUS) ? session.getInt(STATUS) : 0;
                    boolean finalStatus = session.contains(FINAL) && session.getInt(FINAL) > 0;
                    p.sink().answered(session.getString("replica"), status, finalStatus,
                            (answered - session.getLong(SENT)) / 1000.0);
                    return session;
                });
        PopulationBuilder chain = measure.injectOpen(constantUsersPerSec(p.rate()).during(p.duration()));
        if (!p.warmup().isZero()) {
            chain = warmup.injectOpen(rampUsersPerSec(Math.max(1, p.rate() / 10)).to(p.rate()).during(p.warmup()))
                    .andThen(chain);
        }
        setUp(chain).protocols(protocol).maxDuration(p.warmup().plus(p.duration()).plusSeconds(60));
    }
}
