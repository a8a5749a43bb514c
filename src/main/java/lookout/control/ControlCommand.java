package lookout.control;

/**
 * A command on {@code lookout.control}. Every command may carry an {@code id} that the events it
 * causes repeat, so an operator can follow one request.
 */
public sealed interface ControlCommand {
    String id();

    /** Name as it appears in the JSON ("retrain", "promote"...). */
    String name();

    /** Fine-tune, evaluate against the serving model, publish if not worse. Null fields take defaults. */
    record Retrain(String id, Integer epochs, Double lr, String camera, String baseVersion, Integer batchSize)
            implements ControlCommand {
        public String name() {
            return "retrain";
        }
    }

    /** Serve a published version: to every camera, or (camera set) to that camera only. */
    record Promote(String id, String version, String camera) implements ControlCommand {
        public Promote(String id, String version) {
            this(id, version, null);
        }

        public String name() {
            return "promote";
        }
    }

    /**
     * Serve an earlier version; null means the one served before the current. With a camera, that
     * camera's own model is rolled back (with no earlier one, it follows the general version again).
     */
    record Rollback(String id, String version, String camera) implements ControlCommand {
        public Rollback(String id, String version) {
            this(id, version, null);
        }

        public String name() {
            return "rollback";
        }
    }

    /** Detectors re-read the serving pointer and reload it. */
    record Reload(String id) implements ControlCommand {
        public String name() {
            return "reload";
        }
    }

    /** Tombstone all but the newest {@code keep} versions. */
    record Prune(String id, Integer keep) implements ControlCommand {
        public String name() {
            return "prune";
        }
    }

    /**
     * Detectors count entries and exits of {@code camera} across this line from now on:
     * [x1, y1, x2, y2] in fractions of the frame; null removes the camera's line.
     */
    record SetCountingLine(String id, String camera, double[] line) implements ControlCommand {
        public String name() {
            return "counting-line";
        }
    }
}
