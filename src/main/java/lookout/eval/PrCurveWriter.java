package lookout.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Draws the interpolated precision/recall curve at IoU 0.50 into a PNG (Java2D, headless). */
public final class PrCurveWriter {
    private static final int W = 640;
    private static final int H = 480;
    private static final int M = 60;

    private PrCurveWriter() {
    }

    public static void write(EvaluationResult result, String title, Path out) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            int pw = W - 2 * M;
            int ph = H - 2 * M;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i <= 10; i++) {
                int x = M + pw * i / 10;
                int y = H - M - ph * i / 10;
                g.setColor(new Color(230, 230, 230));
                g.drawLine(x, M, x, H - M);
                g.drawLine(M, y, W - M, y);
                g.setColor(Color.DARK_GRAY);
                String label = String.format(Locale.ROOT, "%.1f", i / 10.0);
                g.drawString(label, x - 8, H - M + 16);
                g.drawString(label, M - 28, y + 4);
            }
            g.setColor(Color.BLACK);
            g.drawRect(M, M, pw, ph);
            g.drawString("recall", W / 2 - 15, H - 20);
            g.drawString("precision", 8, M - 10);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, M, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(String.format(Locale.ROOT, "AP50 %.3f   AP %.3f   AP75 %.3f   (%d images, %d GT)",
                    result.ap50(), result.ap(), result.ap75(), result.images(), result.groundTruth()), M, 42);
            double[] q = result.prCurve();
            Path2D.Double line = new Path2D.Double();
            for (int i = 0; i < q.length; i++) {
                double x = M + pw * (i / (double) (q.length - 1));
                double y = H - M - ph * q[i];
                if (i == 0) {
                    line.moveTo(x, y);
                } else {
                    line.lineTo(x, y);
                }
            }
            g.setColor(new Color(31, 119, 180));
            g.setStroke(new BasicStroke(2.5f));
            g.draw(line);
            if (!Double.isNaN(result.precision()) && !Double.isNaN(result.recall())) {
                int x = (int) Math.round(M + pw * result.recall());
                int y = (int) Math.round(H - M - ph * result.precision());
                g.setColor(new Color(214, 39, 40));
                g.fillOval(x - 5, y - 5, 10, 10);
                g.drawString(String.format(Locale.ROOT, "score >= %.2f: P %.2f R %.2f", result.scoreThreshold(),
                        result.precision(), result.recall()), Math.min(x + 8, W - 200), Math.max(y - 8, M + 14));
            }
        } finally {
            g.dispose();
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        ImageIO.write(image, "png", out.toFile());
    }
}
