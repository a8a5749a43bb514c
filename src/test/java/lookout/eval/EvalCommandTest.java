package lookout.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import lookout.testing.TestModels;

class EvalCommandTest {
    @TempDir
    Path tmp;

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
        EvalCommand command = new EvalCommand();
        command.model = model;
        command.data.format = "mot";
        command.data.dir = seq;
        command.data.frames = "1-2";
        command.scoreThreshold = 0.5;
        command.device = "cpu";
        command.batch = 2;
        command.data.className = "person";
        command.prCurve = tmp.resolve("out/pr.png");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(captured, true));
            rc = command.call();
        } finally {
            System.setOut(original);
        }
        String out = captured.toString();
        assertThat(rc).isZero();
        assertThat(out).contains("| AP50 |", "| AP@[.5:.95] |", "| AP75 |", "| images | 2 |", "| GT boxes | 2 |", "ms/frame", "2/2 images");
        assertThat(command.prCurve).isRegularFile();
    }
}
