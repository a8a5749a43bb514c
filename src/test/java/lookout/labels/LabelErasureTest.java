package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LabelErasureTest {
    private long offset;

    private ConsumerRecord<String, byte[]> record(String id, String json, long ts) {
        return new ConsumerRecord<>("lookout.labels", 0, offset++, ts, TimestampType.CREATE_TIME, 0, 0, id,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty());
    }

    @Test
    void shouldFindEverySampleOfTheCameraWhoseLatestRecordIsStillThere() {
        LabelErasure e = new LabelErasure("door", Long.MAX_VALUE);
        e.apply(record("door/1", "{\"camera\":\"door\",\"image\":\"x\"}", 1));
        e.apply(record("door/2", "{\"camera\":\"door\"}", 2));
        e.apply(record("door/2", null, 3));                                 // already deleted
        e.apply(record("x/3", "{\"camera\":\"door\"}", 4));                 // named otherwise, still door's
        e.apply(record("door/4", "not json at all", 5));                   // rejected record: by its id
        e.apply(record("door/5", "{\"camera\":\"yard\"}", 6));              // the camera field decides
        e.apply(record("doorway/6", "{\"image\":\"x\"}", 7));              // another camera's prefix
        e.apply(record("door/7", "{\"camera\":\"yard\"}", 8));
        e.apply(record("door/7", "{\"camera\":\"door\"}", 9));              // the latest record decides
        assertThat(e.ids()).containsExactly("door/1", "door/4", "door/7", "x/3");
    }

    @Test
    void shouldOnlyFindSamplesWrittenBeforeTheCutOff() {
        LabelErasure e = new LabelErasure("door", 100);
        e.apply(record("door/old", "{\"camera\":\"door\"}", 99));
        e.apply(record("door/new", "{\"camera\":\"door\"}", 100));
        assertThat(e.ids()).containsExactly("door/old");
    }
}
