package lookout.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import lookout.frames.FrameDecoder;
import lookout.frames.ImageSize;
import lookout.frames.InvalidFrameException;

/**
 * A YOLO / Ultralytics split: {@code DIR/images} + {@code DIR/labels}, or an
 * {@code .../images/SPLIT} folder whose labels are at {@code .../labels/SPLIT}. One label file per
 * image ({@code <stem>.txt}, lines {@code class cx cy w h} normalised to [0,1] by the image's width
 * and height; a missing file means no boxes). The class map is the {@code names} of the first
 * {@code data.yaml}, {@code config.yaml} or other {@code *.yaml} found in the images folder or up to
 * three levels above (a list, or an {index: name} map). Only the chosen class is read; images
 * without it stay in as negatives. Boxes are clipped to the image and dropped when 1 px or less
 * wide or high: the same rule as {@code yolo_split} in model/lookout_model/datasets.py, so both
 * sides read the same boxes. Ids are {@code <split>/<file stem>}.
 */
public final class YoloDataset {
    static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");
    private static final List<String> CLASS_FILES = List.of("data.yaml", "config.yaml");
    private static final int LEVELS_ABOVE = 3;

    private YoloDataset() {
    }

    public static List<LabelledImage> load(Path split, String className) throws DatasetException {
        Path images = imagesDir(split);
        Path labels = labelsDir(split);
        List<String> names = classNames(images);
        int cls = names.indexOf(className);
        if (cls < 0) {
            throw new DatasetException("class '" + className + "' is not in the dataset's names "
                    + (names.size() > 10 ? names.subList(0, 10) + "..." : names));
        }
        String splitName = split.toAbsolutePath().normalize().getFileName().toString();
        List<LabelledImage> out = new ArrayList<>();
        for (Path image : imageFiles(images)) {
            String file = image.getFileName().toString();
            String stem = file.substring(0, file.lastIndexOf('.'));
            ImageSize size = size(image);
            List<Box> boxes = readLabels(labels.resolve(stem + ".txt"), cls, size.width(), size.height());
            out.add(new LabelledImage(splitName + "/" + stem, image, boxes));
        }
        if (out.isEmpty()) {
            throw new DatasetException("no images (" + String.join(", ", IMAGE_EXTENSIONS) + ") in " + images);
        }
        return out;
    }

    /** The images folder: DIR/images, or the given .../images/SPLIT folder itself. */
    static Path imagesDir(Path split) throws DatasetException {
        if (Files.isDirectory(split.resolve("images"))) {
            return split.resolve("images");
        }
        if (Files.isDirectory(split) && lastImagesSegment(split) >= 0) {
            return split;
        }
        throw new DatasetException("not a YOLO split: " + split + " has no images/ folder and is not an .../images/SPLIT folder");
    }

    /** The labels folder: DIR/labels, or .../labels/SPLIT for .../images/SPLIT (the last "images" becomes "labels"). */
    static Path labelsDir(Path split) throws DatasetException {
        if (Files.isDirectory(split.resolve("images"))) {
            return split.resolve("labels");
        }
        Path abs = split.toAbsolutePath().normalize();
        int i = lastImagesSegment(abs);
        Path labels = abs.getRoot();
        for (int k = 0; k < abs.getNameCount(); k++) {
            labels = labels.resolve(k == i ? "labels" : abs.getName(k).toString());
        }
        return labels;
    }

    private static int lastImagesSegment(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        for (int k = abs.getNameCount() - 1; k >= 0; k--) {
            if (abs.getName(k).toString().equals("images")) {
                return k;
            }
        }
        return -1;
    }

    /** Class names from the first yaml with {@code names} at or up to three levels above the images folder. */
    static List<String> classNames(Path images) throws DatasetException {
        YAMLMapper yaml = new YAMLMapper();
        Path dir = images.toAbsolutePath().normalize();
        for (int level = 0; level <= LEVELS_ABOVE && dir != null; level++, dir = dir.getParent()) {
            for (Path candidate : classFileCandidates(dir)) {
                JsonNode names;
                try {
                    names = yaml.readTree(candidate.toFile()).path("names");
                } catch (IOException | RuntimeException e) {
                    throw new DatasetException("cannot read " + candidate + ": " + e.getMessage(), e);
                }
                if (names.isArray()) {
                    List<String> out = new ArrayList<>();
                    names.forEach(n -> out.add(n.asText()));
                    return out;
                }
                if (names.isObject()) {
                    Map<Integer, String> byIndex = new TreeMap<>();
                    for (Map.Entry<String, JsonNode> e : names.properties()) {
                        try {
                            byIndex.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
                        } catch (NumberFormatException notAnIndex) {
                            throw new DatasetException(candidate + ": names key '" + e.getKey() + "' is not a class index");
                        }
                    }
                    return new ArrayList<>(byIndex.values());
                }
            }
        }
        throw new DatasetException("no data.yaml/config.yaml with `names` in " + images + " or up to "
                + LEVELS_ABOVE + " levels above");
    }

    private static List<Path> classFileCandidates(Path dir) throws DatasetException {
        List<Path> out = new ArrayList<>();
        for (String name : CLASS_FILES) {
            out.add(dir.resolve(name));
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new DatasetException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return out.stream().distinct().filter(Files::isRegularFile).toList();
    }

    private static List<Path> imageFiles(Path images) throws DatasetException {
        try (Stream<Path> files = Files.list(images)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return IMAGE_EXTENSIONS.stream().anyMatch(n::endsWith);
            }).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + images + ": " + e.getMessage(), e);
        }
    }

    private static ImageSize size(Path image) throws DatasetException {
        try {
            return FrameDecoder.headerSize(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new DatasetException("cannot read " + image + ": " + e.getMessage(), e);
        } catch (InvalidFrameException e) {
            throw new DatasetException("cannot read the size of " + image + ": " + e.getMessage(), e);
        }
    }

    /** The boxes of class {@code cls} in one label file, in pixels, clipped, slivers of 1 px or less dropped. */
    static List<Box> readLabels(Path file, int cls, double w, double h) throws DatasetException {
        List<Box> boxes = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return boxes;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (int n = 0; n < lines.size(); n++) {
            String[] p = lines.get(n).trim().split("\\s+");
            if (p.length < 5) {
                continue;
            }
            try {
                if ((int) Double.parseDouble(p[0]) != cls) {
                    continue;
                }
                double cx = Double.parseDouble(p[1]);
                double cy = Double.parseDouble(p[2]);
                double bw = Double.parseDouble(p[3]);
                double bh = Double.parseDouble(p[4]);
                double x1 = Math.max(0, (cx - bw / 2) * w);
                double y1 = Math.max(0, (cy - bh / 2) * h);
                double x2 = Math.min(w, (cx + bw / 2) * w);
                double y2 = Math.min(h, (cy + bh / 2) * h);
                if (x2 - x1 > 1 && y2 - y1 > 1) {
                    boxes.add(new Box((float) x1, (float) y1, (float) x2, (float) y2));
                }
            } catch (NumberFormatException e) {
                throw new DatasetException(file + ":" + (n + 1) + ": not a number in '" + lines.get(n) + "'");
            }
        }
        return boxes;
    }
}
