package lookout.track;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import lookout.config.FrameLimits;
import lookout.config.TrackerSettings;
import lookout.detections.Appearance;
import lookout.detections.Detection;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;

/**
 * How the service's tracker settings are chosen: a grid over {@link TrackerSettings} on tuning
 * sequences (never the held-out one), ranked by the mean of (MOTA + IDF1) / 2 over the sequences and
 * their variants, best first.
 *
 * <p>Each tuning sequence is a MOTChallenge folder (its {@code gt/gt.txt}, and its {@code img1/} frames
 * for the colour descriptors) with a detections file from {@code lookout eval --track --det-out}.
 * Variants make more of a short sequence: {@code 25fps} (as recorded), {@code reversed} (played
 * backwards: people enter where they left, a different tracking problem on the same boxes), and
 * {@code 5fps} (every 5th frame, from each of the 5 possible first frames: the camera rate the service's
 * settings are for). The grid's frame count (memory) is for a camera at {@code --fps}
 * (the service's {@code lookout.track.frame-rate}) and rescaled to each variant's rate.
 *
 * <pre>java -cp 'target/classes:target/quarkus-app/lib/main/*' lookout.track.TrackerSweep \
 *     --seq SEQ_DIR --det DET_TXT [--seq ... --det ...] [--min-score 0.35] [--fps 5]
 *     [--variants 25fps,reversed,5fps] [--grid] [--high 0.5,0.6] [--new-margin 0,0.1] [--low 0.1,0.3]
 *     [--iou 0.1,0.2] [--low-iou 0.3,0.5] [--missed 2,6,12] [--hits 1,2,3] [--colour-weight 0,0.3]
 *     [--colour-gate 1,0.4] [--reid 0,0.2] [--top 20]</pre>
 */
public final class TrackerSweep {
    private TrackerSweep() {
    }

    /** One tuning sequence as the tracker sees it, at one frame rate. */
    public record Sequence(String name, String group, double fps, Map<Integer, List<IdBox>> gt, Map<Integer, List<Detection>> det,
            Map<Integer, List<float[]>> looks) {
    }

    /** The grid: every combination of these values is tried. Frame counts are at the settings' own rate. */
    public record Grid(double[] high, double[] newMargin, double[] low, double[] iou, double[] lowIou, int[] missed,
            int[] hits, double[] colourWeight, double[] colourGate, double[] reid) {

        /** The boxes-only grid (memory at 5 fps), colour cue off. */
        public static Grid boxes() {
            return new Grid(new double[] {0.5, 0.6, 0.7, 0.8}, new double[] {0, 0.1}, new double[] {0.1, 0.2, 0.3},
                    new double[] {0.1, 0.2, 0.3}, new double[] {0.3, 0.5}, new int[] {2, 6, 12}, new int[] {1, 2, 3},
                    new double[] {0}, new double[] {1}, new double[] {0});
        }

        List<TrackerSettings> settings() {
            List<TrackerSettings> out = new ArrayList<>();
            for (double h : high) for (double m : newMargin) for (double l : low) for (double i : iou)
                for (double li : lowIou) for (int ms : missed) for (int hi : hits) for (double w : colourWeight)
                    for (double g : colourGate) for (double r : reid) {
                        if (l > h) {
                            continue;
                        }
                        out.add(new TrackerSettings(h, l, Math.min(1, h + m), i, li, ms, hi, w, g, r));
                    }
            return out;
        }
    }

    /**
     * One setting and its scores per sequence. Means are over the variant groups (25fps, reversed,
     * 5fps), each the mean of its sequences: five 5 fps copies weigh as much as one recording.
     */
    public record Result(TrackerSettings settings, List<Sequence> sequences, List<MotScore> scores) {
        public double rank() {
            return mean(m -> (m.mota() + m.idf1()) / 2);
        }

        double mean(ToDoubleFunction<MotScore> f) {
            Map<String, double[]> groups = new LinkedHashMap<>();
            for (int i = 0; i < scores.size(); i++) {
                double[] sum = groups.computeIfAbsent(sequences.get(i).group(), k -> new double[2]);
                sum[0] += f.applyAsDouble(scores.get(i));
                sum[1]++;
            }
            return groups.values().stream().mapToDouble(v -> v[0] / v[1]).average().orElse(0);
        }
    }

    /** Every setting of the grid on every sequence (its frame counts rescaled from {@code settingsFps}), best first. */
    public static List<Result> sweep(List<Sequence> sequences, Grid grid, double settingsFps) {
        List<Result> out = new ArrayList<>();
        for (TrackerSettings s : grid.settings()) {
            List<MotScore> scores = new ArrayList<>();
            for (Sequence q : sequences) {
                scores.add(TrackEvaluation.run(q.gt(), q.det(), q.looks(), s.atFrameRate(settingsFps, q.fps())));
            }
            out.add(new Result(s, sequences, scores));
        }
        out.sort(Comparator.comparingDouble(Result::rank).reversed());
        return out;
    }

    /** The variants of one sequence ({@code 25fps}: as recorded, {@code reversed}, {@code 5fps}: 5 subsampled copies). */
    public static List<Sequence> variants(String name, double fps, Map<Integer, List<IdBox>> gt,
            Map<Integer, List<Detection>> det, Map<Integer, List<float[]>> looks, List<String> kinds) {
        List<Sequence> out = new ArrayList<>();
        int last = Math.max(gt.keySet().stream().mapToInt(Integer::intValue).max().orElse(0),
                det.keySet().stream().mapToInt(Integer::intValue).max().orElse(0));
        for (String kind : kinds) {
            switch (kind) {
                case "25fps", "as-recorded" -> out.add(new Sequence(name, kind, fps, gt, det, looks));
                case "reversed" -> out.add(new Sequence(name + " reversed", kind, fps, remap(gt, f -> last + 1 - f),
                        remap(det, f -> last + 1 - f), looks == null ? null : remap(looks, f -> last + 1 - f)));
                case "5fps" -> {
                    for (int offset = 0; offset < 5; offset++) {
                        final int o = offset;
                        java.util.function.IntUnaryOperator map = f -> (f - 1 - o) % 5 == 0 && f - 1 - o >= 0 ? (f - 1 - o) / 5 + 1 : -1;
                        out.add(new Sequence(name + " 5fps+" + o, kind, fps / 5, remap(gt, map), remap(det, map),
                                looks == null ? null : remap(looks, map)));
                    }
                }
                default -> throw new IllegalArgumentException("unknown variant " + kind + " (25fps, reversed, 5fps)");
            }
        }
        return out;
    }

    private static <T> Map<Integer, T> remap(Map<Integer, T> frames, java.util.function.IntUnaryOperator map) {
        Map<Integer, T> out = new TreeMap<>();
        frames.forEach((f, v) -> {
            int to = map.applyAsInt(f);
            if (to >= 1) {
                out.put(to, v);
            }
        });
        return out;
    }

    /** Each detection's colour descriptor, from the sequence's frames {@code img1/NNNNNN.jpg}. */
    public static Map<Integer, List<float[]>> looks(Path imageDir, Map<Integer, List<Detection>> det) {
        FrameDecoder decoder = new FrameDecoder(new FrameLimits(64 << 20, 16384, 1L << 28));
        Map<Integer, List<float[]>> out = new TreeMap<>();
        for (Map.Entry<Integer, List<Detection>> e : det.entrySet()) {
            Path file = imageDir.resolve(String.format(Locale.ROOT, "%06d.jpg", e.getKey()));
            DecodedImage image;
            try {
                image = decoder.decode(Files.readAllBytes(file));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read " + file, ex);
            } catch (InvalidFrameException ex) {
                throw new IllegalArgumentException("cannot decode " + file + ": " + ex.getMessage(), ex);
            }
            List<float[]> looks = new ArrayList<>();
            for (Detection d : e.getValue()) {
                looks.add(Appearance.of(image, d));
            }
            out.put(e.getKey(), looks);
        }
        return out;
    }

    public static void main(String[] args) {
        List<Path> seqs = new ArrayList<>();
        List<Path> dets = new ArrayList<>();
        double minScore = 0;
        double settingsFps = 5;
        List<String> kinds = List.of("25fps");
        int top = 20;
        Grid g = Grid.boxes();
        Map<String, String> axes = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--seq", "--gt" -> seqs.add(Path.of(v));
                case "--det" -> dets.add(Path.of(v));
                case "--min-score" -> minScore = Double.parseDouble(v);
                case "--fps" -> settingsFps = Double.parseDouble(v);
                case "--variants" -> kinds = List.of(v.split(","));
                case "--top" -> top = Integer.parseInt(v);
                default -> {
                    if (!args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown argument " + args[i]);
                    }
                    axes.put(args[i].substring(2), v);
                }
            }
        }
        if (seqs.isEmpty() || seqs.size() != dets.size()) {
            System.err.println("usage: TrackerSweep --seq SEQ_DIR --det det.txt [--seq ... --det ...] [--min-score S] "
                    + "[--fps 5] [--variants 25fps,reversed,5fps] [--high 0.5,0.6 ... see the class doc] [--top N]");
            System.exit(2);
        }
        g = new Grid(d(axes, "high", g.high()), d(axes, "new-margin", g.newMargin()), d(axes, "low", g.low()),
                d(axes, "iou", g.iou()), d(axes, "low-iou", g.lowIou()), n(axes, "missed", g.missed()),
                n(axes, "hits", g.hits()), d(axes, "colour-weight", g.colourWeight()), d(axes, "colour-gate", g.colourGate()),
                d(axes, "reid", g.reid()));
        if (!axes.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + axes.keySet());
        }
        boolean colour = g.settings().stream().anyMatch(TrackerSettings::usesAppearance);
        List<Sequence> sequences = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            Path seq = seqs.get(i);
            Map<Integer, List<Detection>> det = TrackEvaluation.atLeast(MotFiles.readDetections(dets.get(i), "person"), minScore);
            Map<Integer, List<float[]>> looks = colour ? looks(seq.resolve("img1"), det) : null;
            double fps = lookout.dataset.MotDataset.frameRate(seq);
            sequences.addAll(variants(seq.getFileName().toString(), fps > 0 ? fps : 25,
                    MotFiles.readGroundTruth(seq.resolve("gt").resolve("gt.txt")), det, looks, kinds));
        }
        List<Result> results = sweep(sequences, g, settingsFps);
        System.out.printf(Locale.ROOT, "sequences: %s; detections >= %.2f; frame counts at %.3g fps%n",
                sequences.stream().map(Sequence::name).toList(), minScore, settingsFps);
        System.out.printf(Locale.ROOT, "%6s %6s %6s %5s %5s %5s | %5s %5s %5s %5s %6s %6s %4s %5s %5s %5s%n",
                "rank", "MOTA", "IDF1", "IDsw", "FP", "FN", "high", "new", "low", "iou", "lowIou", "missed", "hits",
                "cw", "cgate", "reid");
        for (Result r : results.subList(0, Math.min(top, results.size()))) {
            TrackerSettings s = r.settings();
            System.out.printf(Locale.ROOT,
                    "%6.4f %6.3f %6.3f %5.1f %5.1f %5.1f | %5.2f %5.2f %5.2f %5.2f %6.2f %6d %4d %5.2f %5.2f %5.2f%n",
                    r.rank(), r.mean(MotScore::mota), r.mean(MotScore::idf1), r.mean(MotScore::idSwitches),
                    r.mean(MotScore::falsePositives), r.mean(MotScore::misses), s.highScore(), s.newTrackScore(),
                    s.lowScore(), s.matchIou(), s.lowMatchIou(), s.maxMissedFrames(), s.minHits(), s.appearanceWeight(),
                    s.appearanceGate(), s.reidDistance());
        }
        System.out.println(results.size() + " settings tried; MOTA, IDF1, IDsw, FP, FN are means over the variant groups");
        if (!results.isEmpty()) {
            System.out.println("best, per sequence:");
            Result best = results.get(0);
            for (int i = 0; i < sequences.size(); i++) {
                MotScore m = best.scores().get(i);
                System.out.printf(Locale.ROOT, "  %-24s MOTA %6.3f IDF1 %6.3f IDsw %3d FP %4d FN %4d ids %d/%d%n",
                        sequences.get(i).name(), m.mota(), m.idf1(), m.idSwitches(), m.falsePositives(), m.misses(),
                        m.predIds(), m.gtIds());
            }
        }
    }

    private static double[] d(Map<String, String> axes, String key, double[] dflt) {
        String v = axes.remove(key);
        return v == null ? dflt : java.util.Arrays.stream(v.split(",")).mapToDouble(Double::parseDouble).toArray();
    }

    private static int[] n(Map<String, String> axes, String key, int[] dflt) {
        String v = axes.remove(key);
        return v == null ? dflt : java.util.Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
