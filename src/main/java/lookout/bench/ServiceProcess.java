package lookout.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The detector as users run it, {@code ./lookout serve}, in a process of its own (so its resident
 * memory is its own), against the bench's broker.
 */
final class ServiceProcess implements AutoCloseable {
    private final Process process;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ServiceProcess(Process process, int managementPort) {
        this.process = process;
        this.managementPort = managementPort;
    }

    /**
     * Starts {@code LOOKOUT_HOME/lookout serve} with these environment overrides, its health on
     * {@code managementPort} and its app port on another free one; waits until it is ready.
     */
    static ServiceProcess start(Path home, Map<String, String> env, int managementPort, Path log, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("lookout").toString(), "serve")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(lookout.broker.EmbeddedBroker.freePort()));
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort));
        ServiceProcess service = new ServiceProcess(pb.start(), managementPort);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!service.ready()) {
            if (!service.process.isAlive()) {
                throw new IOException("the detector exited (" + service.process.exitValue() + "); see " + log);
            }
            if (System.nanoTime() > deadline) {
                service.close();
                throw new IOException("the detector was not ready within " + timeout.toSeconds() + " s; see " + log);
            }
            Thread.sleep(500);
        }
        return service;
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The detector JVM's pid (the launcher execs java). */
    long pid() {
        return process.pid();
    }

    /** Resident set size of the detector's JVM (the launcher execs java, so its pid is the JVM's), in bytes. */
    long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
