package lookout.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import lookout.detections.Detection;

/**
 * Reads MOTChallenge text files: ground truth {@code frame,id,left,top,width,height,flag,...} (rows
 * with flag 0 are "ignore" and dropped) and detections {@code frame,-1,left,top,width,height,score,...}.
 * Frames are 1-based; boxes are pixels. Frames map to their rows in file order.
 */
public final class MotFiles {
    private MotFiles() {
    }

    public static Map<Integer, List<IdBox>> readGroundTruth(Path file) {
        Map<Integer, List<IdBox>> frames = new TreeMap<>();
        forEachRow(file, 6, (f, where) -> {
            if (f.length > 6 && Double.parseDouble(f[6]) == 0) {
                return;
            }
            frames.computeIfAbsent(frame(f), k -> new ArrayList<>())
                    .add(new IdBox((long) Double.parseDouble(f[1]), box(f)));
        });
        return frames;
    }

    public static Map<Integer, List<Detection>> readDetections(Path file, String label) {
        Map<Integer, List<Detection>> frames = new TreeMap<>();
        forEachRow(file, 7, (f, where) -> {
            Rect b = box(f);
            frames.computeIfAbsent(frame(f), k -> new ArrayList<>()).add(new Detection(label,
                    Float.parseFloat(f[6]), (float) b.x1(), (float) b.y1(), (float) b.x2(), (float) b.y2()));
        });
        return frames;
    }

    /** Tracker output as MOTChallenge results: {@code frame,id,left,top,width,height,1,-1,-1,-1}. */
    public static void writeTracks(Path file, Map<Integer, List<IdBox>> frames) {
        StringBuilder out = new StringBuilder();
        frames.forEach((frame, boxes) -> boxes.forEach(b -> out.append(String.format(Locale.ROOT,
                "%d,%d,%.2f,%.2f,%.2f,%.2f,1,-1,-1,-1%n", frame, b.id(), b.box().x1(), b.box().y1(),
                b.box().width(), b.box().height()))));
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Detections in MOTChallenge det format: {@code frame,-1,left,top,width,height,score}. */
    public static void writeDetections(Path file, Map<Integer, List<Detection>> frames) {
        StringBuilder out = new StringBuilder();
        frames.forEach((frame, dets) -> dets.forEach(d -> out.append(String.format(Locale.ROOT,
                "%d,-1,%.1f,%.1f,%.1f,%.1f,%.4f%n", frame, d.x1(), d.y1(), d.x2() - d.x1(), d.y2() - d.y1(), d.score()))));
        try {
            Files.writeString(file, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private interface RowHandler {
        void accept(String[] fields, String where);
    }

    private static void forEachRow(Path file, int minFields, RowHandler handler) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (n + 1);
            String[] f = line.split("\\s*,\\s*");
            if (f.length < minFields) {
                throw new IllegalArgumentException(where + ": expected at least " + minFields + " comma-separated fields, got '" + line + "'");
            }
            try {
                handler.accept(f, where);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": not a number in '" + line + "'", e);
            }
        }
    }

    private static int frame(String[] f) {
        return (int) Double.parseDouble(f[0]);
    }

    private static Rect box(String[] f) {
        return Rect.ofXywh(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]));
    }
}
