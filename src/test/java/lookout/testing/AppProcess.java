package lookout.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * A role of the packaged app run as its own process ({@link LookoutProcess}) with HTTP and the
 * management interface (health, metrics) on free ports: readiness, GETs, the page. Stopped with SIGTERM.
 */
public final class AppProcess implements AutoCloseable {
    /** One client for every test GET: one pooled connection, not one per call (the app caps connections). */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final LookoutProcess process;
    private final int httpPort;
    private final int managementPort;

    private AppProcess(LookoutProcess process, int httpPort, int managementPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    /** Starts {@code role} with these environment overrides (plus the launcher's own), HTTP and management on free ports. */
    public static AppProcess start(String name, String role, Map<String, String> env) throws IOException {
        int port = freePort();
        int management = freePort();
        Map<String, String> all = new HashMap<>(env);
        all.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        all.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        return new AppProcess(LookoutProcess.start(name, "2g", Map.of("quarkus.http.host-enabled", "true",
                "quarkus.management.host-enabled", "true"), all, role), port, management);
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    public int httpPort() {
        return httpPort;
    }

    /** A path on the management interface (health, metrics). */
    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's tail if the process dies or time runs out. */
    public AppProcess awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.alive()) {
                throw new IllegalStateException("the app exited:\n" + process.tail());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(managementUrl("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the app was not ready within " + timeout + ":\n" + process.tail());
    }

    /** {@code Authorization} header value of basic credentials. */
    public static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** GET with basic credentials; fails unless 200. */
    public String get(String path, String user, String password) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url(path)))
                .header("Authorization", basic(user, password)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    /** The last lines of the app's output. */
    public String tail() {
        return process.tail();
    }

    /** Everything the app printed. */
    public String output() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}
