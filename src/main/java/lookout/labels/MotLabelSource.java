package lookout.labels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a MOTChallenge sequence folder ({@code img1/000001.jpg}, {@code gt/gt.txt},
 * {@code seqinfo.ini}) as labelled frames. Frames keep their original JPEG bytes; boxes are clipped
 * to the image (MOT boxes may overhang the border) and boxes that vanish are dropped.
 * Sample ids are {@code <camera>/<sequence>/<frame, 6 digits>}.
 */
public final class MotLabelSource {
    private MotLabelSource() {
    }

    public static List<ImportedFrame> read(Path sequenceDir, String camera, FrameRange range) throws IOException {
        Path gt = sequenceDir.resolve("gt/gt.txt");
        Path images = sequenceDir.resolve("img1");
        if (!Files.isRegularFile(gt) || !Files.isDirectory(images)) {
            throw new IOException(sequenceDir + " is not a MOT sequence (needs gt/gt.txt and img1/)");
        }
        String sequence = sequenceName(sequenceDir);
        String cam = camera != null ? camera : sequence.toLowerCase(Locale.ROOT);
        int[] size = imageSize(sequenceDir);
        Map<Integer, List<LabelSample.Box>> boxes = new TreeMap<>();
        for (String line : Files.readAllLines(gt)) {
            String[] f = line.trim().split("\\s*,\\s*");
            if (f.length < 6) {
                continue;
            }
            int frame = (int) Double.parseDouble(f[0]);
            if (f.length > 6 && Double.parseDouble(f[6]) == 0) {
                continue; // MOT16+: flag 0 marks boxes to ignore
            }
            double l = Double.parseDouble(f[2]);
            double t = Double.parseDouble(f[3]);
            double w = Double.parseDouble(f[4]);
            double h = Double.parseDouble(f[5]);
            LabelSample.Box box = new LabelSample.Box(l, t, l + w, t + h);
            if (size != null) {
                box = box.clip(size[0], size[1]);
            }
            if (box.width() >= LabelCodec.MIN_SIDE && box.height() >= LabelCodec.MIN_SIDE) {
                boxes.computeIfAbsent(frame, k -> new ArrayList<>()).add(box);
            }
        }
        List<ImportedFrame> out = new ArrayList<>();
        try (var files = Files.list(images)) {
            List<Path> sorted = files.filter(p -> p.getFileName().toString().matches("\\d+\\.(jpg|jpeg|png)"))
                    .sorted().toList();
            for (Path p : sorted) {
                int frame = Integer.parseInt(p.getFileName().toString().replaceAll("\\..*", ""));
                if (!range.contains(frame)) {
                    continue;
                }
                String id = cam + "/" + sequence + "/" + String.format("%06d", frame);
                out.add(new ImportedFrame(id, readBytes(p), boxes.getOrDefault(frame, List.of()), cam,
                        "mot:" + sequence + "/" + p.getFileName()));
            }
        }
        return out;
    }

    private static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sequenceName(Path dir) throws IOException {
        String name = ini(dir).get("name");
        return name != null ? name : dir.toAbsolutePath().normalize().getFileName().toString();
    }

    /** Width and height from seqinfo.ini, or null when it does not say. */
    static int[] imageSize(Path dir) throws IOException {
        Map<String, String> ini = ini(dir);
        if (ini.containsKey("imwidth") && ini.containsKey("imheight")) {
            return new int[] {Integer.parseInt(ini.get("imwidth")), Integer.parseInt(ini.get("imheight"))};
        }
        return null;
    }

    private static Map<String, String> ini(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path ini = dir.resolve("seqinfo.ini");
        if (Files.isRegularFile(ini)) {
            for (String line : Files.readAllLines(ini)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    out.put(line.substring(0, eq).trim().toLowerCase(Locale.ROOT), line.substring(eq + 1).trim());
                }
            }
        }
        return out;
    }
}
