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

    @Test
    void shouldRejectHostileSamplesWithTheirReasonAndKeepTheGoodOnes() {
        set.apply("ok", sample("c1"));
        List<Box> many = java.util.Collections.nCopies(LabelCodec.MAX_BOXES + 1, new Box(1, 1, 10, 20));
        set.apply("crowd", LabelCodec.encode(image, many, java.util.Collections.nCopies(many.size(), "person"), "c1", null));
        set.apply("longcam", sample("c".repeat(5_000_000)));
        set.apply("k".repeat(2000), sample("c1"));
        set.apply("objcam", "{\"image\":\"x\",\"camera\":{}}".getBytes(StandardCharsets.UTF_8));
        assertThat(set.samples()).extracting(LabelSample::id).containsExactly("ok");
        assertThat(set.rejected().get("crowd")).startsWith("too-many-boxes");
        assertThat(set.rejected().get("longcam")).startsWith("bad-field: \"camera\": camera id is 5000000 bytes");
        assertThat(set.rejected().keySet()).anyMatch(k -> k.startsWith("kkk") && k.length() < 300);
        assertThat(set.rejected().values()).allMatch(why -> why.length() < 400);
    }

    @Test
    void shouldRememberAtMostSoManyRejectedIds() {
        for (int i = 0; i < LabelSet.MAX_REJECTED + 500; i++) {
            set.apply("bad-" + i, "not json".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(set.rejected()).hasSize(LabelSet.MAX_REJECTED).containsKey("bad-" + (LabelSet.MAX_REJECTED + 499));
    }

    @Test
    void shouldCountTheSamplesOfACameraWrittenAfterAWatermark() {
        set.apply("a", sample("c1"), 0, 10);
        set.apply("b", sample("c1"), 1, 4);
        set.apply("c", sample("c2"), 0, 11);
        java.util.Map<Integer, Long> mark = set.watermark();
        assertThat(mark).containsEntry(0, 11L).containsEntry(1, 4L);
        assertThat(set.newSince("c1", java.util.Map.of())).isEqualTo(2);
        assertThat(set.newSince("c1", mark)).isZero();
        set.apply("a", sample("c1"), 0, 12);  // replaced: new again
        set.apply("d", sample("c1"), 1, 5);   // added
        set.apply("b", null, 1, 6);           // deleted: not new, and gone
        assertThat(set.newSince("c1", mark)).isEqualTo(2);
        assertThat(set.cameras()).containsExactly("c1", "c2");
    }
}
