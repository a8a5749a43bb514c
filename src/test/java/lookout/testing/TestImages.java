package lookout.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Assumptions;

/** Small synthetic images and the location of the real data set for tests. */
public final class TestImages {
    private TestImages() {
    }

    public static byte[] encode(String format, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(90, 120, 200));
        g.fillRect(0, 0, w, h);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The real pedestrian data folder; skips the test (with the reason) when it is missing. */
    public static Path dataDir() {
        String dir = System.getProperty("lookout.data.dir", "../shared/data");
        Path p = Path.of(dir);
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("tud")),
                "real data not found at " + p.toAbsolutePath() + " (set -Dlookout.data.dir); skipping");
        return p;
    }
}
