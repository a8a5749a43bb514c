package lookout.camera;

import static lookout.camera.CameraTests.header;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import lookout.broker.EmbeddedBroker;
import lookout.testing.TestBroker;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.kafka.Topics;
import lookout.testing.TestSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FileCameraIT {
    @RegisterExtension
    static final TestBroker broker = new TestBroker();

    @BeforeAll
    static void assumeTools() {
        TestMedia.assumeFfmpeg();
    }

    @Test
    void shouldPublishEveryFrameOfAFileOnceWithSequenceAndCaptureTime() throws Exception {
        // Given a 40-frame H.264 clip of the demo video, counted independently by ffprobe
        Path clip = TestMedia.clip(40, "libx264", "mkv");
        int frames = TestMedia.countFrames(clip);
        String topic = "frames-file";
        broker.createTopic(topic, 1);
        long before = System.currentTimeMillis();

        // When the bridge sends it as fast as possible, scaled to 384 px wide
        CameraSpec spec = new CameraSpec("door", clip.toString(), 0, 384, 80, false, false);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CameraStats stats;
        try (Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(spec, producer, topic, registry,
                        CameraTests.settings())) {
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
        try (KafkaConsumer<String, byte[]> consumer = broker.consumer(topic)) {
            List<ConsumerRecord<String, byte[]>> records = TestBroker.readUntil(consumer,
                    r -> r.size() >= frames, Duration.ofSeconds(30));
            // read a little longer: nothing beyond the file's frames may arrive
            records.addAll(TestBroker.readUntil(consumer, r -> false, Duration.ofSeconds(1)));
            assertThat(records).hasSize(frames);
            assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo("door"));
            assertThat(records.stream().mapToLong(r -> header(r, Topics.HEADER_SEQ)).toArray())
                    .containsExactly(LongStream.rangeClosed(1, frames).toArray());
            assertThat(records).allSatisfy(r -> assertThat(header(r, Topics.HEADER_TS)).isBetween(before, after));
            assertThat(records).allSatisfy(r -> assertThat(CameraTests.isJpeg(r.value())).isTrue());
            DecodedImage first = TestSettings.decoder().decode(records.get(0).value());
            assertThat(first.width()).isEqualTo(384);
            assertThat(first.height()).isEqualTo(288);
        }
    }

    @Test
    void shouldPublishTheImagesOfAFolderInNameOrder(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // Given five JPEG stills and a file that is not an image
        Path clip = TestMedia.clip(40, "libx264", "mkv");
        TestMedia.exec(List.of("ffmpeg", "-y", "-v", "error", "-i", clip.toString(), "-frames:v", "5",
                dir.resolve("still-%03d.jpg").toString()));
        java.nio.file.Files.writeString(dir.resolve("notes.txt"), "not an image");
        String topic = "frames-folder";
        broker.createTopic(topic, 1);

        // When the folder is sent as fast as possible
        CameraSpec spec = new CameraSpec("lobby", dir.toString(), 0, 0, 70, false, false);
        try (Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(spec, producer, topic, new SimpleMeterRegistry(),
                        CameraTests.settings())) {
            bridge.run();
            assertThat(bridge.stats().sent()).isEqualTo(5);
        }

        // Then five JPEG records with seq 1..5
        try (KafkaConsumer<String, byte[]> consumer = broker.consumer(topic)) {
            List<ConsumerRecord<String, byte[]>> records = TestBroker.readUntil(consumer, r -> r.size() >= 5,
                    Duration.ofSeconds(30));
            assertThat(records.stream().mapToLong(r -> header(r, Topics.HEADER_SEQ)).toArray())
                    .containsExactly(1, 2, 3, 4, 5);
            assertThat(records).allSatisfy(r -> assertThat(CameraTests.isJpeg(r.value())).isTrue());
            assertThat(TestSettings.decoder().decode(records.get(4).value()).width()).isEqualTo(768);
        }
    }

    @Test
    void shouldDownSampleAPacedFileToTheRequestedRate() throws Exception {
        // Given the 10 fps clip of 40 frames (4 s), asked for at 5 fps in real time
        Path clip = TestMedia.clip(40, "libx264", "mkv");
        String topic = "frames-paced";
        broker.createTopic(topic, 1);
        CameraSpec spec = new CameraSpec("paced", clip.toString(), 5, 0, 80, false, true);
        long start = System.nanoTime();
        CameraStats stats;
        try (Producer<String, byte[]> producer = CameraProducers.create(broker.clients(), "camera-test");
                CameraBridge bridge = new CameraBridge(spec, producer, topic, new SimpleMeterRegistry(),
                        CameraTests.settings())) {
            bridge.run();
            stats = bridge.stats();
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        // Then every other frame is sent (odd seqs), at the file's pace, none lagging
        assertThat(stats.sent() + stats.dropped()).isEqualTo(20);
        assertThat(stats.skipped()).isEqualTo(20);
        assertThat(seconds).as("paced at the file's rate: 4 s of video").isGreaterThan(3.5);
        try (KafkaConsumer<String, byte[]> consumer = broker.consumer(topic)) {
            List<ConsumerRecord<String, byte[]>> records = TestBroker.readUntil(consumer,
                    r -> r.size() >= stats.sent(), Duration.ofSeconds(30));
            assertThat(records).allSatisfy(r -> assertThat(header(r, Topics.HEADER_SEQ) % 2).isEqualTo(1));
            long[] ts = records.stream().mapToLong(r -> header(r, Topics.HEADER_TS)).toArray();
            assertThat(ts[ts.length - 1] - ts[0]).as("capture times span the clip").isBetween(3000L, 4500L);
        }
    }
}
