package lookout.camera;

import static lookout.camera.KafkaTestSupport.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.broker.EmbeddedBroker;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileCameraIT {
    static EmbeddedBroker broker;

    @BeforeAll
    static void startBroker() {
        TestMedia.assumeFfmpeg();
        broker = EmbeddedBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void shouldPublishEveryFrameOfAFileOnceWithSequenceAndCaptureTime() throws Exception {
        // Given a 40-frame H.264 clip of the demo video, counted independently by ffprobe
        Path clip = TestMedia.clip(40, "libx264", "mkv");
        int frames = TestMedia.countFrames(clip);
        String topic = "frames-file";
        KafkaTestSupport.createTopic(broker, topic, 1);
        long before = System.currentTimeMillis();

        // When the bridge sends it as fast as possible, scaled to 384 px wide
        CameraSpec spec = new CameraSpec("door", clip.toString(), 0, 384, 80, false, false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CameraStats stats;
        try (Producer<String, byte[]> producer = KafkaTestSupport.producer(broker);
                CameraBridge bridge = new CameraBridge(spec, producer, topic, registry)) {
            bridge.run();
            stats = bridge.stats();
            assertThat(registry.get("lookout.camera.frames.sent").tag("camera", "door").functionCounter().count())
                    .isEqualTo(frames);
        }
        long after = System.currentTimeMillis();

        // Then the topic holds exactly the file's frames, in order, keyed by camera, as JPEG
        assertThat(stats.state()).isEqualTo(CameraState.FINISHED);
        assertThat(stats.sent()).isEqualTo(frames);
        assertThat(stats.dropped()).isZero();
        assertThat(stats.lastSeq()).isEqualTo(frames);
        try (KafkaConsumer<String, byte[]> consumer = KafkaTestSupport.consumer(broker, topic)) {
            List<ConsumerRecord<String, byte[]>> records = KafkaTestSupport.readUntil(consumer,
                    r -> r.size() >= frames, Duration.ofSeconds(30));
            // read a little longer: nothing beyond the file's frames may arrive
            records.addAll(KafkaTestSupport.readUntil(consumer, r -> false, Duration.ofSeconds(1)));
            assertThat(records).hasSize(frames);
            assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo("door"));
            assertThat(records.stream().mapToLong(r -> header(r, Topics.HEADER_SEQ)).toArray())
                    .containsExactly(LongStream.rangeClosed(1, frames).toArray());
            assertThat(records).allSatisfy(r -> assertThat(header(r, Topics.HEADER_TS)).isBetween(before, after));
            assertThat(records).allSatisfy(r -> assertThat(KafkaTestSupport.isJpeg(r.value())).isTrue());
            DecodedImage first = FrameDecoder.withDefaults().decode(records.get(0).value());
            assertThat(first.width()).isEqualTo(384);
            assertThat(first.height()).isEqualTo(288);
        }
    }
}
