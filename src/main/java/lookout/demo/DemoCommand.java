package lookout.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import lookout.auth.UsersFile;
import lookout.broker.EmbeddedBroker;
import lookout.camera.CameraBridge;
import lookout.camera.CameraProducers;
import lookout.camera.CameraSpec;
import lookout.cli.Shutdown;
import lookout.common.FileTrees;
import lookout.common.Json;
import lookout.common.Redact;
import lookout.config.DetectorSettings;
import lookout.config.KafkaSettings;
import lookout.config.LookoutConfig;
import lookout.detections.DetectionRecord;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicFollower;
import lookout.kafka.Topics;
import lookout.service.DetectionService;
import lookout.service.ServiceRuntime;
import lookout.stats.CountingLine;
import lookout.trust.ModelSigner;
import lookout.trust.SigningKeys;
import picocli.CommandLine;

/**
 * {@code lookout demo}: everything in one process: an embedded broker, the detector service
 * against it, a camera replaying a video onto {@code lookout.frames}, and a status line every
 * second computed from what a consumer of {@code lookout.detections} actually sees.
 */
@CommandLine.Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Embedded broker + detector + a camera replaying a video, with a live status line.")
public class DemoCommand implements Callable<Integer> {
    public static final String DEFAULT_VIDEO = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    @CommandLine.Option(names = "--video", defaultValue = DEFAULT_VIDEO,
            description = "video file or stream URL (default ${DEFAULT-VALUE})")
    String video;

    @CommandLine.Option(names = "--no-loop", description = "stop at the end of the video instead of replaying it")
    boolean noLoop;

    @CommandLine.Option(names = "--fps", defaultValue = "0", description = "camera frames per second (default 0 = the video's own rate, 10 for vtest.avi:"
            + " faster than the default model on 2 CPU cores, so the newest frame is analysed and the rest superseded)")
    double fps;

    @CommandLine.Option(names = "--port", defaultValue = "0", description = "Kafka port of the embedded broker (0 = a free one)")
    int port;

    @CommandLine.Option(names = "--camera", defaultValue = "demo-cam", description = "camera id (record key)")
    String cameraId;

    @CommandLine.Option(names = "--line", defaultValue = "0.5,0.3,0.5,0.95", paramLabel = "X1,Y1,X2,Y2",
            description = "counting line in fractions of the frame, or none (default ${DEFAULT-VALUE}: down the middle of "
                    + "vtest.avi's square; walking left to right across it counts as in)")
    String line;

    @CommandLine.Option(names = "--review-budget", defaultValue = "120", paramLabel = "N",
            description = "frames per hour the picker offers on the review page (default ${DEFAULT-VALUE}: one per 30 s,"
                    + " so there is something to review soon; 0 = no review page)")
    int reviewBudget;

    @Inject
    ServiceRuntime runtime;
    @Inject
    Shutdown shutdown;
    @Inject
    MeterRegistry registry;

    @Override
    public Integer call() throws Exception {
        boolean url = video.contains("://");
        if (!url && !Files.isRegularFile(Path.of(video))) {
            System.err.println("lookout demo: video not found: " + video
                    + (video.equals(DEFAULT_VIDEO) ? "\n  it ships in Debian's opencv-doc package: run `sudo bash scripts/setup.sh`"
                            + " (or pass --video FILE|URL)" : ""));
            return 2;
        }
        CountingLine countingLine;
        try {
            countingLine = "none".equals(line) ? null : CountingLine.of(Arrays.stream(line.split(","))
                    .mapToDouble(v -> Double.parseDouble(v.trim())).toArray());
        } catch (IllegalArgumentException e) {
            System.err.println("lookout demo: --line " + line + ": " + e.getMessage());
            return 2;
        }
        LookoutConfig config = LookoutConfig.current();
        DetectorSettings detector = config.detector();
        Path modelDir = detector.modelDir();
        if (!Files.isRegularFile(modelDir.resolve("model.pt"))) {
            Path tiny = Path.of(System.getenv().getOrDefault("LOOKOUT_HOME", "."), "build/models/tiny");
            if (Files.isRegularFile(tiny.resolve("model.pt"))) {
                System.out.println("demo: no model in " + modelDir + "; using the untrained tiny test model " + tiny
                        + " (boxes will be meaningless)");
                detector = detector.withModelDir(tiny);
            } else {
                System.err.println("lookout demo: no model in " + modelDir + " (model.pt + model.json)."
                        + " Set LOOKOUT_MODEL_DIR, or build the test model with `bash model/make_test_model.sh`.");
                return 2;
            }
        }
        try {
            // like a generated admin password: the first demo makes the key pair that signs models on this host
            ModelSigner signer = SigningKeys.signer(config.models());
            System.out.printf("demo: models from lookout.models load only when signed; this host's signing key is %s "
                    + "(%s, trusted through %s)%n", signer.keyId(), config.models().signingKey(),
                    String.join(",", config.models().trustedKeys()));
        } catch (IllegalStateException e) {
            System.out.println("demo: " + e.getMessage() + " (the detector keeps its configured model)");
        }
        firstAdmin(config.auth().usersFile());
        long t0 = System.nanoTime();
        EmbeddedBroker broker = shutdown.register(EmbeddedBroker.start(port, null));
        System.out.printf("demo: broker ready on %s (%.1f s)%n", broker.bootstrapServers(), seconds(t0));
        KafkaSettings kafka = config.kafka().withBootstrapServers(broker.bootstrapServers());
        // one camera = one partition answered frame by frame: no batch can ever form, so waiting
        // lookout.batch.max-delay for companions would only add latency to every frame
        if (!detector.batchMaxDelay().isZero()) {
            System.out.println("demo: one camera, so no batch can form: batch max-delay 0 (configured "
                    + detector.batchMaxDelay().toMillis() + " ms)");
        }
        // The demo's broker is new on every run, so Streams state of an earlier demo only describes
        // topics that are gone (Streams would log the task as corrupted and rebuild it): start clean,
        // in a folder of the demo's own so that a detector sharing the host keeps its state.
        Path demoState = detector.stateDir().resolve("demo");
        FileTrees.delete(demoState);
        DetectionService service;
        try {
            service = runtime.start(kafka, detector.withBatchMaxDelay(Duration.ZERO).withStateDir(demoState),
                    config.review().withEnabled(reviewBudget > 0).withBudget(Math.max(0, reviewBudget)));
        } catch (RuntimeException e) {
            System.err.println("lookout demo: " + e.getMessage());
            shutdown.closeAll();
            return 1;
        }
        System.out.printf("demo: model %s v%s loaded and warmed up (%.1f s); camera %s <- %s%n",
                service.model().name(), service.model().version(), seconds(t0), cameraId, Redact.url(video));
        if (countingLine != null) {
            runtime.countingLines().set(cameraId, countingLine);
        }
        System.out.printf("demo: live page on http://localhost:%d/ (log in; metrics on http://localhost:%d/q/metrics"
                + " for role metrics or admin)%n", config.httpPort(), config.managementPort());
        if (reviewBudget > 0) {
            System.out.printf("demo: review page on http://localhost:%d/review.html (log in as an operator: the admin"
                    + " is one): up to %d frames an hour where the model is unsure, to label (docs/review.md)%n",
                    config.httpPort(), reviewBudget);
        }

        KafkaClients clients = new KafkaClients(kafka);
        Producer<String, byte[]> producer = shutdown.register(CameraProducers.create(clients, "demo-camera"));
        CameraBridge camera = new CameraBridge(new CameraSpec(cameraId, video, fps, 0, config.camera().jpegQuality(),
                !noLoop, true), producer, Topics.FRAMES, registry, config.camera());
        shutdown.register(camera);
        Watcher watcher = shutdown.register(new Watcher(clients));
        watcher.start();
        AtomicBoolean cameraDone = new AtomicBoolean();
        AtomicReference<Throwable> cameraError = new AtomicReference<>();
        Thread cam = new Thread(() -> {
            try {
                camera.run();
            } catch (RuntimeException e) {
                cameraError.set(e);
            } finally {
                cameraDone.set(true);
            }
        }, "demo-camera");
        cam.setDaemon(true);
        cam.start();

        Thread status = new Thread(() -> statusLoop(camera, watcher, service, cameraDone, cameraError), "demo-status");
        status.setDaemon(true);
        status.start();
        shutdown.awaitExit();
        return cameraError.get() == null ? 0 : 1;
    }

    /**
     * At the first start (no users file yet) creates user admin with a generated password and shows it
     * once: only its bcrypt hash is stored (mode 600). Later starts say where the users are.
     */
    static void firstAdmin(Path usersFile) throws java.io.IOException {
        String password = UsersFile.createWithAdmin(usersFile, "admin");
        if (password == null) {
            System.out.println("demo: log in to the live page as a user of " + usersFile
                    + " (`./lookout users list`; a new password: `./lookout users passwd NAME`)");
            return;
        }
        System.out.println("demo: first start: created user admin for the live page; this password is shown once, only its"
                + " bcrypt hash is kept (" + usersFile + "):");
        System.out.println();
        System.out.println("    user admin    password " + password);
        System.out.println();
        System.out.println("demo: more users: `./lookout users add NAME --role viewer|operator|admin`; forgot it:"
                + " `./lookout users passwd admin`");
        System.out.flush();
    }

    private void statusLoop(CameraBridge camera, Watcher watcher, DetectionService service, AtomicBoolean cameraDone,
            AtomicReference<Throwable> cameraError) {
        long lastSent = 0;
        long lastOut = 0;
        long lastAnalysed = 0;
        long lastSuperseded = 0;
        long lastTick = System.nanoTime();
        int idleAfterDone = 0;
        long lastStale = 0;
        boolean hintedStale = false;
        boolean hintedSuperseded = false;
        while (true) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            double dt = (now - lastTick) / 1e9;
            lastTick = now;
            long sent = camera.stats().sent();
            long out = watcher.records.get();
            long analysed = watcher.analysed.get();
            long superseded = watcher.superseded.get();
            double[] lat = watcher.latencyPercentiles();
            System.out.printf("demo | in %5.1f fps | analysed %4.1f fps | superseded %4.1f fps | latency p50 %5.0f ms p99 %5.0f ms"
                    + " | people in view %2d | tracks %d | stale/overload %d | dlq %d | model %s v%s"
                    + " | sent %d answered %d: analysed %d, superseded %d%n",
                    (sent - lastSent) / dt, (analysed - lastAnalysed) / dt, (superseded - lastSuperseded) / dt, lat[0], lat[1],
                    watcher.people.get(), watcher.tracks.get(), watcher.stale.get(), watcher.deadLetters.get(),
                    service.model().name(), service.model().version(), sent, out, analysed, superseded);
            System.out.flush();
            if (!hintedSuperseded && superseded > 0) {
                hintedSuperseded = true;
                System.out.println("demo: the camera sends faster than the model analyses here, so each time the newest frame"
                        + " is analysed and the older ones it overtook are answered skipped/superseded: the answers stay current"
                        + " (lookout.scheduling=latest-frame; every-frame analyses all, falling behind)");
            }
            long staleNow = watcher.stale.get();
            if (!hintedStale && staleNow > lastStale && staleNow > 20) {
                hintedStale = true;
                System.out.println("demo: frames are answered skipped/stale (older than lookout.max-frame-age) or overload:"
                        + " the model does not keep up even with the newest frames (or LOOKOUT_SCHEDULING=every-frame is set)");
            }
            lastStale = staleNow;
            lastAnalysed = analysed;
            lastSuperseded = superseded;
            if (cameraError.get() != null) {
                System.err.println("demo: camera failed: " + cameraError.get().getMessage());
                Quarkus.asyncExit(1);
                return;
            }
            if (cameraDone.get() && out + watcher.deadLetters.get() >= sent && out == lastOut && ++idleAfterDone >= 2) {
                System.out.println("demo: video finished; every frame answered (" + out + " detections records, "
                        + watcher.deadLetters.get() + " dead letters)");
                Quarkus.asyncExit(0);
                return;
            }
            lastSent = sent;
            lastOut = out;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** A read_committed consumer of the detections and DLQ topics: what any downstream consumer sees. */
    static final class Watcher implements AutoCloseable {
        final AtomicLong records = new AtomicLong();
        final AtomicLong analysed = new AtomicLong();
        final AtomicLong superseded = new AtomicLong();
        final AtomicLong stale = new AtomicLong();
        final AtomicLong deadLetters = new AtomicLong();
        final AtomicLong people = new AtomicLong();
        /** Track ids are numbered 1, 2, 3... per camera: the highest seen is how many people were followed. */
        final AtomicLong tracks = new AtomicLong();
        private final Deque<Long> latencies = new ArrayDeque<>();
        private final TopicFollower follower;

        /** Reads both topics from their beginning once started. */
        Watcher(KafkaClients clients) {
            follower = new TopicFollower(clients, "demo-watcher", List.of(Topics.DETECTIONS, Topics.FRAMES_DLQ), List.of(),
                    (records, caughtUp) -> records.forEach(this::received));
        }

        void start() {
            follower.start();
        }

        private void received(ConsumerRecord<String, byte[]> r) {
            if (r.topic().equals(Topics.FRAMES_DLQ)) {
                deadLetters.incrementAndGet();
                return;
            }
            JsonNode d;
            try {
                d = Json.MAPPER.readTree(r.value());
            } catch (IOException | RuntimeException e) {
                System.err.println("demo: not a detections record at offset " + r.offset() + ": " + e);
                return;
            }
            records.incrementAndGet();
            if ("ok".equals(d.path("status").asText())) {
                analysed.incrementAndGet();
                people.set(d.path("detections").size());
                d.path("detections").forEach(i -> tracks.accumulateAndGet(i.path("trackId").asLong(0), Math::max));
                synchronized (latencies) {
                    // capture to here: what a read_committed consumer sees, commit included
                    latencies.addLast(System.currentTimeMillis() - d.path("captureTs").asLong());
                    while (latencies.size() > 200) {
                        latencies.removeFirst();
                    }
                }
            } else if (DetectionRecord.SUPERSEDED.equals(d.path("reason").asText())) {
                superseded.incrementAndGet();
            } else {
                stale.incrementAndGet();
            }
        }

        /** p50 and p99 latency (ms) from capture to this consumer over the last 200 analysed frames. */
        double[] latencyPercentiles() {
            List<Long> copy;
            synchronized (latencies) {
                copy = new ArrayList<>(latencies);
            }
            if (copy.isEmpty()) {
                return new double[] {Double.NaN, Double.NaN};
            }
            Collections.sort(copy);
            return new double[] {copy.get((int) Math.floor(0.5 * (copy.size() - 1))),
                    copy.get((int) Math.ceil(0.99 * (copy.size() - 1)))};
        }

        @Override
        public void close() {
            follower.close();
        }
    }
}
