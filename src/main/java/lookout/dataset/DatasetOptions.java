package lookout.dataset;

import java.nio.file.Path;
import java.util.List;

import lookout.config.LookoutConfig;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The labelled-dataset arguments shared by {@code eval}, {@code finetune} and {@code labels import}. */
public class DatasetOptions {

    @Option(names = "--format", required = true,
            description = "dataset format: mot (MOTChallenge sequence), usc (USC pedestrian set) or yolo (YOLO / Ultralytics split)")
    public String format;

    @Parameters(index = "0", paramLabel = "DIR",
            description = "a MOT sequence dir, a USC set / root, or a YOLO split (DIR with images/ and labels/, or .../images/SPLIT)")
    public Path dir;

    @Option(names = "--frames", description = "MOT frame range A-B (1-based, inclusive); default all")
    public String frames;

    @Option(names = "--class", paramLabel = "NAME",
            description = "the class to read (yolo: images without it stay in as negatives), evaluate, train or label "
                    + "(default: lookout.target-class, person)")
    public String className;

    public FrameRange range() {
        return FrameRange.parse(frames);
    }

    /** --class, else the configured target class. */
    public String className() {
        return className != null ? className : LookoutConfig.current().targetClass();
    }

    public List<LabelledImage> load() throws DatasetException {
        return Datasets.load(format, dir, range(), className());
    }
}
