package lookout.eval;

import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The labelled-dataset arguments shared by {@code eval}, {@code finetune} and {@code labels import}. */
public class DatasetOptions {

    @Option(names = "--format", required = true, description = "dataset format: mot (MOTChallenge sequence) or usc (USC pedestrian set)")
    public String format;

    @Parameters(index = "0", paramLabel = "DIR", description = "a MOT sequence dir, or a USC set / root")
    public Path dir;

    @Option(names = "--frames", description = "MOT frame range A-B (1-based, inclusive); default all")
    public String frames;

    public FrameRange range() {
        return FrameRange.parse(frames);
    }

    public List<LabelledImage> load() throws DatasetException {
        return Datasets.load(format, dir, range());
    }
}
