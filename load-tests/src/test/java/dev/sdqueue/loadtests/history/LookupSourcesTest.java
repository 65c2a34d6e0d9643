package dev.sdqueue.loadtests.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LookupSourcesTest {
    private static final String BEFORE = """
            # HELP sdq_status_lookups_total Status lookups by where the answer came from
            # TYPE sdq_status_lookups_total counter
            sdq_status_lookups_total{source="local"} 10.0
            sdq_status_lookups_total{source="standby"} 0.0
            sdq_status_lookups_total{source="forwarded"} 3.0
            sdq_status_lookups{source="local"} 99.0
            """;
    private static final String AFTER = """
            sdq_status_lookups_total{source="local"} 15010.0
            sdq_status_lookups_total{source="standby"} 14990.0
            sdq_status_lookups_total{source="forwarded"} 3.0
            sdq_status_lookups_total{instance="x",source="missing"} 2.0
            """;

    @Test
    void readsTheCountersPerSourceAndNothingElse() {
        assertThat(LookupSources.parse(BEFORE)).containsExactlyInAnyOrderEntriesOf(
                Map.of("local", 10.0, "standby", 0.0, "forwarded", 3.0));
        assertThat(LookupSources.parse("# a build without the store\nhttp_server_requests_seconds_count 4.0\n"))
                .isEmpty();
    }

    @Test
    void theCopiesLagGaugeIsReadWhereverTheDispatcherHasIt() {
        assertThat(WarmCopies.parse("# TYPE sdq_status_copies_lag_records gauge\nsdq_status_copies_lag_records 12345.0\n"))
                .hasValue(12345);
        assertThat(WarmCopies.parse("sdq_status_copies_lag_records{instance=\"a\"} -1.0\n")).hasValue(-1);
        assertThat(WarmCopies.parse(BEFORE)).isEmpty();
    }

    @Test
    void theDeltaNamesOnlyTheSourcesThatGrew() {
        assertThat(LookupSources.delta(LookupSources.parse(BEFORE), LookupSources.parse(AFTER)))
                .isEqualTo("local 15,000, missing 2, standby 14,990");
        assertThat(LookupSources.delta(Map.of(), Map.of("local", 0.0))).isEqualTo("none counted");
    }
}
