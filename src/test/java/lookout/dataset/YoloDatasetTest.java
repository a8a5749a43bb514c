package lookout.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.testing.TestFrames;
import lookout.testing.TestModels;

public class YoloDatasetTest {
    @TempDir
    Path tmp;

    /** Writes one image of the given size and, when {@code label} is not null, its label file (no trailing newline). */
    public static void image(Path images, Path labels, String stem, int w, int h, String label) throws Exception {
        Files.createDirectories(images);
        Files.createDirectories(labels);
        Files.write(images.resolve(stem + ".png"), TestFrames.image("png", w, h));
        if (label != null) {
            Files.writeString(labels.resolve(stem + ".txt"), label);
        }
    }

    /** DIR/images + DIR/labels, class names as a yaml list one level above the split. */
    private Path listFormSplit() throws Exception {
        Path split = tmp.resolve("mix/test");
        Files.createDirectories(split);
        Files.writeString(tmp.resolve("mix/data.yaml"), "names:\n- person\n- car\nnc: 2\n");
        Path images = split.resolve("images");
        Path labels = split.resolve("labels");
        // a person in the middle and a car; the person box stands 10 px past the right border
        image(images, labels, "a", 200, 100, "0 0.5 0.5 0.2 0.4\n1 0.1 0.1 0.1 0.1\n0 0.975 0.5 0.15 0.5");
        // only a car: a negative for "person"
        image(images, labels, "b", 100, 100, "1 0.5 0.5 0.5 0.5");
        // no label file at all: a negative
        image(images, labels, "c", 100, 100, null);
        // a person 1 px wide after clipping: dropped, as the Python reader drops it
        image(images, labels, "d", 100, 100, "0 0.0 0.5 0.02 0.5\n");
        return split;
    }

    @Test
    void shouldReadAYoloSplitWithAListOfNamesKeepingImagesWithoutTheClassAsNegatives() throws Exception {
        List<LabelledImage> images = YoloDataset.load(listFormSplit(), "person");
        assertThat(images).extracting(LabelledImage::id).containsExactly("test/a", "test/b", "test/c", "test/d");
        assertThat(images.get(0).boxes()).containsExactly(new Box(80, 30, 120, 70), new Box(180, 25, 200, 75));
        assertThat(images.get(1).boxes()).isEmpty();
        assertThat(images.get(2).boxes()).isEmpty();
        assertThat(images.get(3).boxes()).as("a box of 1 px or less is dropped").isEmpty();
    }

    @Test
    void shouldReadAnImagesSplitFolderWithANamesMapTwoLevelsUp() throws Exception {
        Path root = tmp.resolve("coco");
        Files.createDirectories(root);
        Files.writeString(root.resolve("config.yaml"), "path: .\nval: images/val\nnames:\n  0: car\n  1: person\n");
        Path images = root.resolve("images/val");
        image(images, root.resolve("labels/val"), "x", 100, 50, "1 0.5 0.5 0.5 0.5\n0 0.5 0.5 1 1\n");
        List<LabelledImage> read = Datasets.load("yolo", images, FrameRange.ALL, "person");
        assertThat(read).hasSize(1);
        assertThat(read.get(0).id()).isEqualTo("val/x");
        assertThat(read.get(0).boxes()).containsExactly(new Box(25, 12.5f, 75, 37.5f));
        assertThat(YoloDataset.load(images, "car").get(0).boxes()).containsExactly(new Box(0, 0, 100, 50));
    }

    @Test
    void shouldRefuseAClassTheDatasetDoesNotName() throws Exception {
        Path split = listFormSplit();
        assertThatThrownBy(() -> YoloDataset.load(split, "bicycle")).isInstanceOf(DatasetException.class)
                .hasMessageContaining("'bicycle'").hasMessageContaining("[person, car]");
    }

    @Test
    void shouldRefuseAFolderThatIsNotAYoloSplit() {
        assertThatThrownBy(() -> Datasets.load("yolo", tmp, FrameRange.ALL, "person"))
                .isInstanceOf(DatasetException.class).hasMessageContaining("not a YOLO split");
        assertThatThrownBy(() -> Datasets.load("voc", tmp, FrameRange.ALL, "person"))
                .isInstanceOf(DatasetException.class).hasMessageContaining("mot, usc, yolo");
    }

    @Test
    void shouldReadTheRealPersonMixTestSplitAsThePythonReaderDoes() throws Exception {
        Path split = TestModels.dataDir("person-mix/test");
        List<LabelledImage> images = YoloDataset.load(split, "person");
        assertThat(images).hasSize(1101);
        assertThat(images.stream().mapToInt(i -> i.boxes().size()).sum()).isEqualTo(1600);
    }

    @Test
    void shouldReadTheRealCoco128ValSplitWithItsEightyClassMap() throws Exception {
        Path split = TestModels.dataDir("coco128/images/val2017");
        List<LabelledImage> images = YoloDataset.load(split, "person");
        assertThat(images).hasSize(128);
        assertThat(images.stream().mapToInt(i -> i.boxes().size()).sum()).isEqualTo(350);
        assertThat(images.stream().filter(i -> i.boxes().isEmpty()).count()).isEqualTo(55);
        assertThat(YoloDataset.classNames(split)).hasSize(80).startsWith("person", "bicycle", "car");
    }
}
