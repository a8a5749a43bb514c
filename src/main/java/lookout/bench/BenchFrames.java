package lookout.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/** The frames every part of the bench sends or runs: the first N frames of a video, as JPEG (what a camera sends). */
final class BenchFrames {
    private BenchFrames() {
    }

    static List<byte[]> read(String video, int count) throws IOException {
        List<byte[]> out = new ArrayList<>(count);
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video);
                Java2DFrameConverter converter = new Java2DFrameConverter()) {
            grabber.start();
            Frame frame;
            while (out.size() < count && (frame = grabber.grabImage()) != null) {
                BufferedImage image = converter.convert(frame);
                ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
                ImageIO.write(image, "jpg", jpeg);
                out.add(jpeg.toByteArray());
            }
            grabber.stop();
        }
        if (out.isEmpty()) {
            throw new IOException("no frames in " + video);
        }
        return out;
    }

    /** Writes them as 000.jpg, 001.jpg... for the Python side. */
    static void write(List<byte[]> frames, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < frames.size(); i++) {
            Files.write(dir.resolve(String.format("%03d.jpg", i)), frames.get(i));
        }
    }
}
