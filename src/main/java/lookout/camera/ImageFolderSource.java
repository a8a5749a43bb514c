package lookout.camera;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

import org.bytedeco.opencv.opencv_core.Mat;
import org.jboss.logging.Logger;

/** The images of one folder in file-name order, as frames at a fixed rate. */
final class ImageFolderSource implements FrameSource {
    private static final Logger LOG = Logger.getLogger(ImageFolderSource.class);
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "webp", "tif", "tiff", "ppm", "pgm");

    private final Path folder;
    private final List<Path> images;
    private final double fps;
    private int next;
    private Mat current;

    private ImageFolderSource(Path folder, List<Path> images, double fps) {
        this.folder = folder;
        this.images = images;
        this.fps = fps;
    }

    static ImageFolderSource open(Path folder, double fps) throws SourceException {
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(Files::isRegularFile).filter(ImageFolderSource::isImage).sorted().toList();
        } catch (IOException e) {
            throw new SourceException("cannot list folder " + folder + ": " + e.getMessage(), e);
        }
        if (images.isEmpty()) {
            throw new SourceException("no images (" + String.join(", ", EXTENSIONS) + ") in folder " + folder);
        }
        return new ImageFolderSource(folder, images, fps);
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public Captured grab() {
        while (next < images.size()) {
            int index = next++;
            Path file = images.get(index);
            closeCurrent();
            current = imread(file.toString(), IMREAD_COLOR);
            if (current == null || current.empty()) {
                LOG.warnf("skipping %s: not a readable image", file);
                continue;
            }
            return new Captured(current, Math.round(index * 1_000_000d / fps));
        }
        return null;
    }

    @Override
    public double frameRate() {
        return fps;
    }

    @Override
    public String describe() {
        return images.size() + " images in " + folder + " @ " + fps + " fps";
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    @Override
    public void close() {
        closeCurrent();
    }
}
