package lookout.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import lookout.testing.PythonToolchain;
import lookout.testing.TestModels;

/**
 * The Java readers and the Python toolchain's (model/lookout_model/datasets.py) read the same boxes from
 * the same real files: a format is written twice, so this is what keeps the two from drifting. Images
 * are matched by their real path (the two languages name samples differently). Skipped without the data.
 */
class DatasetParityTest {
    /** Both parse the same decimal text; Java adds width in float, Python in double then rounds to float. */
    private static final double TOLERANCE_PX = 1e-3;

    @Test
    void givenTheMotSequencesWhenReadByJavaAndPythonThenTheBoxesAreEqual() throws Exception {
        for (String seq : List.of("tud/TUD-Campus", "tud/TUD-Stadtmitte")) {
            assertSameBoxes("mot", TestModels.dataDir(seq));
        }
    }

    @Test
    void givenTheUscSetsWhenReadByJavaAndPythonThenTheBoxesAreEqual() throws Exception {
        for (String set : List.of("A", "B", "C")) {
            assertSameBoxes("usc", TestModels.dataDir("usc-pedestrian/USCPedestrianSet" + set));
        }
    }

    @Test
    void givenTheYoloSplitsWhenReadByJavaAndPythonThenThePersonBoxesAreEqual() throws Exception {
        for (String split : List.of("coco128/images/train2017", "coco128/images/val2017", "person-mix/valid",
                "person-mix/test")) {
            assertSameBoxes("yolo", TestModels.dataDir(split));
        }
    }

    private static void assertSameBoxes(String format, Path dir) throws Exception {
        Map<String, List<Box>> java = new TreeMap<>();
        for (LabelledImage img : Datasets.load(format, dir, FrameRange.ALL, "person")) {
            java.put(img.path().toRealPath().toString(), img.boxes());
        }
        JsonNode python = PythonToolchain.run("parity", "boxes", format, dir.toString(), "--class", "person");
        List<String> pythonPaths = new ArrayList<>();
        python.fieldNames().forEachRemaining(pythonPaths::add);
        assertThat(java.keySet()).as("images of %s read by Java and by Python", dir).containsExactlyInAnyOrderElementsOf(pythonPaths);
        int boxes = 0;
        for (Map.Entry<String, List<Box>> e : java.entrySet()) {
            List<Box> expected = boxes(python.get(e.getKey()));
            assertThat(e.getValue()).as("boxes of %s (Java) vs Python's %s", e.getKey(), expected).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                Box j = e.getValue().get(i);
                Box p = expected.get(i);
                assertThat(new double[] {j.x1(), j.y1(), j.x2(), j.y2()}).as("box %d of %s", i, e.getKey())
                        .containsExactly(new double[] {p.x1(), p.y1(), p.x2(), p.y2()},
                                org.assertj.core.data.Offset.offset(TOLERANCE_PX));
            }
            boxes += expected.size();
        }
        assertThat(boxes).as("boxes in %s", dir).isPositive();
    }

    private static List<Box> boxes(JsonNode node) throws IOException {
        List<Box> out = new ArrayList<>();
        for (JsonNode b : node) {
            out.add(new Box((float) b.get(0).asDouble(), (float) b.get(1).asDouble(), (float) b.get(2).asDouble(),
                    (float) b.get(3).asDouble()));
        }
        return out;
    }
}
