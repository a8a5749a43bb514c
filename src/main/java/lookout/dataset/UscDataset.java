package lookout.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * USC pedestrian sets: each image ({@code .bmp}, any case, or jpg/png) has a {@code <name>.gt.xml}
 * beside it (sets A, B) or in a sibling {@code GT/} folder (set C), holding
 * {@code <ObjectList><Object><Rect x y width height/>}. Walks the given folder recursively, so the
 * root of all three sets works too. Images without an annotation file are skipped.
 */
public final class UscDataset {
    private UscDataset() {
    }

    public static List<LabelledImage> load(Path root) throws DatasetException {
        if (!Files.isDirectory(root)) {
            throw new DatasetException("USC dataset folder does not exist: " + root);
        }
        List<Path> images;
        try (Stream<Path> walk = Files.walk(root)) {
            images = walk.filter(Files::isRegularFile).filter(UscDataset::isImage).sorted().toList();
        } catch (IOException e) {
            throw new DatasetException("cannot list " + root + ": " + e.getMessage(), e);
        }
        DocumentBuilder xml = newBuilder();
        List<LabelledImage> out = new ArrayList<>();
        for (Path image : images) {
            Path gt = annotationFor(image);
            if (gt == null) {
                continue;
            }
            String id = root.relativize(image).toString().replace('\\', '/');
            out.add(new LabelledImage(id, image, readBoxes(xml, gt)));
        }
        if (out.isEmpty()) {
            throw new DatasetException("no annotated images (<name>.gt.xml beside the image or in GT/) under " + root);
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".bmp") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    static Path annotationFor(Path image) {
        String name = image.getFileName().toString();
        String stem = name.substring(0, name.lastIndexOf('.'));
        Path beside = image.resolveSibling(stem + ".gt.xml");
        if (Files.isRegularFile(beside)) {
            return beside;
        }
        Path inGt = image.resolveSibling("GT").resolve(stem + ".gt.xml");
        return Files.isRegularFile(inGt) ? inGt : null;
    }

    static List<Box> readBoxes(DocumentBuilder xml, Path gt) throws DatasetException {
        try {
            Document doc = xml.parse(gt.toFile());
            NodeList rects = doc.getElementsByTagName("Rect");
            List<Box> boxes = new ArrayList<>(rects.getLength());
            for (int i = 0; i < rects.getLength(); i++) {
                Element r = (Element) rects.item(i);
                boxes.add(Box.ofXywh(num(r, "x", gt), num(r, "y", gt), num(r, "width", gt), num(r, "height", gt)));
            }
            return boxes;
        } catch (SAXException | IOException e) {
            throw new DatasetException("cannot parse " + gt + ": " + e.getMessage(), e);
        }
    }

    private static float num(Element rect, String attribute, Path file) throws DatasetException {
        String v = rect.getAttribute(attribute);
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new DatasetException(file + ": Rect attribute " + attribute + "='" + v + "' is not a number");
        }
    }

    private static DocumentBuilder newBuilder() {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    }
}
