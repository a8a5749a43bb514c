package lookout.detections;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.common.Json;

class DetectionRecordTest {
    @Test
    void shouldKeepAnItemsColourDescriptorOutOfThePublishedJson() throws Exception {
        // Given an item with a colour descriptor and a track id
        float[] look = new float[Appearance.LENGTH];
        look[3] = 1;
        DetectionRecord.Item item = DetectionRecord.Item.of(new Detection("person", 0.8f, 1, 2, 3, 4), look).withTrackId(5);
        DetectionRecord record = new DetectionRecord("cam", 1, 2, 10, 10, new DetectionRecord.ModelRef("m", "1"),
                DetectionRecord.OK, null, List.of(item), null, null);
        // When it is published and read back
        String json = new String(record.toJson(), java.nio.charset.StandardCharsets.UTF_8);
        DetectionRecord back = Json.MAPPER.readValue(json, DetectionRecord.class);
        // Then the descriptor stayed in the process (the tracker's), the JSON has only the contract
        assertThat(item.appearance()).isSameAs(look);
        assertThat(json).doesNotContain("appearance");
        assertThat(back.detections().get(0).appearance()).isNull();
        assertThat(back.detections().get(0).trackId()).isEqualTo(5L);
        assertThat(back.detections().get(0).box()).containsExactly(1, 2, 3, 4);
    }
}
