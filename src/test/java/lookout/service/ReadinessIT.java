package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.registry.KafkaModelRegistry;
import lookout.testing.AppProcess;
import lookout.testing.RegistryWatch;
import lookout.testing.TestBroker;
import lookout.testing.TestKeys;
import lookout.testing.TestModels;
import lookout.auth.Role;
import lookout.testing.TestSettings;
import lookout.testing.TestUsers;

/**
 * Readiness means "able to answer frames": a detector (the packaged app, `lookout serve`, over HTTP)
 * whose registry serves a version it refused stays ready (200 on /q/health/ready), says so in the
 * health JSON and in lookout_model_divergent, becomes ready again after a restart with the refused
 * pointer still there, and is in step again once a valid version is served.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ReadinessIT {
    @RegisterExtension
    static final TestBroker broker = TestBroker.withLoopTopics();
    @TempDir
    Path tmp;

    private static final String METRICS_USER = "prometheus";
    private static final String METRICS_PASSWORD = "readiness-it-scrape";

    private AppProcess serve() throws Exception {
        Path users = new TestUsers().add(METRICS_USER, Role.METRICS, METRICS_PASSWORD).write(tmp.resolve("users"));
        return AppProcess.start("readiness-it", "serve", Map.of(
                "LOOKOUT_AUTH_USERS_FILE", users.toString(),
                "KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "LOOKOUT_MODEL_DIR", TestModels.tinyModelDir().toAbsolutePath().toString(),
                "LOOKOUT_APPLICATION_ID", "lookout-readiness-it",
                "LOOKOUT_INSTANCE_ID", "readiness-it",
                "LOOKOUT_STATE_DIR", tmp.resolve("state").toString(),
                "LOOKOUT_MODELS_CACHE_DIR", tmp.resolve("cache").toString(),
                "LOOKOUT_LIVE_ENABLED", "false"));
    }

    private static JsonNode detector(AppProcess app) throws Exception {
        JsonNode health = Json.MAPPER.readTree(app.getManagement("/q/health/ready", METRICS_USER, METRICS_PASSWORD)); // get() fails on anything but 200
        assertThat(health.path("status").asText()).isEqualTo("UP");
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("detector")) {
                return check.path("data");
            }
        }
        throw new AssertionError("no detector check in " + health);
    }

    private static double metric(AppProcess app, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(app.getManagement("/q/metrics", METRICS_USER, METRICS_PASSWORD));
        if (!m.find()) {
            throw new AssertionError("no " + name + " in /q/metrics");
        }
        return Double.parseDouble(m.group(2));
    }

    @Test
    void shouldStayReadyAndReportDivergenceWhileTheRegistryServesARefusedVersionAlsoAfterARestart() throws Exception {
        Path tiny = TestModels.tinyModelDir();
        int chunk = TestSettings.config().models().chunkBytes();
        try (RegistryWatch watch = new RegistryWatch(broker);
                KafkaModelRegistry trainer = new KafkaModelRegistry(broker.clients(), "it-readiness", chunk,
                        TestKeys.signer(), TestKeys.trust());
                KafkaModelRegistry unsigned = new KafkaModelRegistry(broker.clients(), "it-readiness-unsigned", chunk,
                        null, null)) {
            // Given a ready detector
            try (AppProcess app = serve().awaitReady(Duration.ofMinutes(3))) {
                assertThat(detector(app).path("registryDivergent").asBoolean()).isFalse();
                assertThat(metric(app, "lookout_model_divergent")).isZero();
                // When an unsigned model is published as the serving version
                unsigned.publish(TestModels.variant(tiny, tmp.resolve("v1"), "1"), "1", true, null);
                watch.await("model-refused", e -> e.path("version").asText().equals("1"), Duration.ofMinutes(2));
                // Then readiness stays 200, and the divergence is in the health JSON and the metrics
                JsonNode data = detector(app);
                assertThat(data.path("registryDivergent").asBoolean()).isTrue();
                assertThat(data.path("registryDivergence").asText()).contains("version 1").contains("unsigned");
                assertThat(data.path("servingRegistryVersion").asBoolean()).isFalse();
                assertThat(metric(app, "lookout_model_divergent")).isEqualTo(1.0);
                assertThat(app.getManagement("/q/metrics", METRICS_USER, METRICS_PASSWORD)).containsPattern("lookout_model_refused_total\\{[^}]*reason=\"unsigned\"[^}]*\\} 1\\.0");
                assertThat(app.getManagement("/q/health/live", METRICS_USER, METRICS_PASSWORD)).contains("\"UP\"");
            }
            // When the replica restarts with the refused pointer still in the registry, Then it becomes ready
            long restart = System.nanoTime();
            try (AppProcess app = serve().awaitReady(Duration.ofMinutes(3))) {
                double seconds = (System.nanoTime() - restart) / 1e9;
                RegistryWatch.await("the restarted replica reporting the divergence", () -> {
                    try {
                        return detector(app).path("registryDivergent").asBoolean();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Duration.ofMinutes(1));
                assertThat(metric(app, "lookout_model_divergent")).isEqualTo(1.0);
                // When a valid signed version is served, Then the replica loads it and is in step again
                trainer.publish(TestModels.variant(tiny, tmp.resolve("v2"), "2"), "2", true, "1");
                watch.await("model-loaded", e -> e.path("version").asText().equals("2"), Duration.ofMinutes(2));
                RegistryWatch.await("in step with version 2", () -> {
                    try {
                        JsonNode d = detector(app);
                        return d.path("servingRegistryVersion").asBoolean() && !d.path("registryDivergent").asBoolean();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Duration.ofMinutes(1));
                assertThat(metric(app, "lookout_model_divergent")).isZero();
                assertThat(watch.versionThatAnswers("cam")).isEqualTo("2");
                System.out.printf("ReadinessIT: ready (200) with the registry serving a refused version, also %.1f s "
                        + "after a restart; in step once a valid version was served%n", seconds);
            }
        }
    }
}
