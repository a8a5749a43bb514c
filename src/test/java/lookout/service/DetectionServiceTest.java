package lookout.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.config.DetectorSettings;
import lookout.config.FrameLimits;
import lookout.config.FramePolicy;
import lookout.config.GroupSettings;
import lookout.config.KafkaSettings;
import lookout.config.TopicSettings;
import lookout.detect.FetchedFrames;
import lookout.detect.FetchedFramesInterceptor;
import lookout.kafka.KafkaClients;

class DetectionServiceTest {
    static DetectorSettings settings(String devices, int workers, int batch, int threads, String guarantee) {
        return new DetectorSettings(Path.of("m"), devices, workers, batch, Duration.ofMillis(5), 64, Duration.ofSeconds(10),
                0.5f, Duration.ofSeconds(60), guarantee, threads, Duration.ofMillis(100), "app-x",
                new FrameLimits(8_388_608, 8192, 37_748_736L), Path.of("state"), FramePolicy.LATEST_FRAME,
                Duration.ofSeconds(5), 1);
    }

    @Test
    void shouldRunBatchSizeTimesWorkersStreamThreadsByDefault() {
        assertThat(settings("cpu", 1, 4, 0, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(4);
        assertThat(settings("gpu:0,gpu:1", 2, 8, 0, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(32);
        assertThat(settings("cpu", 1, 4, 3, "exactly_once_v2").effectiveStreamThreads()).isEqualTo(3);
    }

    @Test
    void shouldConfigureStreamsForExactlyOnceAndLargeDeadLetters() {
        KafkaSettings kafka = new KafkaSettings(Map.of("bootstrap.servers", "k:9092", "security.protocol", "SSL",
                "application.id", "someone-else"), new TopicSettings(4, (short) 3, 8_388_608, 524_288),
                new GroupSettings("replica-a", Duration.ofSeconds(10)));
        DetectionService service = new DetectionService(settings("cpu", 1, 4, 0, "exactly_once_v2"),
                new KafkaClients(kafka), new SimpleMeterRegistry(), null, null);
        Properties p = service.streamsConfig();
        assertThat(p).containsEntry("application.id", "app-x")
                .containsEntry("bootstrap.servers", "k:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("num.stream.threads", 4)
                .containsEntry("commit.interval.ms", 100L)
                .containsEntry("replication.factor", 3)
                .containsEntry("producer.max.request.size", 8_388_608 + 65_536)
                .containsEntry("main.consumer.interceptor.classes", FetchedFramesInterceptor.class.getName())
                .containsEntry("consumer.max.poll.records", 500);
        assertThat(p.get("main.consumer." + FetchedFramesInterceptor.FETCHED_FRAMES_CONFIG)).isInstanceOf(FetchedFrames.class);
    }

    @Test
    void shouldInstallNoInterceptorUnderTheEveryFramePolicy() {
        KafkaSettings kafka = new KafkaSettings(Map.of("bootstrap.servers", "k:9092"), new TopicSettings(1, (short) 1, 1024, 1024),
                new GroupSettings("d", Duration.ofSeconds(10)));
        DetectionService service = new DetectionService(settings("cpu", 1, 4, 0, "exactly_once_v2")
                .withScheduling(FramePolicy.EVERY_FRAME), new KafkaClients(kafka), new SimpleMeterRegistry(), null, null);
        Properties p = service.streamsConfig();
        assertThat(p).doesNotContainKey("main.consumer.interceptor.classes").containsEntry("consumer.max.poll.records", 10);
    }

    @Test
    void shouldJoinAsAStaticMemberWithAShortSessionAndLastLineHandlers() {
        KafkaSettings kafka = new KafkaSettings(Map.of("bootstrap.servers", "k:9092"),
                new TopicSettings(4, (short) 1, 8_388_608, 524_288), new GroupSettings("detector-0", Duration.ofSeconds(10)));
        DetectionService service = new DetectionService(settings("cpu", 1, 4, 0, "exactly_once_v2"),
                new KafkaClients(kafka), new SimpleMeterRegistry(), null, null);
        Properties p = service.streamsConfig();
        // Streams appends the thread number: detector-0-1 .. detector-0-4
        assertThat(p).containsEntry("main.consumer.group.instance.id", "detector-0")
                .containsEntry("main.consumer.session.timeout.ms", 10_000)
                .containsEntry("processing.exception.handler", lookout.detect.LastLineHandlers.Processing.class)
                .containsEntry("production.exception.handler", lookout.detect.LastLineHandlers.Production.class)
                .containsEntry("default.timestamp.extractor", lookout.detect.FrameTimestamps.class);
        assertThat(p.get(lookout.detect.LastLineHandlers.METRICS)).isNotNull();
        // the process id, so the transactional ids, live in a state folder of this replica's own
        assertThat(p.get("state.dir")).isEqualTo(Path.of("state", "detector-0").toAbsolutePath().toString());
    }

    @Test
    void shouldSizeOutputRecordsByTheSmallerOfTheTopicsAndTheProducersLimit() {
        DetectionService service = new DetectionService(settings("cpu", 1, 4, 0, "exactly_once_v2"),
                new KafkaClients(new KafkaSettings(Map.of("bootstrap.servers", "k:9092"),
                        new TopicSettings(4, (short) 1, 1_000_000, 524_288), new GroupSettings("d", Duration.ofSeconds(10)))),
                new SimpleMeterRegistry(), null, null);
        Properties p = service.streamsConfig();
        var limits = service.topologySettings(Map.of("lookout.detections", 500_000, "lookout.frames.dlq", 50_000_000), p);
        assertThat(limits.detectionsMaxBytes()).isEqualTo(500_000);
        assertThat(limits.dlqMaxBytes()).as("the producer's max.request.size").isEqualTo(1_000_000 + 65_536);
    }

    @Test
    void shouldStopInsteadOfFightingAnotherReplicaWithTheSameInstanceId() {
        assertThat(DetectionService.onStreamThreadFailure(new org.apache.kafka.streams.errors.StreamsException(
                new org.apache.kafka.common.errors.FencedInstanceIdException("fenced"))))
                .isEqualTo(org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(DetectionService.onStreamThreadFailure(new IllegalStateException("boom")))
                .isEqualTo(org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
    }

    @Test
    void shouldBeReadyWhenWarmAndRunningWhateverTheRegistryServes() {
        assertThat(DetectionService.ready(true, KafkaStreams.State.RUNNING)).isTrue();
        assertThat(DetectionService.ready(false, KafkaStreams.State.RUNNING)).isFalse();
        assertThat(DetectionService.ready(true, KafkaStreams.State.REBALANCING)).isFalse();
        assertThat(DetectionService.ready(true, null)).isFalse();
    }

    @Test
    void shouldReportRegistryDivergenceAsADetailNotAsReadiness() {
        // Given a service following a registry whose serving version this replica refused
        DetectionService service = new DetectionService(settings("cpu", 1, 1, 0, "at_least_once"),
                new KafkaClients(new KafkaSettings(Map.of("bootstrap.servers", "k:9092"),
                        new TopicSettings(1, (short) 1, 1024, 1024), new GroupSettings("r", Duration.ofSeconds(10)))),
                new SimpleMeterRegistry(), null, null);
        assertThat(service.servingInStep()).as("no registry followed: the configured model is what serves").isTrue();
        assertThat(service.registryDivergence()).isNull();
        service.followRegistry(() -> false, () -> true, () -> "the registry serves version 2, refused here (unsigned)");
        // Then the divergence is reported, and readiness does not depend on it
        assertThat(service.servingInStep()).isFalse();
        assertThat(service.registryDivergence()).contains("unsigned");
        assertThat(DetectionService.ready(true, KafkaStreams.State.RUNNING)).isTrue();
        assertThat(service.alive()).as("the watcher follows: alive").isTrue();
    }
}
