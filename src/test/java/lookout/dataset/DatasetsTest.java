package lookout.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.frames.DecodedImage;
import lookout.testing.TestModels;
import lookout.testing.TestSettings;

class DatasetsTest {
    @TempDir
    Path tmp;

    @Test
    void shouldReadMotFramesInRangeAndIgnoreZeroFlaggedRows() throws Exception {
        Path seq = tmp.resolve("SEQ");
        Files.createDirectories(seq.resolve("img1"));
        Files.createDirectories(seq.resolve("gt"));
        for (int f = 1; f <= 4; f++) {
            Files.write(seq.resolve("img1").resolve(String.format("%06d.jpg", f)), new byte[] {1});
        }
        Files.writeString(seq.resolve("gt/gt.txt"), """
                1,1,10,20,30,40,1,-1,-1,-1
                2,1,11,21,30,40,1,-1,-1,-1
                2,2,50,60,5.5,6.5,0,-1,-1,-1
                3,1,12,22,30,40,1,-1,-1,-1
                4,1,13,23,30,40,1,-1,-1,-1
                """);
        List<LabelledImage> images = MotDataset.load(seq, FrameRange.parse("2-3"));
        assertThat(images).extracting(LabelledImage::id).containsExactly("SEQ/000002", "SEQ/000003");
        assertThat(images.get(0).boxes()).containsExactly(new Box(11, 21, 41, 61));
        assertThat(images.get(1).boxes()).containsExactly(new Box(12, 22, 42, 62));
    }

    @Test
    void shouldRefuseAFolderThatIsNotAMotSequence() {
        assertThatThrownBy(() -> MotDataset.load(tmp, FrameRange.ALL)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("img1");
        assertThatThrownBy(() -> FrameRange.parse("9-3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameRange.parse("x")).hasMessageContaining("A-B");
    }

    @Test
    void shouldFindUscAnnotationsBesideTheImageOrInGtFolder() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("A"));
        Files.write(a.resolve("p1.bmp"), new byte[] {1});
        Files.writeString(a.resolve("p1.gt.xml"), """
                <?xml version="1.0"?>
                <ObjectList><Object><Rect x="2" y="17" width="33" height="81"/></Object>
                <Object><Rect x="41" y="18" width="33" height="77"/></Object></ObjectList>""");
        Path c = Files.createDirectories(tmp.resolve("C/Multi"));
        Files.createDirectories(c.resolve("GT"));
        Files.write(c.resolve("WALK_1.BMP"), new byte[] {1});
        Files.writeString(c.resolve("GT/WALK_1.gt.xml"), "<ObjectList><Object><Rect x=\"1\" y=\"2\" width=\"3\" height=\"4\"/></Object></ObjectList>");
        Files.write(c.resolve("unlabelled.bmp"), new byte[] {1});
        List<LabelledImage> images = UscDataset.load(tmp);
        assertThat(images).extracting(LabelledImage::id).containsExactly("A/p1.bmp", "C/Multi/WALK_1.BMP");
        assertThat(images.get(0).boxes()).containsExactly(new Box(2, 17, 35, 98), new Box(41, 18, 74, 95));
        assertThat(images.get(1).boxes()).containsExactly(new Box(1, 2, 4, 6));
    }

    @Test
    void shouldLoadTheRealTudStadtmitteSequence() throws Exception {
        Path seq = TestModels.dataDir("tud/TUD-Stadtmitte");
        List<LabelledImage> all = MotDataset.load(seq, FrameRange.ALL);
        assertThat(all).hasSize(179);
        assertThat(all.stream().mapToInt(i -> i.boxes().size()).sum()).isEqualTo(1156);
        List<LabelledImage> second = MotDataset.load(seq, FrameRange.parse("91-179"));
        assertThat(second).hasSize(89);
        DecodedImage first = all.get(0).decode(TestSettings.decoder());
        assertThat(first.width()).isEqualTo(640);
        assertThat(first.height()).isEqualTo(480);
    }

    @Test
    void shouldLoadAllRealUscSets() throws Exception {
        Path root = TestModels.dataDir("usc-pedestrian");
        List<LabelledImage> all = UscDataset.load(root);
        assertThat(all).hasSize(359);
        assertThat(all.stream().mapToInt(i -> i.boxes().size()).sum()).isEqualTo(816);
        LabelledImage setC = all.stream().filter(i -> i.id().contains("PedestrianMultiViewTestSet")).findFirst().orElseThrow();
        DecodedImage image = setC.decode(TestSettings.decoder());
        assertThat(image.rgb()).hasSize(image.width() * image.height() * 3);
        assertThat(setC.boxes()).allSatisfy(b -> assertThat(b.x2()).isLessThanOrEqualTo(image.width() + 1));
    }
}
