package lookout.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.dataset.Box;
import lookout.dataset.FrameRange;
import lookout.dataset.YoloDatasetTest;

import lookout.testing.TestModels;
import lookout.testing.TestSettings;

/** Reads the real data sets (skipped when ../shared/data is absent). */
class DatasetImportTest {

    @Test
    void shouldImportMotFramesInRangeWithDeterministicIdsAndValidLabels() throws Exception {
        Path seq = TestModels.dataDir("tud/TUD-Stadtmitte");
        List<ImportedFrame> frames = new DatasetImport(TestSettings.decoder()).read("mot", seq, "tud-stadtmitte",
                FrameRange.parse("1-90"), "person");
        assertThat(frames).hasSize(90);
        assertThat(frames.get(0).id()).isEqualTo("tud-stadtmitte/TUD-Stadtmitte/000001");
        assertThat(frames.get(89).id()).isEqualTo("tud-stadtmitte/TUD-Stadtmitte/000090");
        assertThat(frames.get(0).boxes()).isNotEmpty();
        LabelCodec codec = LabelCodec.fromConfig(TestSettings.config());
        for (ImportedFrame f : frames.subList(0, 5)) {
            LabelSample s = codec.parse(f.id(), LabelCodec.encode(f.image(), f.boxes(),
                    f.boxes().stream().map(b -> "person").toList(), f.camera(), f.source()));
            assertThat(s.width()).isEqualTo(640);
            assertThat(s.boxes()).allSatisfy(b -> assertThat(b.x2()).isLessThanOrEqualTo(640));
        }
    }

    @Test
    void shouldImportUscSetAsPngWithBoxes() throws Exception {
        Path set = TestModels.dataDir("usc-pedestrian/USCPedestrianSetB");
        List<ImportedFrame> frames = new DatasetImport(TestSettings.decoder()).read("usc", set, null, FrameRange.ALL,
                "person").subList(0, 3);
        assertThat(frames).hasSize(3);
        assertThat(frames.get(0).id()).startsWith("usc/");
        assertThat(frames.get(0).image()[1]).isEqualTo((byte) 'P'); // BMP re-encoded as PNG
        assertThat(frames).allSatisfy(f -> assertThat(f.boxes()).isNotEmpty());
        LabelSample s = LabelCodec.fromConfig(TestSettings.config()).parse(frames.get(0).id(), LabelCodec.encode(frames.get(0).image(),
                frames.get(0).boxes(), frames.get(0).boxes().stream().map(b -> "person").toList(), "usc", null));
        assertThat(s.width()).isEqualTo(384);
    }

    @Test
    void shouldImportAYoloSplitWithNegativesUnderTheFormatAsCamera(@TempDir Path tmp) throws Exception {
        Path split = tmp.resolve("yard");
        Files.createDirectories(split);
        Files.writeString(split.resolve("data.yaml"), "names: [person]\n");
        YoloDatasetTest.image(split.resolve("images"), split.resolve("labels"), "p", 64, 48, "0 0.5 0.5 0.5 0.5");
        YoloDatasetTest.image(split.resolve("images"), split.resolve("labels"), "q", 64, 48, null);
        List<ImportedFrame> frames = new DatasetImport(TestSettings.decoder()).read("yolo", split, null, FrameRange.ALL,
                "person");
        assertThat(frames).extracting(ImportedFrame::id).containsExactly("yolo/yard/p", "yolo/yard/q");
        assertThat(frames.get(0).boxes()).containsExactly(new Box(16, 12, 48, 36));
        assertThat(frames.get(1).boxes()).isEmpty();
        assertThat(frames.get(0).source()).isEqualTo("yolo:yard/p");
    }
}
