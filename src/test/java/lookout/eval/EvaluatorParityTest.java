package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.common.Json;
import lookout.dataset.Box;
import lookout.dataset.Datasets;
import lookout.dataset.FrameRange;
import lookout.dataset.LabelledImage;
import lookout.testing.PythonToolchain;
import lookout.testing.TestModels;

/**
 * The Java evaluator ({@link Evaluator}, what the trainer's gate and {@code ./lookout eval} score with) and the
 * Python toolchain's ({@code evaluate.coco_ap}, what model selection and the suite score with) give the same
 * AP50, AP75 and AP on the same detections and ground truth, to 1e-6. The detections are made from the ground
 * truth: shifted and resized copies (hits at some IoU thresholds, misses at others), misses, false positives,
 * tied scores across and within images, images without people. At most 100 detections per image: beyond
 * that the Java side keeps the 100 best (pycocotools' maxDets) and the Python side all.
 */
class EvaluatorParityTest {
    @TempDir
    Path tmp;

    @Test
    void givenSyntheticDetectionsWhenScoredByJavaAndPythonThenTheApsAreEqual() throws Exception {
        Random rnd = new Random(24);
        List<List<Box>> gts = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            List<Box> gt = new ArrayList<>();
            int n = i % 7 == 0 ? 0 : rnd.nextInt(9);
            for (int k = 0; k < n; k++) {
                float x = rnd.nextFloat() * 560;
                float y = rnd.nextFloat() * 300;
                gt.add(new Box(x, y, x + 20 + rnd.nextFloat() * 60, y + 60 + rnd.nextFloat() * 120));
            }
            gts.add(gt);
        }
        assertSameAps(gts, new Random(7));
    }

    @Test
    void givenTudCampusGroundTruthWhenScoredByJavaAndPythonThenTheApsAreEqual() throws Exception {
        List<List<Box>> gts = new ArrayList<>();
        for (LabelledImage img : Datasets.load("mot", TestModels.dataDir("tud/TUD-Campus"), FrameRange.ALL, "person")) {
            gts.add(img.boxes());
        }
        assertSameAps(gts, new Random(11));
    }

    private void assertSameAps(List<List<Box>> gts, Random rnd) throws Exception {
        Evaluator java = new Evaluator();
        ObjectNode file = Json.MAPPER.createObjectNode();
        ArrayNode gtJson = file.putArray("gts");
        ArrayNode detJson = file.putArray("dets");
        for (List<Box> gt : gts) {
            List<ScoredBox> dets = detections(gt, rnd);
            java.add(gt, dets);
            ArrayNode g = gtJson.addArray();
            gt.forEach(b -> g.addArray().add(b.x1()).add(b.y1()).add(b.x2()).add(b.y2()));
            ObjectNode d = detJson.addObject();
            ArrayNode boxes = d.putArray("boxes");
            ArrayNode scores = d.putArray("scores");
            for (ScoredBox s : dets) {
                Box b = s.box();
                boxes.addArray().add(b.x1()).add(b.y1()).add(b.x2()).add(b.y2());
                scores.add(s.score());
            }
        }
        Path input = tmp.resolve("ap-input.json");
        Files.write(input, Json.MAPPER.writeValueAsBytes(file));
        EvaluationResult j = java.evaluate(0.5);
        JsonNode py = PythonToolchain.run("parity", "ap", input.toString());
        assertThat(j.ap50()).as("AP50 (Java vs Python)").isCloseTo(py.get("ap50").asDouble(), within(1e-6));
        assertThat(j.ap75()).as("AP75 (Java vs Python)").isCloseTo(py.get("ap75").asDouble(), within(1e-6));
        assertThat(j.ap()).as("AP (Java vs Python)").isCloseTo(py.get("ap").asDouble(), within(1e-6));
        // the case is not trivial: some detections hit, some miss, at every threshold between
        assertThat(j.ap50()).isBetween(0.2, 0.99);
        assertThat(j.ap()).isLessThan(j.ap50() - 0.05);
    }

    /** Per ground-truth box: a hit of some quality (or none), and a few false positives; scores in 0.05 steps (ties). */
    private static List<ScoredBox> detections(List<Box> gt, Random rnd) {
        List<ScoredBox> out = new ArrayList<>();
        for (Box b : gt) {
            if (rnd.nextFloat() < 0.15) {
                continue; // missed
            }
            float w = b.x2() - b.x1();
            float h = b.y2() - b.y1();
            float dx = (rnd.nextFloat() - 0.5f) * 0.5f * w;
            float dy = (rnd.nextFloat() - 0.5f) * 0.5f * h;
            float s = 0.8f + rnd.nextFloat() * 0.4f;
            out.add(new ScoredBox(new Box(b.x1() + dx, b.y1() + dy, b.x1() + dx + w * s, b.y1() + dy + h * s), score(rnd)));
            if (rnd.nextFloat() < 0.1) { // a duplicate: a false positive once the first took the box
                out.add(new ScoredBox(b, score(rnd)));
            }
        }
        int fps = rnd.nextInt(4);
        for (int k = 0; k < fps; k++) {
            float x = rnd.nextFloat() * 600;
            float y = rnd.nextFloat() * 400;
            out.add(new ScoredBox(new Box(x, y, x + 30, y + 70), score(rnd)));
        }
        return out;
    }

    private static float score(Random rnd) {
        return Math.round(rnd.nextFloat() * 20) / 20f;
    }
}
