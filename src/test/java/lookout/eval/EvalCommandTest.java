package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.dataset.YoloDatasetTest;
import lookout.testing.TestModels;

class EvalCommandTest {
    @TempDir
    Path tmp;

    /** An eval of the tiny model on two copies of its test image, in the given format. */
    private EvalCommand command(String format, Path dir) {
        EvalCommand command = new EvalCommand();
        command.run.model = TestModels.tinyModelDir();
        command.data.format = format;
        command.data.dir = dir;
        command.scoreThreshold = 0.5;
        command.run.device = "cpu";
        command.batch = 2;
        command.data.className = "person";
        command.prCurve = tmp.resolve("out/pr.png");
        return command;
    }

    /** Runs the command, returning what it printed; it must exit 0. */
    private static String run(EvalCommand command) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true));
            rc = command.call();
        } finally {
            System.setOut(original);
        }
        assertThat(rc).isZero();
        return captured.toString();
    }

    @Test
    void shouldPrintAnApTableAndWriteThePrCurve() throws Exception {
        Path model = TestModels.tinyModelDir();
        Path seq = tmp.resolve("SEQ");
        Files.createDirectories(seq.resolve("img1"));
        Files.createDirectories(seq.resolve("gt"));
        Files.copy(model.resolve("test.png"), seq.resolve("img1/000001.png"));
        Files.copy(model.resolve("test.png"), seq.resolve("img1/000002.png"));
        Files.writeString(seq.resolve("gt/gt.txt"), "1,1,10,10,30,60,1,-1,-1,-1\n2,1,50,20,30,60,1,-1,-1,-1\n");
        Files.writeString(seq.resolve("seqinfo.ini"), "[Sequence]\nimExt=.png\n");
        EvalCommand command = command("mot", seq);
        command.data.frames = "1-2";
        String out = run(command);
        assertThat(out).contains("| AP50 |", "| AP@[.5:.95] |", "| AP75 |", "| images | 2 |", "| GT boxes | 2 |", "ms/frame", "2/2 images");
        assertThat(command.prCurve).isRegularFile();
    }

    @Test
    void shouldEvaluateAYoloSplitCountingItsNegativeImages() throws Exception {
        Path split = tmp.resolve("split");
        Files.createDirectories(split);
        Files.writeString(split.resolve("data.yaml"), "names: [person]\n");
        YoloDatasetTest.image(split.resolve("images"), split.resolve("labels"), "one", 320, 240, "0 0.5 0.5 0.2 0.6");
        YoloDatasetTest.image(split.resolve("images"), split.resolve("labels"), "none", 320, 240, null);
        String out = run(command("yolo", split));
        assertThat(out).contains("| images | 2 |", "| GT boxes | 1 |");
    }

    @Test
    void shouldScoreTheModelPlusTrackerWithClearMotOnAMotSequence() throws Exception {
        // Given a four-frame sequence at 10 fps with one person, and the model's detections written out
        Path model = TestModels.tinyModelDir();
        Path seq = tmp.resolve("TRACK");
        Files.createDirectories(seq.resolve("img1"));
        Files.createDirectories(seq.resolve("gt"));
        StringBuilder gt = new StringBuilder();
        for (int f = 1; f <= 4; f++) {
            Files.copy(model.resolve("test.png"), seq.resolve(String.format("img1/%06d.png", f)));
            gt.append(f).append(",1,10,10,30,60,1,-1,-1,-1\n");
        }
        Files.writeString(seq.resolve("gt/gt.txt"), gt);
        Files.writeString(seq.resolve("seqinfo.ini"), "[Sequence]\nimExt=.png\nframeRate=10\n");
        EvalCommand command = command("mot", seq);
        command.track = true;
        command.every = 2;
        command.minScores = java.util.List.of(0.0, 0.5);
        command.detOut = tmp.resolve("det.txt");
        // When it is evaluated with --track, every 2nd frame
        String out = run(command);
        // Then it prints the CLEAR-MOT table for both score levels, at the camera's rate (5 fps), and the detections file
        assertThat(out).contains("2 frames at 5.00 fps (sequence 10.0 fps, every 2)", "MOTA", "IDF1", "IDsw",
                "\"minScore\":0.0000", "\"minScore\":0.5000");
        assertThat(out).containsPattern("0\\.00\\s+-?\\d\\.\\d{3}");
        assertThat(Files.readAllLines(command.detOut)).allMatch(l -> l.startsWith("1,-1,") || l.startsWith("2,-1,"));
    }

    @Test
    void shouldRefuseTrackingAnythingButAMotSequence() throws Exception {
        EvalCommand command = command("yolo", tmp);
        command.track = true;
        assertThat(command.call()).isEqualTo(2);
    }
}
