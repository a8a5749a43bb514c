package lookout.labels;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

/**
 * Reads USC pedestrian sets: images (BMP, often greyscale) with a {@code <name>.gt.xml} beside them
 * or in a {@code GT/} folder beside them. Images are re-encoded as PNG (lossless, 3 channels) since
 * the labels contract carries JPEG or PNG. Sample ids are {@code <camera>/<set folder>/<image name>}.
 */
public final class UscLabelSource {
    private static final Pattern RECT = Pattern.compile(
            "<Rect\\s+x=\"([-\\d.]+)\"\\s+y=\"([-\\d.]+)\"\\s+width=\"([-\\d.]+)\"\\s+height=\"([-\\d.]+)\"");

    private UscLabelSource() {
    }

    public static List<ImportedFrame> read(Path root, String camera, FrameRange range) throws IOException {
        String cam = camera != null ? camera : "usc";
        List<Path> images;
        try (var walk = Files.walk(root)) {
            images = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(bmp|png|jpg|jpeg)"))
                    .sorted().toList();
        }
        List<ImportedFrame> out = new ArrayList<>();
        int index = 0;
        for (Path image : images) {
            Path gt = groundTruth(image);
            if (gt == null) {
                continue;
            }
            index++;
            if (!range.contains(index)) {
                continue;
            }
            BufferedImage img = ImageIO.read(image.toFile());
            if (img == null) {
                continue;
            }
            List<LabelSample.Box> boxes = new ArrayList<>();
            Matcher m = RECT.matcher(Files.readString(gt));
            while (m.find()) {
                double x = Double.parseDouble(m.group(1));
                double y = Double.parseDouble(m.group(2));
                LabelSample.Box b = new LabelSample.Box(x, y, x + Double.parseDouble(m.group(3)),
                        y + Double.parseDouble(m.group(4))).clip(img.getWidth(), img.getHeight());
                if (b.width() >= LabelCodec.MIN_SIDE && b.height() >= LabelCodec.MIN_SIDE) {
                    boxes.add(b);
                }
            }
            String set = root.relativize(image.getParent()).toString().replace('\\', '/');
            String name = stem(image);
            String id = cam + "/" + (set.isEmpty() ? root.getFileName() : set) + "/" + name;
            out.add(new ImportedFrame(id, png(img), boxes, cam, "usc:" + root.relativize(image)));
        }
        return out;
    }

    private static Path groundTruth(Path image) {
        String name = stem(image) + ".gt.xml";
        for (Path p : new Path[] {image.resolveSibling(name), image.resolveSibling("GT").resolve(name)}) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static byte[] png(BufferedImage src) throws IOException {
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(src, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", out);
        return out.toByteArray();
    }
}
