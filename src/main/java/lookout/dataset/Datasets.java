package lookout.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Picks a reader by format name: mot (MOTChallenge sequence), usc (USC pedestrian sets), yolo (YOLO / Ultralytics split). */
public final class Datasets {
    public static final List<String> FORMATS = List.of("mot", "usc", "yolo");

    private Datasets() {
    }

    /**
     * @param range     frames to read (mot only)
     * @param className the class whose boxes are read (yolo only; mot and usc label people only)
     */
    public static List<LabelledImage> load(String format, Path dir, FrameRange range, String className)
            throws DatasetException {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "mot" -> MotDataset.load(dir, range);
            case "usc" -> UscDataset.load(dir);
            case "yolo" -> YoloDataset.load(dir, className);
            default -> throw new DatasetException("unknown dataset format '" + format + "': use " + String.join(", ", FORMATS));
        };
    }
}
