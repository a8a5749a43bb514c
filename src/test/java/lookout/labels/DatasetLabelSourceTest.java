package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import lookout.testing.TestImages;

/** Reads the real data sets (skipped when ../shared/data is absent). */
class DatasetLabelSourceTest {

    @Test
    void shouldImportMotFramesInRangeWithDeterministicIdsAndValidLabels() throws Exception {
        Path seq = TestImages.dataDir().resolve("tud/TUD-Stadtmitte");
        List<ImportedFrame> frames = MotLabelSource.read(seq, "tud-stadtmitte", FrameRange.parse("1-90"));
        assertThat(frames).hasSize(90);
        assertThat(frames.get(0).id()).isEqualTo("tud-stadtmitte/TUD-Stadtmitte/000001");
        assertThat(frames.get(89).id()).isEqualTo("tud-stadtmitte/TUD-Stadtmitte/000090");
        assertThat(frames.get(0).boxes()).isNotEmpty();
        LabelCodec codec = LabelCodec.pedestrians();
        for (ImportedFrame f : frames.subList(0, 5)) {
            LabelSample s = codec.parse(f.id(), LabelCodec.encode(f.image(), f.boxes(),
                    f.boxes().stream().map(b -> "person").toList(), f.camera(), f.source()));
            assertThat(s.width()).isEqualTo(640);
            assertThat(s.boxes()).allSatisfy(b -> assertThat(b.x2()).isLessThanOrEqualTo(640));
        }
    }

    @Test
    void shouldImportUscSetAsPngWithBoxes() throws Exception {
        Path set = TestImages.dataDir().resolve("usc-pedestrian/USCPedestrianSetB");
        List<ImportedFrame> frames = UscLabelSource.read(set, null, FrameRange.parse("1-3"));
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).id()).startsWith("usc/USCPedestrianSetB/");
        assertThat(frames).allSatisfy(f -> assertThat(f.boxes()).isNotEmpty());
        LabelSample s = LabelCodec.pedestrians().parse(frames.get(0).id(), LabelCodec.encode(frames.get(0).image(),
                frames.get(0).boxes(), frames.get(0).boxes().stream().map(b -> "person").toList(), "usc", null));
        assertThat(s.width()).isEqualTo(384);
    }

    @Test
    void shouldParseFrameRanges() {
        assertThat(FrameRange.parse("1-90")).isEqualTo(new FrameRange(1, 90));
        assertThat(FrameRange.parse("91-").contains(179)).isTrue();
        assertThat(FrameRange.parse(null).contains(1)).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FrameRange.parse("9-3"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
