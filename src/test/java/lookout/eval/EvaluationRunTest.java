package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.dataset.FrameRange;
import lookout.dataset.LabelledImage;
import lookout.dataset.MotDataset;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.inference.Detector;
import lookout.model.ModelMetadata;
import lookout.testing.TestSettings;

class EvaluationRunTest {
    @TempDir
    Path tmp;

    /** Answers each image with its ground truth as "person" plus a confident "car" that must be ignored. */
    private static final class OracleDetector implements Detector {
        final List<Integer> batchSizes = new ArrayList<>();

        @Override
        public List<List<Detection>> detect(List<DecodedImage> batch) {
            batchSizes.add(batch.size());
            List<List<Detection>> out = new ArrayList<>();
            for (DecodedImage image : batch) {
                // the test images encode their frame number in the width: one person box at x = width - 40
                float x = image.width() - 40;
                out.add(List.of(new Detection("person", 0.9f, x, 10, x + 20, 50),
                        new Detection("car", 0.99f, 0, 0, 5, 5)));
            }
            return out;
        }

        @Override
        public ModelMetadata model() {
            return null;
        }

        @Override
        public String device() {
            return "cpu";
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldScoreOnlyTheRequestedClassAndRunInBatches() throws Exception {
        Path seq = tmp.resolve("SEQ");
        Files.createDirectories(seq.resolve("img1"));
        Files.createDirectories(seq.resolve("gt"));
        StringBuilder gt = new StringBuilder();
        for (int f = 1; f <= 5; f++) {
            int width = 100 + f;
            ImageIO.write(new BufferedImage(width, 60, BufferedImage.TYPE_INT_RGB), "png",
                    seq.resolve("img1").resolve(String.format("%06d.png", f)).toFile());
            gt.append(f).append(",1,").append(width - 40).append(",10,20,40,1,-1,-1,-1\n");
        }
        Files.writeString(seq.resolve("gt/gt.txt"), gt);
        Files.writeString(seq.resolve("seqinfo.ini"), "[Sequence]\nimDir=img1\nimExt=.png\n");
        List<LabelledImage> images = MotDataset.load(seq, FrameRange.parse("1-5"));
        OracleDetector detector = new OracleDetector();
        List<EvaluationRun.Progress> progress = new ArrayList<>();
        List<EvaluationRun.Sample> samples = images.stream()
                .map(i -> new EvaluationRun.Sample(() -> i.decode(TestSettings.decoder()), i.boxes())).toList();
        EvaluationRun.Outcome outcome = new EvaluationRun(detector, "person", 2).run(samples, 0.5, progress::add);
        assertThat(detector.batchSizes).containsExactly(2, 2, 1);
        assertThat(outcome.result().ap50()).isEqualTo(1.0);
        assertThat(outcome.result().ap()).isEqualTo(1.0);
        assertThat(outcome.result().detections()).isEqualTo(5);
        assertThat(progress).extracting(EvaluationRun.Progress::done).containsExactly(2, 4, 5);
        Path png = tmp.resolve("pr.png");
        PrCurveWriter.write(outcome.result(), "oracle", png);
        BufferedImage written = ImageIO.read(png.toFile());
        assertThat(written.getWidth()).isEqualTo(640);
    }
}
