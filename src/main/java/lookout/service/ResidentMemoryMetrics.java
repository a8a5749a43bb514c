package lookout.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Resident set size of the process. JVM heap metrics miss most of what a detector uses
 * (libtorch and OpenCV allocate natively), so memory alerts need the RSS.
 */
@Singleton
public class ResidentMemoryMetrics implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("process.resident.memory", ResidentMemoryMetrics::residentBytes)
                .baseUnit("bytes")
                .description("resident set size of the process (native memory included)")
                .register(registry);
    }

    /** VmRSS from /proc, or NaN where there is no /proc (not Linux). */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Double.parseDouble(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
