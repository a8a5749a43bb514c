package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class ResidentMemoryMetricsTest {
    @Test
    void shouldReportTheProcessResidentSetSize() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ResidentMemoryMetrics().bindTo(registry);
        double rss = registry.get("process.resident.memory").gauge().value();
        // a JVM running tests holds well over 16 MB and (here) under the machine's 24 GB
        assertThat(rss).isBetween(16.0 * 1024 * 1024, 24.0 * 1024 * 1024 * 1024);
    }
}
