package lookout.camera;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.inject.Inject;
import lookout.cli.RoleHealth;
import lookout.cli.Shutdown;
import lookout.config.CameraSettings;
import lookout.config.LookoutConfig;
import lookout.kafka.KafkaClients;
import lookout.kafka.KafkaOptions;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine;

/** {@code lookout camera}: the camera bridge, one camera or a config file of them. */
@CommandLine.Command(name = "camera", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Publish cameras (RTSP/RTMP/HTTP-MJPEG URL, video file, image folder, /dev/videoN) as JPEG frames "
                + "on lookout.frames, keyed by camera id, with lookout.seq and lookout.ts headers.",
        footer = {"", "Examples:",
                "  lookout camera --camera-id door --source rtsp://user:pass@10.0.0.7:554/stream1 --fps 5 --max-width 1280",
                "  lookout camera --camera-id demo --source /usr/share/doc/opencv-doc/examples/data/vtest.avi --loop",
                "  lookout camera --camera-id lobby --source ./snapshots/ --fps 2",
                "  lookout camera --config cameras.conf   (one camera per line: <id> <source> [fps=N max-width=W "
                        + "jpeg-quality=Q loop as-fast-as-possible])",
                "", "Exit status: 0 when every file ended or on Ctrl-C; 1 when a camera cannot be opened (alone) "
                        + "or no camera of a group could run; 2 on bad usage."})
public class CameraCommand implements Callable<Integer> {

    @CommandLine.Option(names = "--source", paramLabel = "SRC", description = "rtsp/rtmp/http URL, video file, image folder or device")
    String source;

    @CommandLine.Option(names = "--camera-id", paramLabel = "ID", description = "record key (camera id)")
    String cameraId;

    @CommandLine.Option(names = "--fps", defaultValue = "0", paramLabel = "N",
            description = "frames per second to publish, evenly down-sampled (0 = source rate; default ${DEFAULT-VALUE})")
    double fps;

    @CommandLine.Option(names = "--max-width", defaultValue = "0", paramLabel = "W",
            description = "scale wider frames down to W pixels (0 = unchanged; default ${DEFAULT-VALUE})")
    int maxWidth;

    @CommandLine.Option(names = "--jpeg-quality", paramLabel = "Q",
            description = "JPEG quality 1..100 (default: lookout.camera.jpeg-quality, 80)")
    Integer jpegQuality;

    @CommandLine.Option(names = "--loop", description = "start files and folders over at the end")
    boolean loop;

    @CommandLine.Option(names = "--as-fast-as-possible",
            description = "files and folders: send every frame as fast as Kafka takes them instead of at the file's rate")
    boolean asFastAsPossible;

    @CommandLine.Option(names = "--config", paramLabel = "FILE", description = "cameras file, one camera per line (see docs/camera.md)")
    Path config;

    @CommandLine.Mixin
    KafkaOptions kafka = new KafkaOptions();

    @CommandLine.Option(names = "--topic", defaultValue = Topics.FRAMES, description = "topic (default ${DEFAULT-VALUE})")
    String topic;

    @CommandLine.Option(names = "--status-interval", paramLabel = "SECONDS",
            description = "print a status line this often (0 = never; default: lookout.camera.status-interval, 5)")
    Integer statusInterval;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Inject
    MeterRegistry registry;

    @Inject
    Shutdown shutdown;

    @Inject
    RoleHealth health;

    @Override
    public Integer call() throws Exception {
        CameraSettings configured = LookoutConfig.current().camera();
        List<CameraSpec> specs;
        try {
            specs = specs(configured);
        } catch (IllegalArgumentException | java.io.IOException e) {
            System.err.println("lookout camera: " + e.getMessage());
            return 2;
        }
        boolean alone = specs.size() == 1 && config == null;
        CameraSettings settings = configured.withFailFast(alone);
        MeterRegistry meters = registry != null ? registry : new SimpleMeterRegistry();

        KafkaClients clients = kafka.clients();
        String servers = clients.bootstrapServers();
        try {
            TopicAdmin.ensure(clients.settings(), List.of(topic), Duration.ofSeconds(15));
        } catch (RuntimeException e) {
            System.err.println("lookout camera: " + e.getMessage());
            return 1;
        }
        Producer<String, byte[]> producer = CameraProducers.create(clients, "lookout-camera");
        CameraGroup group = new CameraGroup(specs, producer, topic, meters, settings);
        AutoCloseable closeProducer = () -> producer.close(Duration.ofSeconds(5));
        if (health != null) {
            health.register("camera", () -> true, () -> true); // each camera's state: lookout_camera_streaming
        }
        if (shutdown != null) {
            shutdown.register(closeProducer);
            shutdown.register(group); // closed first (newest first)
        }
        int interval = statusInterval != null ? statusInterval : settings.statusInterval();
        ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "camera-status");
            t.setDaemon(true);
            return t;
        });
        if (interval > 0) {
            status.scheduleAtFixedRate(() -> System.out.println("[camera] " + group.statusLine()), interval,
                    interval, TimeUnit.SECONDS);
        }
        System.out.printf("lookout camera: %d camera(s) -> %s on %s%n", specs.size(), topic, servers);
        System.out.flush();
        // Ctrl-C/SIGTERM: Quarkus fires its ShutdownEvent only after this method returns, so the
        // cameras are stopped from a JVM hook of our own; run() then returns and so do we
        Thread hook = new Thread(group::close, "camera-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Map<String, String> failures;
        try {
            failures = group.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already stopping: the hook is running
            }
        } finally {
            status.shutdownNow();
            group.close();
            producer.close(Duration.ofSeconds(5));
        }
        System.out.println("[camera] " + group.statusLine());
        failures.values().forEach(message -> System.err.println("lookout camera: " + message));
        return failures.isEmpty() || failures.size() < specs.size() && !alone ? 0 : 1;
    }

    private List<CameraSpec> specs(CameraSettings settings) throws java.io.IOException {
        int quality = jpegQuality != null ? jpegQuality : settings.jpegQuality();
        if (config != null) {
            if (source != null || cameraId != null) {
                throw new IllegalArgumentException("use either --config or --source/--camera-id, not both");
            }
            return CameraConfigFile.read(config, new CameraSpec("defaults", "-", fps, maxWidth, quality, loop,
                    !asFastAsPossible));
        }
        if (source == null || cameraId == null) {
            throw new IllegalArgumentException("--source and --camera-id are required (or --config FILE); see --help");
        }
        return List.of(new CameraSpec(cameraId, source, fps, maxWidth, quality, loop, !asFastAsPossible));
    }
}
