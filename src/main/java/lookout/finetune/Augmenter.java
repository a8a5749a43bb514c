package lookout.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import lookout.dataset.Box;
import lookout.frames.DecodedImage;

/**
 * Training-time augmentation: horizontal flip (boxes mirrored) and scale jitter. The model resizes
 * every input to its own min size, so "scale" here changes the apparent object size: a factor
 * above 1 crops a random window of 1/s of the image (objects get bigger; boxes clipped, a box
 * keeping less than half its area is dropped), below 1 pads the image onto a larger grey canvas
 * (objects get smaller). Deterministic for a given {@link Random}.
 */
public final class Augmenter {
    private static final byte[] PAD = {(byte) 124, (byte) 116, (byte) 104};

    private final double flipProbability;
    private final double minScale;
    private final double maxScale;

    public Augmenter(double flipProbability, double minScale, double maxScale) {
        if (minScale <= 0 || maxScale < minScale) {
            throw new IllegalArgumentException("bad scale range " + minScale + ".." + maxScale);
        }
        this.flipProbability = flipProbability;
        this.minScale = minScale;
        this.maxScale = maxScale;
    }

    public static Augmenter none() {
        return new Augmenter(0, 1, 1);
    }

    public TrainingSample apply(TrainingSample sample, Random random) {
        TrainingSample out = sample;
        if (maxScale != 1 || minScale != 1) {
            double s = Math.exp(Math.log(minScale) + random.nextDouble() * (Math.log(maxScale) - Math.log(minScale)));
            out = scale(out, s, random);
        }
        if (flipProbability > 0 && random.nextDouble() < flipProbability) {
            out = flip(out);
        }
        return out;
    }

    public static TrainingSample flip(TrainingSample sample) {
        DecodedImage image = sample.image();
        int w = image.width();
        int h = image.height();
        byte[] src = image.rgb();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < h; y++) {
            int row = y * w * 3;
            for (int x = 0; x < w; x++) {
                int s = row + x * 3;
                int d = row + (w - 1 - x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        List<Box> boxes = new ArrayList<>(sample.boxes().size());
        for (Box b : sample.boxes()) {
            boxes.add(b.flipHorizontal(w));
        }
        return sample.with(new DecodedImage(w, h, dst), boxes);
    }

    static TrainingSample scale(TrainingSample sample, double s, Random random) {
        DecodedImage image = sample.image();
        int w = image.width();
        int h = image.height();
        if (s > 1) {
            int cw = Math.max(8, (int) Math.round(w / s));
            int ch = Math.max(8, (int) Math.round(h / s));
            int x0 = random.nextInt(w - cw + 1);
            int y0 = random.nextInt(h - ch + 1);
            List<Box> kept = new ArrayList<>();
            for (Box b : sample.boxes()) {
                Box c = new Box(Math.max(b.x1(), x0) - x0, Math.max(b.y1(), y0) - y0,
                        Math.min(b.x2(), x0 + cw) - x0, Math.min(b.y2(), y0 + ch) - y0);
                if (c.width() >= 2 && c.height() >= 2 && c.area() >= 0.5 * b.area()) {
                    kept.add(c);
                }
            }
            if (kept.isEmpty() && !sample.boxes().isEmpty()) {
                return sample; // a crop without people teaches nothing here; keep the original
            }
            byte[] dst = new byte[cw * ch * 3];
            for (int y = 0; y < ch; y++) {
                System.arraycopy(image.rgb(), ((y0 + y) * w + x0) * 3, dst, y * cw * 3, cw * 3);
            }
            return sample.with(new DecodedImage(cw, ch, dst), kept);
        }
        if (s < 1) {
            int cw = (int) Math.round(w / s);
            int ch = (int) Math.round(h / s);
            int x0 = random.nextInt(cw - w + 1);
            int y0 = random.nextInt(ch - h + 1);
            byte[] dst = new byte[cw * ch * 3];
            for (int i = 0; i < dst.length; i += 3) {
                dst[i] = PAD[0];
                dst[i + 1] = PAD[1];
                dst[i + 2] = PAD[2];
            }
            for (int y = 0; y < h; y++) {
                System.arraycopy(image.rgb(), y * w * 3, dst, ((y0 + y) * cw + x0) * 3, w * 3);
            }
            List<Box> moved = new ArrayList<>();
            for (Box b : sample.boxes()) {
                moved.add(new Box(b.x1() + x0, b.y1() + y0, b.x2() + x0, b.y2() + y0));
            }
            return sample.with(new DecodedImage(cw, ch, dst), moved);
        }
        return sample;
    }
}
