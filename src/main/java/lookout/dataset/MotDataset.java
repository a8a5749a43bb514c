package lookout.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A MOTChallenge sequence: {@code img1/000001.jpg...}, {@code gt/gt.txt} with lines
 * {@code frame,id,left,top,width,height,flag,...} (1-based frames, pixels) and optionally
 * {@code seqinfo.ini} (imDir, imExt). Rows whose flag (confidence) column is 0 are ignored.
 * Every image in the frame range is returned, with or without boxes.
 */
public final class MotDataset {
    private MotDataset() {
    }

    public static List<LabelledImage> load(Path sequence, FrameRange range) throws DatasetException {
        Map<String, String> info = seqInfo(sequence);
        Path imageDir = sequence.resolve(info.getOrDefault("imDir", "img1"));
        String ext = info.getOrDefault("imExt", ".jpg");
        Path gtFile = sequence.resolve("gt").resolve("gt.txt");
        if (!Files.isDirectory(imageDir)) {
            throw new DatasetException("not a MOTChallenge sequence: " + imageDir + " does not exist");
        }
        if (!Files.isRegularFile(gtFile)) {
            throw new DatasetException("not a MOTChallenge sequence: " + gtFile + " does not exist");
        }
        Map<Integer, List<Box>> boxes = readGt(gtFile, range);
        TreeMap<Integer, Path> frames = new TreeMap<>();
        try (Stream<Path> files = Files.list(imageDir)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.endsWith(ext)) {
                    try {
                        int frame = Integer.parseInt(name.substring(0, name.length() - ext.length()));
                        if (range.contains(frame)) {
                            frames.put(frame, p);
                        }
                    } catch (NumberFormatException e) {
                        // not a frame file
                    }
                }
            });
        } catch (IOException e) {
            throw new DatasetException("cannot list " + imageDir + ": " + e.getMessage(), e);
        }
        if (frames.isEmpty()) {
            throw new DatasetException("no " + ext + " frames in " + imageDir + " within frames " + range);
        }
        String seqName = sequence.toAbsolutePath().normalize().getFileName().toString();
        List<LabelledImage> images = new ArrayList<>(frames.size());
        frames.forEach((frame, path) -> images.add(new LabelledImage(
                seqName + "/" + String.format("%06d", frame), path, boxes.getOrDefault(frame, List.of()))));
        return images;
    }

    static Map<Integer, List<Box>> readGt(Path gtFile, FrameRange range) throws DatasetException {
        Map<Integer, List<Box>> boxes = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(gtFile);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + gtFile + ": " + e.getMessage(), e);
        }
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 6) {
                throw new DatasetException(gtFile + ":" + lineNo + ": expected frame,id,left,top,width,height,..., got '" + line + "'");
            }
            try {
                int frame = (int) Double.parseDouble(f[0].trim());
                if (!range.contains(frame)) {
                    continue;
                }
                if (f.length > 6 && Double.parseDouble(f[6].trim()) == 0) {
                    continue; // flagged "ignore"
                }
                float left = Float.parseFloat(f[2].trim());
                float top = Float.parseFloat(f[3].trim());
                float w = Float.parseFloat(f[4].trim());
                float h = Float.parseFloat(f[5].trim());
                boxes.computeIfAbsent(frame, k -> new ArrayList<>()).add(Box.ofXywh(left, top, w, h));
            } catch (NumberFormatException e) {
                throw new DatasetException(gtFile + ":" + lineNo + ": not a number in '" + line + "'");
            }
        }
        return boxes;
    }

    /** The sequence's frame rate from {@code seqinfo.ini} ({@code frameRate=}), or 0 when it does not say. */
    public static double frameRate(Path sequence) {
        try {
            return Double.parseDouble(seqInfo(sequence).getOrDefault("frameRate", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> seqInfo(Path sequence) {
        Map<String, String> info = new TreeMap<>();
        Path ini = sequence.resolve("seqinfo.ini");
        if (Files.isRegularFile(ini)) {
            try {
                for (String line : Files.readAllLines(ini)) {
                    int eq = line.indexOf('=');
                    if (eq > 0) {
                        info.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                    }
                }
            } catch (IOException e) {
                // defaults apply
            }
        }
        return info;
    }
}
