package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import lookout.common.Json;
import lookout.config.DetectorSettings;
import lookout.config.FramePolicy;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/**
 * The autoscaling decision under the latest-frame policy, on a real run: four cameras offer twice
 * what one detector replica analyses (the real tiny model, slowed to a fixed cost per frame, so
 * that a second replica adds capacity instead of sharing the same cores). A real Prometheus scrapes
 * the replicas and evaluates the query of KEDA's model-demand trigger and the superseded share of
 * the LookoutOverloaded alert, both read from the committed files (k8s/components/keda,
 * prometheus/lookout-alerts.yml; rate windows shortened from 2m/5m to 30s for a short run). KEDA's
 * decision is then computed as the HPA computes it for an AverageValue target. Asserted: with one
 * replica the share crosses the alert's threshold and KEDA asks for more replicas; with a second
 * replica the share falls. Prints the figures (docs/deployment.md quotes them).
 */
@Timeout(600)
class OverloadScalingIT {
    private static final Logger LOG = Logger.getLogger(OverloadScalingIT.class);
    static final int PARTITIONS = 4;
    /** The slowed model's fixed cost per frame: one replica analyses at most ~1000/MS_PER_FRAME frames/s. */
    static final long MS_PER_FRAME = 150;
    /**
     * Per camera: 4 cameras x 3.3 fps = 13.3 frames/s, twice the slowed model's nominal rate (6.7 frames/s);
     * measured here, one replica analysed 4.96 frames/s (the tiny model and the service add ~50 ms per
     * frame), so the offer was 2.7 times what one replica analyses.
     */
    static final double FPS_PER_CAMERA = 2 * 1000.0 / MS_PER_FRAME / PARTITIONS;
    static final Duration PHASE = Duration.ofSeconds(50);
    static final String WINDOW = "30s";

    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    final List<AutoCloseable> open = new ArrayList<>();
    final AtomicBoolean sending = new AtomicBoolean(true);

    @AfterEach
    void close() throws Exception {
        sending.set(false);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A detector replica with its own meters, served at /q/metrics on a port of its own (as a pod's). */
    record Replica(DetectionService service, int port) {
    }

    Replica replica(String instance) throws Exception {
        DetectorSettings d = TestSettings.detector(TestModels.tinyModelDir(), "it-overload", 4);
        Path state = Files.createTempDirectory("it-overload-state-");
        DetectorSettings settings = new DetectorSettings(d.modelDir(), d.devices(), d.workersPerDevice(), d.batchMaxSize(),
                d.batchMaxDelay(), d.batchQueueCapacity(), Duration.ofSeconds(60), d.scoreThreshold(), d.inferenceTimeout(),
                d.processingGuarantee(), PARTITIONS, d.commitInterval(), "it-overload", d.frames(), state,
                FramePolicy.LATEST_FRAME);
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/q/metrics", ex -> {
            byte[] body = meters.scrape().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        open.add(() -> http.stop(0));
        DetectionService service = new DetectionService(settings,
                new KafkaClients(broker.kafka(PARTITIONS).withInstanceId(instance)), meters,
                SlowedDetectors.slowed(0, MS_PER_FRAME), Clock.systemUTC());
        open.add(service);
        service.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!service.ready()) {
            assertThat(System.nanoTime()).as(instance + " ready within 120 s").isLessThan(deadline);
            Thread.sleep(200);
        }
        return new Replica(service, http.getAddress().getPort());
    }

    /** A real Prometheus scraping both replicas' ports every 2 s, their series labelled as the PodMonitor's are. */
    String prometheus(int... ports) throws Exception {
        Path bin = Path.of("/usr/bin/prometheus");
        assumeTrue(Files.isExecutable(bin), "SKIPPED: no prometheus binary (scripts/setup.sh installs it)");
        Path dir = Files.createTempDirectory("it-overload-prom-");
        StringBuilder targets = new StringBuilder();
        for (int p : ports) {
            targets.append(targets.isEmpty() ? "" : ", ").append("'127.0.0.1:").append(p).append("'");
        }
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {scrape_interval: 2s, evaluation_interval: 2s}
                scrape_configs:
                  - job_name: lookout
                    metrics_path: /q/metrics
                    static_configs:
                      - targets: [%s]
                        labels: {namespace: lookout, role: detector}
                """.formatted(targets));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(bin.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        open.add(() -> {
            p.destroy();
            p.waitFor();
        });
        String url = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                query(url, "up");
                return url;
            } catch (IOException e) {
                assertThat(System.nanoTime()).as("prometheus up within 60 s").isLessThan(deadline);
                Thread.sleep(500);
            }
        }
    }

    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The value of an instant query that returns one sample (NaN when it returns none). */
    static double query(String prometheus, String expr) throws IOException, InterruptedException {
        String url = prometheus + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertThat(body.get("status").asText()).as(expr + ": " + r.body()).isEqualTo("success");
        JsonNode result = body.at("/data/result");
        return result.isEmpty() ? Double.NaN : result.get(0).at("/value/1").asDouble();
    }

    /** What the HPA asks for, for an external metric with an AverageValue target, as KEDA's triggers are by default. */
    static int kedaDesiredReplicas(double metric, double threshold, int current, int min, int max) {
        double usageRatio = metric / (threshold * current); // currentMetricValue / target, per replica
        int desired = Math.abs(usageRatio - 1.0) <= 0.1 ? current : (int) Math.ceil(usageRatio * current);
        return Math.max(min, Math.min(max, desired));
    }

    /** Sends frames of four cameras (one per partition) at FPS_PER_CAMERA each until stopped. */
    Thread cameras(List<String> ids) {
        Thread t = new Thread(() -> {
            byte[] jpeg = TestFrames.jpeg(96, 72);
            try (KafkaProducer<String, byte[]> producer = broker.clients().producer("it-overload-cameras")) {
                producer.partitionsFor(Topics.FRAMES);
                long start = System.nanoTime();
                long seq = 0;
                while (sending.get()) {
                    seq++;
                    for (String id : ids) {
                        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.FRAMES, id, jpeg);
                        r.headers().add(Topics.HEADER_SEQ, String.valueOf(seq).getBytes(StandardCharsets.UTF_8));
                        r.headers().add(Topics.HEADER_TS, String.valueOf(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
                        producer.send(r);
                    }
                    long due = start + (long) (seq * 1e9 / FPS_PER_CAMERA);
                    long sleep = due - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "it-overload-cameras");
        t.setDaemon(true);
        t.start();
        open.add(() -> {
            sending.set(false);
            t.join(5_000);
        });
        return t;
    }

    /** The trigger of the committed ScaledObject named {@code name}: query (window shortened) and threshold. */
    static JsonNode trigger(String name) throws IOException {
        JsonNode so = new YAMLMapper().readTree(Path.of("k8s/components/keda/scaledobject.yaml").toFile());
        for (JsonNode t : so.at("/spec/triggers")) {
            if (t.get("name").asText().equals(name)) {
                return t.get("metadata");
            }
        }
        throw new IllegalStateException("no trigger " + name + " in k8s/components/keda/scaledobject.yaml");
    }

    /** The superseded share of the committed LookoutOverloaded rule (its left side) and its threshold. */
    static String[] overloadRule() throws IOException {
        JsonNode rules = new YAMLMapper().readTree(Path.of("prometheus/lookout-alerts.yml").toFile());
        for (JsonNode r : rules.at("/groups/0/rules")) {
            if (r.path("alert").asText().equals("LookoutOverloaded")) {
                String expr = r.get("expr").asText().strip();
                int gt = expr.lastIndexOf('>');
                return new String[] {expr.substring(0, gt).strip(), expr.substring(gt + 1).strip()};
            }
        }
        throw new IllegalStateException("no LookoutOverloaded rule in prometheus/lookout-alerts.yml");
    }

    record Phase(int replicas, double offered, double analysed, double superseded, double share, double demand,
            int kedaDesired) {
        String line() {
            return String.format(Locale.ROOT, "replicas %d | offered %5.2f fps | analysed %5.2f fps | superseded %5.2f fps"
                    + " | superseded share %.3f | model demand %.2f | KEDA desired replicas %d",
                    replicas, offered, analysed, superseded, share, demand, kedaDesired);
        }
    }

    Phase measure(String prom, int replicas, String demandQuery, double threshold, String shareQuery) throws Exception {
        Thread.sleep(PHASE.toMillis());
        String w = "[" + WINDOW + "]";
        double offered = query(prom, "sum(rate(lookout_frames_in_total" + w + "))");
        double analysed = query(prom, "sum(rate(lookout_frames_out_total{status=\"ok\"}" + w + "))");
        double superseded = query(prom, "sum(rate(lookout_frames_skipped_total{reason=\"superseded\"}" + w + "))");
        double share = query(prom, shareQuery);
        double demand = query(prom, demandQuery);
        Phase p = new Phase(replicas, offered, analysed, superseded, share, demand,
                kedaDesiredReplicas(demand, threshold, replicas, 1, 12));
        LOG.info("overload: " + p.line());
        System.out.println("overload: " + p.line());
        return p;
    }

    @Test
    void givenCamerasAtTwiceOneReplicasRateWhenScaledByKedasFormulaThenItAsksForMoreAndASecondReplicaCutsTheSupersededShare()
            throws Exception {
        JsonNode demandTrigger = trigger("model-demand");
        String demandQuery = demandTrigger.get("query").asText().replace("[2m]", "[" + WINDOW + "]");
        double threshold = demandTrigger.get("threshold").asDouble();
        String[] rule = overloadRule();
        String shareQuery = rule[0].replace("[5m]", "[" + WINDOW + "]");
        double alertAbove = Double.parseDouble(rule[1]);
        System.out.println("overload: KEDA query (window " + WINDOW + "): " + demandQuery.replaceAll("\\s+", " ")
                + " ; threshold " + threshold + " ; alert: " + shareQuery.replaceAll("\\s+", " ") + " > " + alertAbove);

        // Given one replica and four cameras, one per partition, offering twice its rate
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ids.add(cameraOn(p, ids));
        }
        Replica first = replica("overload-a");
        int secondPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            secondPort = s.getLocalPort(); // scraped from the start: down until the second replica serves
        }
        String prom = prometheus(first.port(), secondPort);
        cameras(ids);

        // When a real Prometheus evaluates the trigger's query and the alert's share
        Phase one = measure(prom, 1, demandQuery, threshold, shareQuery);

        // Then the share crosses the alert's threshold and KEDA's formula asks for more replicas
        assertThat(one.share()).as(one.line()).isGreaterThan(alertAbove);
        assertThat(one.kedaDesired()).as(one.line()).isGreaterThan(1);

        // When a second replica (same group) takes half the partitions
        Replica second = replicaOnPort("overload-b", secondPort);
        Phase two = measure(prom, 2, demandQuery, threshold, shareQuery);

        // Then the superseded share falls, at least by half, and the analysed rate rises
        assertThat(two.share()).as(two.line()).isLessThan(one.share() / 2);
        assertThat(two.analysed()).as(two.line()).isGreaterThan(one.analysed() * 1.5);
        assertThat(second.service().ready()).isTrue();
    }

    /** A replica whose metrics are served on a port picked before it started (Prometheus already scrapes it). */
    Replica replicaOnPort(String instance, int port) throws Exception {
        Replica r = replica(instance);
        HttpServer proxy = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        proxy.createContext("/q/metrics", ex -> {
            HttpResponse<byte[]> up;
            try {
                up = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + r.port() + "/q/metrics")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            ex.sendResponseHeaders(200, up.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(up.body());
            }
        });
        proxy.start();
        open.add(() -> proxy.stop(0));
        return r;
    }

    static String cameraOn(int partition, List<String> taken) {
        for (int i = 0;; i++) {
            String id = "overload-cam-" + i;
            if (!taken.contains(id)
                    && Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS == partition) {
                return id;
            }
        }
    }
}
