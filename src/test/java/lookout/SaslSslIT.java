package lookout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.broker.EmbeddedBroker;
import lookout.common.Json;
import lookout.config.KafkaSettings;
import lookout.kafka.KafkaClients;
import lookout.kafka.Topics;
import lookout.testing.LookoutProcess;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;
import lookout.testing.TestTls;

/**
 * Every role and command over SASL_SSL (SCRAM-SHA-512 on TLS with a CA generated at test time),
 * configured the way an operator does it: the {@code KAFKA_*} environment variables of
 * {@code kafka.*} settings, nothing else. The embedded broker offers only that listener to clients,
 * so a client that missed the settings could not connect at all.
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class SaslSslIT {
    static final String USER = "lookout";
    static final String PASSWORD = "scram-" + Long.toHexString(System.nanoTime());
    @TempDir
    Path tmp;
    private EmbeddedBroker broker;
    private final List<LookoutProcess> running = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (LookoutProcess p : running) {
            p.kill();
        }
        if (broker != null) {
            broker.close();
        }
    }

    static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** The operator's settings: environment variables only. */
    static Map<String, String> env(TestTls tls, String password) {
        return Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", jaas(USER, password),
                "KAFKA_SSL_TRUSTSTORE_LOCATION", tls.truststore().toAbsolutePath().toString(),
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", tls.password(), "KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
    }

    /** The same settings as kafka.* properties, for this test's own clients. */
    KafkaClients clients(TestTls tls, String password) {
        KafkaSettings k = TestSettings.config().kafka().withBootstrapServers(broker.bootstrapServers());
        Map<String, Object> props = new HashMap<>(k.clientProperties());
        env(tls, password).forEach((key, v) -> props.put(key.substring(6).toLowerCase().replace('_', '.'), v));
        return new KafkaClients(new KafkaSettings(props, k.topics(), k.group()));
    }

    private Map<String, String> config(Path tiny) {
        Map<String, String> c = new HashMap<>();
        c.put("lookout.model.dir", tiny.toAbsolutePath().toString());
        c.put("lookout.models.cache-dir", tmp.resolve("cache").toString());
        c.put("lookout.trainer.work-dir", tmp.resolve("work").toString());
        c.put("quarkus.http.host-enabled", "false");
        return c;
    }

    private int cli(String name, Map<String, String> env, Path tiny, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-servers");
        all.add(broker.bootstrapServers());
        return LookoutProcess.run(name, config(tiny), env, Duration.ofMinutes(5), all.toArray(String[]::new));
    }

    @Test
    void shouldRunEveryRoleAndCommandOverSaslSsl() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        LookoutProcess.assumePackaged();
        // Given a broker whose client listener is SASL_SSL only, with a CA, a broker certificate and a user
        TestTls tls = TestTls.generate(Files.createDirectories(tmp.resolve("tls")));
        broker = EmbeddedBroker.start(0, null, new EmbeddedBroker.Security(tls.keystore(), tls.password(),
                Map.of(USER, PASSWORD)));
        Map<String, String> env = env(tls, PASSWORD);
        KafkaClients clients = clients(tls, PASSWORD);
        // a wrong password is refused: the listener really authenticates
        try (Admin admin = clients(tls, "wrong").admin(Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(SaslAuthenticationException.class);
        }

        // When each command runs with the operator's settings
        assertThat(cli("models-publish", env, tiny, "models", "publish", tiny.toString(), "--serve")).isZero();
        Map<String, String> serveConfig = config(tiny);
        serveConfig.put("quarkus.http.host-enabled", "true");
        serveConfig.put("quarkus.http.port", "0");
        serveConfig.put("lookout.application-id", "sasl-detector");
        LookoutProcess detector = LookoutProcess.start("serve-sasl", serveConfig, env, "serve", "--bootstrap-servers",
                broker.bootstrapServers());
        running.add(detector);
        detector.awaitOutput("lookout serving model", Duration.ofMinutes(3));

        Path frames = Files.createDirectories(tmp.resolve("frames"));
        Path yolo = tmp.resolve("yolo");
        Files.createDirectories(yolo.resolve("images"));
        Files.createDirectories(yolo.resolve("labels"));
        Files.writeString(yolo.resolve("data.yaml"), "names: [person]\n");
        for (int i = 1; i <= 12; i++) {
            byte[] jpeg = TestFrames.image("jpg", 160, 120 + i);
            Files.write(frames.resolve(String.format("%03d.jpg", i)), jpeg);
            Files.write(yolo.resolve("images").resolve(String.format("f%03d.jpg", i)), jpeg);
            Files.writeString(yolo.resolve("labels").resolve(String.format("f%03d.txt", i)), "0 0.38 0.5 0.1 0.5\n");
        }
        assertThat(cli("camera-sasl", env, tiny, "camera", "--camera-id", "sasl-cam", "--source", frames.toString(),
                "--fps", "10")).isZero();
        assertThat(cli("labels-import", env, tiny, "labels", "import", "--format", "yolo", yolo.toString(),
                "--camera", "sasl-cam")).isZero();
        LookoutProcess trainer = LookoutProcess.start("trainer-sasl", config(tiny), env, "trainer",
                "--bootstrap-servers", broker.bootstrapServers());
        running.add(trainer);
        trainer.awaitOutput("waiting for commands", Duration.ofMinutes(2));
        assertThat(cli("control-send", env, tiny, "control", "send",
                "{\"command\":\"retrain\",\"epochs\":1,\"camera\":\"sasl-cam\",\"id\":\"sasl-1\"}")).isZero();
        assertThat(cli("control-events", env, tiny, "control", "events", "--from-beginning", "--until",
                "published,rejected,failed", "--id", "sasl-1", "--timeout", "PT5M")).isZero();
        assertThat(cli("control-reload", env, tiny, "control", "send", "{\"command\":\"reload\"}")).isZero();
        assertThat(cli("control-events-reload", env, tiny, "control", "events", "--from-beginning", "--until",
                "model-loaded", "--timeout", "PT3M")).isZero();
        assertThat(cli("models-list", env, tiny, "models", "list")).isZero();
        assertThat(cli("labels-export", env, tiny, "labels", "export", "--out", tmp.resolve("coco.json").toString()))
                .isZero();

        // Then frames were answered, the loop ran and the detector's watcher reloaded, all over SASL_SSL
        List<JsonNode> detections = read(clients, Topics.DETECTIONS, 12);
        assertThat(detections).hasSize(12).allMatch(d -> d.get("camera").asText().equals("sasl-cam"));
        List<JsonNode> events = read(clients, Topics.EVENTS, 0);
        assertThat(events).anyMatch(e -> "sasl-1".equals(e.path("id").asText())
                && List.of("published", "rejected").contains(e.path("type").asText()));
        assertThat(events).anyMatch(e -> "model-loaded".equals(e.path("type").asText())
                && e.path("source").asText().startsWith("detector@"));
        assertThat(Files.readString(tmp.resolve("coco.json"))).contains("\"images\"");
        System.out.println("SaslSslIT: models publish/list, serve (detector + model watcher), camera, labels import/"
                + "export, trainer, control send/events: all over SASL_SSL (SCRAM-SHA-512), configured by KAFKA_* env only");
    }

    /** Reads a topic from its beginning over SASL_SSL until n records (or, with n = 0, until it is quiet). */
    private static List<JsonNode> read(KafkaClients clients, String topic, int n) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = clients.consumer(null, "it-sasl")) {
            var parts = c.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(n == 0 ? 10 : 120);
            while (System.nanoTime() < deadline && (n == 0 || out.size() < n)) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    out.add(Json.MAPPER.readTree(r.value()));
                }
            }
        }
        return out;
    }
}
