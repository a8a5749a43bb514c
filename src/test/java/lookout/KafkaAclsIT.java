package lookout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import lookout.camera.CameraProducers;
import lookout.common.Json;
import lookout.config.LookoutConfig;
import lookout.kafka.AclAdmin;
import lookout.kafka.Acls;
import lookout.kafka.Acls.Role;
import lookout.kafka.AclsCommand;
import lookout.kafka.Groups;
import lookout.kafka.KafkaClients;
import lookout.kafka.TopicAdmin;
import lookout.kafka.Topics;
import lookout.testing.LookoutProcess;
import lookout.testing.TestBroker;
import lookout.testing.TestFrames;
import lookout.testing.TestModels;

/**
 * Least privilege, proven on a broker that enforces it: the embedded KRaft broker with SASL_SSL
 * (SCRAM-SHA-512) and Kafka's StandardAuthorizer, a super user that writes the ACLs of
 * {@link Acls} (nothing else), and one Kafka user per role. Every role runs as the packaged app in a
 * child process under its own user, configured by {@code KAFKA_*} variables only: the admin provisions
 * the topics, the publisher publishes the model, the detector answers a camera's frames exactly once,
 * the operator imports labels and sends commands, the trainer retrains and publishes, the detector
 * hot-swaps, the live page's user reads frames and detections. Then a camera's credentials try what
 * a camera must not (write the registry, commands or labels, read answers or other cameras' frames,
 * join the detector's group, take its transactional ids, create topics, change or erase the frames
 * topic): each is refused with Kafka's authorization error, and the detector answers the camera's next
 * good frame.
 */
@Timeout(value = 9, unit = TimeUnit.MINUTES)
class KafkaAclsIT {
    static final String SUPER = "admin";
    static final String CAMERA_ID = "acl-cam";

    @RegisterExtension
    static final TestBroker broker = TestBroker.withAuthorizer(SUPER,
            java.util.Arrays.stream(Role.values()).map(Role::user).toList());

    @TempDir
    Path tmp;
    private final List<LookoutProcess> running = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (LookoutProcess p : running) {
            p.kill();
        }
    }

    private static Map<String, String> env(Role role) {
        return broker.env(role.user());
    }

    private static KafkaClients clients(Role role) {
        return broker.clients(role.user());
    }

    private Map<String, String> config(Path tiny) {
        Map<String, String> c = new HashMap<>();
        c.put("lookout.model.dir", tiny.toAbsolutePath().toString());
        c.put("lookout.models.cache-dir", tmp.resolve("cache").toString());
        c.put("lookout.trainer.work-dir", tmp.resolve("work").toString());
        c.put("lookout.state-dir", tmp.resolve("streams").toString());
        c.put("quarkus.http.host-enabled", "false");
        return c;
    }

    private int cli(String name, Role role, Path tiny, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--bootstrap-servers");
        all.add(broker.bootstrapServers());
        return LookoutProcess.run(name, config(tiny), env(role), Duration.ofMinutes(5), all.toArray(String[]::new));
    }

    /** The operation failed, and Kafka's reason, somewhere in the chain of causes, is of this type. */
    private static Predicate<Throwable> refusedWith(Class<? extends Throwable> type) {
        return e -> {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (type.isInstance(t)) {
                    return true;
                }
            }
            return false;
        };
    }

    @Test
    void shouldLetEachRoleDoItsJobUnderItsOwnUserAndRefuseACameraEverythingElse() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        LookoutProcess.assumePackaged();
        Acls.Deployment deployment = Acls.Deployment.of(LookoutConfig.current());

        // Given the table's ACLs, written by the super user, and nothing else
        int bindings = AclAdmin.apply(broker.kafka(), AclsCommand.bindings(deployment, Map.of(), List.of()));
        // a role may not create the topics it misses: it says so and names the fix
        assertThatThrownBy(() -> TopicAdmin.ensure(clients(Role.OPERATOR).settings(), Topics.LOOP, Duration.ofSeconds(30)))
                .hasMessageContaining("may not create").hasMessageContaining("lookout topics create")
                .matches(refusedWith(TopicAuthorizationException.class));
        // the admin role provisions them
        assertThat(cli("topics-create", Role.ADMIN, tiny, "topics", "create")).isZero();

        // When the publisher publishes the model, the detector starts and a camera sends 12 frames
        assertThat(cli("models-publish", Role.PUBLISHER, tiny, "models", "publish", tiny.toString(), "--serve")).isZero();
        Map<String, String> serve = config(tiny);
        serve.put("quarkus.http.host-enabled", "true");
        serve.put("quarkus.http.port", "0");
        LookoutProcess detector = LookoutProcess.start("serve-acl", serve, env(Role.DETECTOR), "serve",
                "--bootstrap-servers", broker.bootstrapServers());
        running.add(detector);
        detector.awaitOutput("lookout serving model", Duration.ofMinutes(3));
        try (KafkaConsumer<String, byte[]> live = clients(Role.LIVE).consumer(null, "it-live")) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(Topics.FRAMES, Topics.DETECTIONS)) {
                live.partitionsFor(topic).forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
            }
            live.assign(parts);
            live.seekToBeginning(parts);
            List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

            Path frames = Files.createDirectories(tmp.resolve("frames"));
            for (int i = 1; i <= 12; i++) {
                Files.write(frames.resolve(String.format("%03d.jpg", i)), TestFrames.image("jpg", 160, 120 + i));
            }
            assertThat(cli("camera", Role.CAMERA, tiny, "camera", "--camera-id", CAMERA_ID, "--source",
                    frames.toString(), "--fps", "10")).isZero();

            // Then the live page's user reads the 12 frames and exactly one committed answer to each
            readUntil(live, seen, s -> answers(s).size() >= 12 && count(s, Topics.FRAMES) >= 12, Duration.ofMinutes(2));
            assertThat(count(seen, Topics.FRAMES)).isEqualTo(12);
            assertThat(answers(seen)).hasSize(12);
            assertThat(seqs(answers(seen))).hasSize(12);

            // When a camera's credentials try what a camera must not
            KafkaClients camera = clients(Role.CAMERA);
            int refused = 0;
            try (Producer<String, byte[]> p = CameraProducers.create(camera, "it-rogue-camera")) {
                for (String topic : List.of(Topics.MODELS, Topics.CONTROL, Topics.LABELS, Topics.DETECTIONS)) {
                    byte[] value = "{\"command\":\"promote\",\"version\":\"1\"}".getBytes(StandardCharsets.UTF_8);
                    assertThatThrownBy(() -> p.send(new ProducerRecord<>(topic, "serving", value)).get(30, TimeUnit.SECONDS))
                            .as("camera writes %s", topic).matches(refusedWith(TopicAuthorizationException.class));
                    refused++;
                }
                for (String topic : List.of(Topics.DETECTIONS, Topics.FRAMES, Topics.MODELS)) {
                    try (KafkaConsumer<String, byte[]> c = camera.consumer(null, "it-rogue-reader")) {
                        c.assign(List.of(new TopicPartition(topic, 0)));
                        assertThatThrownBy(() -> c.poll(Duration.ofSeconds(10))).as("camera reads %s", topic)
                                .matches(refusedWith(TopicAuthorizationException.class));
                        refused++;
                    }
                }
                try (KafkaConsumer<String, byte[]> c = camera.consumer(deployment.detectorApplicationId(), "it-rogue-member")) {
                    c.subscribe(List.of(Topics.FRAMES));
                    assertThatThrownBy(() -> c.poll(Duration.ofSeconds(10))).as("camera joins the detector's group")
                            .matches(refusedWith(GroupAuthorizationException.class));
                    refused++;
                }
                try (KafkaProducer<String, byte[]> fencer = camera.transactionalProducer(
                        Groups.streamsPrefix(deployment.detectorApplicationId()) + "rogue-0")) {
                    assertThatThrownBy(fencer::initTransactions).as("camera takes a detector transactional id")
                            .matches(refusedWith(TransactionalIdAuthorizationException.class));
                    refused++;
                }
                try (Admin admin = camera.admin(Duration.ofSeconds(20))) {
                    assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("lookout.frames.rogue", 1, (short) 1)))
                            .all().get(20, TimeUnit.SECONDS)).as("camera creates a topic")
                            .matches(refusedWith(AuthorizationException.class));
                    refused++;
                    ConfigResource framesTopic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.FRAMES);
                    Map<ConfigResource, Collection<AlterConfigOp>> erase = Map.of(framesTopic, List.of(new AlterConfigOp(
                            new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)));
                    assertThatThrownBy(() -> admin.incrementalAlterConfigs(erase).all().get(20, TimeUnit.SECONDS))
                            .as("camera shortens the frames' retention").matches(refusedWith(AuthorizationException.class));
                    refused++;
                    assertThatThrownBy(() -> admin.deleteRecords(Map.of(new TopicPartition(Topics.FRAMES, 0),
                            RecordsToDelete.beforeOffset(1))).all().get(20, TimeUnit.SECONDS))
                            .as("camera deletes frames").matches(refusedWith(TopicAuthorizationException.class));
                    refused++;
                }

                // Then the service goes on: the same camera user's next good frame is answered
                ProducerRecord<String, byte[]> good = new ProducerRecord<>(Topics.FRAMES, CAMERA_ID,
                        TestFrames.image("jpg", 160, 140));
                good.headers().add(Topics.HEADER_SEQ, "13".getBytes(StandardCharsets.UTF_8));
                good.headers().add(Topics.HEADER_TS, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8));
                p.send(good).get(30, TimeUnit.SECONDS);
            }
            readUntil(live, seen, s -> seqs(answers(s)).contains(13L), Duration.ofMinutes(1));
            assertThat(answers(seen)).filteredOn(a -> a.path("seq").asLong() == 13).singleElement()
                    .satisfies(a -> assertThat(a.path("status").asText()).isEqualTo("ok"));
            assertThat(detector.alive()).isTrue();
            System.out.printf("KafkaAclsIT: a camera's %d forbidden attempts refused; its next frame answered%n", refused);
        }

        // The other roles stay in their lanes too: neither the operator nor the detector nor the live
        // page can write the registry (code on every detector) or frames
        for (Role role : List.of(Role.OPERATOR, Role.DETECTOR, Role.LIVE)) {
            try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(clients(role).properties(Map.of(),
                    Map.of("client.id", "it-" + role.id() + "-rogue", "enable.idempotence", false, "acks", "all")),
                    new StringSerializer(), new ByteArraySerializer())) {
                for (String topic : List.of(Topics.MODELS, Topics.FRAMES)) {
                    if (role == Role.DETECTOR && topic.equals(Topics.FRAMES)) {
                        continue; // the detector reads frames; it does not write them either, but that is not the point here
                    }
                    assertThatThrownBy(() -> p.send(new ProducerRecord<>(topic, "serving", new byte[] {1})).get(30,
                            TimeUnit.SECONDS)).as("%s writes %s", role.id(), topic)
                            .matches(refusedWith(TopicAuthorizationException.class));
                }
            }
        }

        // When the operator imports labels and asks for a retrain, the trainer acts under its own user
        Path yolo = tmp.resolve("yolo");
        Files.createDirectories(yolo.resolve("images"));
        Files.createDirectories(yolo.resolve("labels"));
        Files.writeString(yolo.resolve("data.yaml"), "names: [person]\n");
        for (int i = 1; i <= 12; i++) {
            Files.write(yolo.resolve("images").resolve(String.format("f%03d.jpg", i)), TestFrames.image("jpg", 160, 120 + i));
            Files.writeString(yolo.resolve("labels").resolve(String.format("f%03d.txt", i)), "0 0.38 0.5 0.1 0.5\n");
        }
        assertThat(cli("labels-import", Role.OPERATOR, tiny, "labels", "import", "--format", "yolo", yolo.toString(),
                "--camera", CAMERA_ID)).isZero();
        LookoutProcess trainer = LookoutProcess.start("trainer-acl", config(tiny), env(Role.TRAINER), "trainer",
                "--bootstrap-servers", broker.bootstrapServers());
        running.add(trainer);
        trainer.awaitOutput("waiting for commands", Duration.ofMinutes(2));
        assertThat(cli("control-send", Role.OPERATOR, tiny, "control", "send",
                "{\"command\":\"retrain\",\"epochs\":1,\"camera\":\"" + CAMERA_ID + "\",\"id\":\"acl-1\"}")).isZero();
        assertThat(cli("control-events", Role.OPERATOR, tiny, "control", "events", "--from-beginning", "--until",
                "published,rejected,failed", "--id", "acl-1", "--timeout", "PT5M")).isZero();
        assertThat(cli("control-reload", Role.OPERATOR, tiny, "control", "send", "{\"command\":\"reload\"}")).isZero();
        assertThat(cli("control-events-reload", Role.OPERATOR, tiny, "control", "events", "--from-beginning", "--until",
                "model-loaded", "--timeout", "PT3M")).isZero();
        assertThat(cli("models-list", Role.OPERATOR, tiny, "models", "list")).isZero();
        assertThat(cli("labels-export", Role.OPERATOR, tiny, "labels", "export", "--out",
                tmp.resolve("coco.json").toString())).isZero();

        // Then the loop ran: the retrain's outcome came from the trainer, the detector reloaded, all
        // events written by the roles' own users
        List<JsonNode> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c = clients(Role.OPERATOR).consumer(null, "it-events")) {
            TopicPartition p0 = new TopicPartition(Topics.EVENTS, 0);
            c.assign(List.of(p0));
            c.seekToBeginning(List.of(p0));
            long end = c.endOffsets(List.of(p0)).get(p0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (c.position(p0) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    events.add(Json.MAPPER.readTree(r.value()));
                }
            }
        }
        assertThat(events).anyMatch(e -> "acl-1".equals(e.path("id").asText())
                && List.of("published", "rejected").contains(e.path("type").asText())
                && e.path("source").asText().startsWith("trainer@"));
        assertThat(events).anyMatch(e -> "model-loaded".equals(e.path("type").asText())
                && e.path("source").asText().startsWith("detector@"));
        assertThat(Files.readString(tmp.resolve("coco.json"))).contains("\"images\"");
        assertThat(detector.alive()).isTrue();
        System.out.printf("KafkaAclsIT: %d ACL bindings from lookout.kafka.Acls on a StandardAuthorizer broker; admin, "
                + "publisher, detector, camera, live page, operator and trainer each worked under its own user%n", bindings);
    }

    private static void readUntil(KafkaConsumer<String, byte[]> c, List<ConsumerRecord<String, byte[]>> seen,
            Predicate<List<ConsumerRecord<String, byte[]>>> enough, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!enough.test(seen) && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(300)).forEach(seen::add);
        }
    }

    private static long count(List<ConsumerRecord<String, byte[]>> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).count();
    }

    private static List<JsonNode> answers(List<ConsumerRecord<String, byte[]>> records) {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(Topics.DETECTIONS)) {
                try {
                    JsonNode n = Json.MAPPER.readTree(r.value());
                    if (CAMERA_ID.equals(n.path("camera").asText())) {
                        out.add(n);
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError("an answer that is not JSON: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    private static Set<Long> seqs(List<JsonNode> answers) {
        Set<Long> s = new TreeSet<>();
        answers.forEach(a -> s.add(a.path("seq").asLong()));
        return s;
    }
}
