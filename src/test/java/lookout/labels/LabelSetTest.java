package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.dataset.Box;
import lookout.testing.TestFrames;
import lookout.testing.TestSettings;

class LabelSetTest {
    private final byte[] image = TestFrames.image("jpg", 40, 30);
    private final LabelSet set = new LabelSet(LabelCodec.fromConfig(TestSettings.config()));

    private byte[] sample(String camera) {
        return LabelCodec.encode(image, List.of(new Box(1, 1, 10, 20)), List.of("person"), camera, null);
    }

    @Test
    void shouldKeepLatestValuePerIdAndApplyTombstones() {
        set.apply("a", sample("c1"));
        set.apply("b", sample("c1"));
        set.apply("a", sample("c2"));
        assertThat(set.samples()).extracting(LabelSample::id).containsExactly("a", "b");
        assertThat(set.samples("c2")).extracting(LabelSample::id).containsExactly("a");
        set.apply("a", null);
        assertThat(set.samples()).extracting(LabelSample::id).containsExactly("b");
    }

    @Test
    void shouldRememberRejectedRecordsWithoutPoisoningTheSet() {
        set.apply("good", sample("c1"));
        set.apply("bad", "{\"image\":\"AAAA\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(set.samples()).extracting(LabelSample::id).containsExactly("good");
        assertThat(set.rejected()).containsKey("bad");
        assertThat(set.rejected().get("bad")).startsWith("undecodable-image");
    }

    @Test
    void shouldDropOlderValidSampleWhenReplacedByInvalidOne() {
        set.apply("a", sample("c1"));
        set.apply("a", "not json".getBytes(StandardCharsets.UTF_8));
        assertThat(set.samples()).isEmpty();
        set.apply("a", sample("c1"));
        assertThat(set.rejected()).isEmpty();
        assertThat(set.size()).isEqualTo(1);
    }
}
