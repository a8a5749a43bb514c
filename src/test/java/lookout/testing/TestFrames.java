package lookout.testing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Random;

import javax.imageio.ImageIO;

/** Real encoded frames and the kinds of broken input a camera topic sees. */
public final class TestFrames {
    private TestFrames() {
    }

    /** A JPEG (or PNG with format "png") of a grey scene with a dark upright figure. */
    public static byte[] image(String format, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(150, 150, 140));
        g.fillRect(0, 0, w, h);
        g.setColor(new Color(40, 30, 30));
        g.fillRect(w / 3, h / 4, Math.max(1, w / 10), Math.max(1, h / 2));
        g.dispose();
        return encode(img, format);
    }

    /** An image of one colour, for tests that check pixel values. */
    public static byte[] solid(String format, int w, int h, Color color) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return encode(img, format);
    }

    private static byte[] encode(BufferedImage img, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] jpeg(int w, int h) {
        return image("jpg", w, h);
    }

    /** The first half of a real JPEG (no end-of-image marker). */
    public static byte[] truncatedJpeg() {
        byte[] full = jpeg(64, 48);
        return Arrays.copyOf(full, full.length / 2);
    }

    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        b[0] = 0x42; // never a valid magic by chance
        return b;
    }

    /** A tiny real PNG whose header claims 8000 x 8000 pixels (a decompression bomb). */
    public static byte[] pngBomb() {
        byte[] bomb = image("png", 16, 16);
        int[] dims = {8000, 8000};
        for (int k = 0; k < 2; k++) {
            for (int j = 0; j < 4; j++) {
                bomb[16 + 4 * k + j] = (byte) (dims[k] >>> (24 - 8 * j));
            }
        }
        return bomb;
    }
}
