package dev.sdqueue.loadtests.load;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import dev.sdqueue.loadtests.BenchClock;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The Gatling simulation of a {@link LoadPlan} (Gatling instantiates it by name; {@link GatlingLoad} hands it the
 * plan). One scenario per phase, named after it, chained with {@code andThen}; each virtual user makes one
 * submission. The send time is taken in the step right before the request, the answer time in the step right after.
 */
public final class LoadSimulation extends Simulation {
    private static final String SENT = "sdqSent";
    private static final String STATUS = "sdqStatus";
    private static final String JOB_ID = "sdqJobId";

    public LoadSimulation() {
        GatlingLoad.Handoff handoff = GatlingLoad.handoff();
        LoadPlan plan = handoff.plan();
        HttpProtocolBuilder protocol = http.baseUrl(plan.dispatcher().toString())
                .contentTypeHeader("application/json").acceptHeader("application/json")
                .disableWarmUp() // Gatling's warm-up request goes to gatling.io by default
                .disableCaching();
        if (plan.shareConnections()) {
            protocol = protocol.shareConnections();
        }
        PopulationBuilder chain = null;
        for (LoadPhase phase : plan.phases()) {
            PopulationBuilder population = population(phase, plan.body(), handoff.sink());
            chain = chain == null ? population : chain.andThen(population);
        }
        Duration limit = plan.totalDuration().plus(plan.requestTimeout().multipliedBy(plan.phases().size()))
                .plusSeconds(30);
        setUp(chain).protocols(protocol).maxDuration(limit);
    }

    private static PopulationBuilder population(LoadPhase phase, byte[] body, Consumer<Submission> sink) {
        ScenarioBuilder scenario = scenario(phase.name())
                .exec(session -> session.set(SENT, BenchClock.nowMicros()))
                .exec(http(phase.name()).post("/v1/generations").body(ByteArrayBody(body))
                        // saveAs first: checks stop at the first failure
                        .check(status().saveAs(STATUS), jsonPath("$.id").optional().saveAs(JOB_ID),
                                status().is(202)))
                .exec(session -> {
                    long answered = BenchClock.nowMicros();
                    int status = session.contains(STATUS) ? session.getInt(STATUS) : 0;
                    String jobId = session.contains(JOB_ID) ? session.getString(JOB_ID) : null;
                    sink.accept(new Submission(phase.name(), session.getLong(SENT), answered, status, jobId));
                    return session;
                });
        double seconds = phase.duration().toMillis() / 1000.0;
        Duration duration = phase.duration();
        return switch (phase.kind()) {
            case CONSTANT_RATE -> scenario.injectOpen(constantUsersPerSec(phase.to()).during(duration));
            case RAMP_RATE -> scenario.injectOpen(rampUsersPerSec(phase.from()).to(phase.to()).during(duration));
            case COUNT -> scenario.injectOpen(rampUsers((int) phase.to()).during(duration));
            case CONCURRENCY -> scenario.injectClosed(constantConcurrentUsers((int) phase.to())
                    .during(Duration.ofMillis(Math.round(seconds * 1000))));
        };
    }
}
