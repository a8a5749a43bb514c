package lookout.review.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.config.TrainerSettings;
import lookout.dataset.FrameRange;
import lookout.labels.DatasetImport;
import lookout.labels.ImportedFrame;
import lookout.labels.LabelCodec;
import lookout.labels.LabelSample;
import lookout.labels.LabelSet;
import lookout.trainer.GeneralHoldout;

/**
 * The other cameras of the offline measurement, as the trainer would see them on {@code lookout.labels}:
 * the labelled sets the default model never trained on that are not the measured camera (TUD-Stadtmitte
 * whole, the person-mix test split, coco128 val2017), imported as {@code labels import} does. The
 * general holdout and the replay sample come from the trainer's own {@link GeneralHoldout}: held-out
 * side for the one, training side for the other, so a replayed frame is never a general holdout frame,
 * and never one of the camera's (its later frames included).
 */
final class SimOthers {
    /** An other camera: its id and where its labels are. */
    record Source(String camera, String format, String dir) {
    }

    static final List<Source> SOURCES = List.of(
            new Source("tud-stadtmitte", "mot", "tud/TUD-Stadtmitte"),
            new Source("person-mix-test", "yolo", "person-mix/test"),
            new Source("coco128-val2017", "yolo", "coco128/images/val2017"));

    private final String camera;
    private final LabelSet labels;
    private final TrainerSettings settings;

    SimOthers(String camera, LabelSet labels, TrainerSettings settings) {
        this.camera = camera;
        this.labels = labels;
        this.settings = settings;
    }

    /** Imports every source but the camera's own into a label set, through the labels codec like any label. */
    static SimOthers load(String camera, Path data, DatasetImport importer, LabelCodec codec, String className,
            TrainerSettings settings) throws Exception {
        LabelSet labels = new LabelSet(codec);
        for (Source s : SOURCES) {
            if (s.camera().equals(camera)) {
                continue;
            }
            for (ImportedFrame f : importer.read(s.format(), data.resolve(s.dir()), s.camera(), FrameRange.ALL,
                    className)) {
                labels.apply(f.id(), LabelCodec.encode(f.image(), f.boxes(),
                        f.boxes().stream().map(b -> className).toList(), f.camera(), f.source()));
            }
        }
        if (!labels.rejected().isEmpty()) {
            throw new IllegalStateException("other cameras' labels refused: " + labels.rejected());
        }
        return new SimOthers(camera, labels, settings);
    }

    /** The general holdout of the camera's retrain (the gate's), at most {@code general-holdout-max} frames. */
    GeneralHoldout general() {
        return GeneralHoldout.of(labels, camera, settings);
    }

    /** The replay sample of a retrain on {@code ownTrain} of the camera's frames ({@code replay-ratio}, {@code replay-max}). */
    List<LabelSample> replay(int ownTrain) {
        return new ArrayList<>(GeneralHoldout.replay(labels, camera, settings, ownTrain));
    }
}
