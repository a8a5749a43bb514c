package lookout.labels;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

import lookout.dataset.Box;
import lookout.dataset.DatasetException;
import lookout.dataset.Datasets;
import lookout.dataset.FrameRange;
import lookout.dataset.LabelledImage;
import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;

/**
 * Turns a data set on disk (MOT sequence, USC set or YOLO split, read by {@link Datasets}) into labels records.
 * JPEG and PNG keep their original bytes; anything else (USC's BMPs) is re-encoded as lossless PNG,
 * since the labels contract carries JPEG or PNG. Boxes are clipped to the image (MOT boxes may
 * overhang the border) and boxes that vanish are dropped. Sample ids are
 * {@code <camera>/<dataset id>}, e.g. {@code tud-stadtmitte/TUD-Stadtmitte/000042}: stable, so
 * re-importing overwrites instead of duplicating.
 */
public final class DatasetImport {
    private final FrameDecoder decoder;

    /** @param decoder checks each image as the trainer will (same limits as frames) */
    public DatasetImport(FrameDecoder decoder) {
        this.decoder = decoder;
    }

    /**
     * @param camera    camera id; null means the sequence folder name in lower case (mot), else the format name
     * @param range     frame range (mot only)
     * @param className the class to read (yolo only)
     */
    public List<ImportedFrame> read(String format, Path path, String camera, FrameRange range, String className)
            throws DatasetException, IOException {
        String fmt = format.toLowerCase(Locale.ROOT);
        String cam = camera != null ? camera
                : fmt.equals("mot") ? path.toAbsolutePath().normalize().getFileName().toString().toLowerCase(Locale.ROOT)
                : fmt;
        List<ImportedFrame> out = new ArrayList<>();
        for (LabelledImage li : Datasets.load(fmt, path, range, className)) {
            byte[] bytes = li.bytes();
            DecodedImage decoded = li.decode(decoder, bytes);
            if (!isJpegOrPng(bytes)) {
                bytes = png(bytes);
            }
            List<Box> boxes = new ArrayList<>();
            for (Box b : li.boxes()) {
                Box c = LabelCodec.clip(b, decoded.width(), decoded.height());
                if (c.width() >= LabelCodec.MIN_SIDE && c.height() >= LabelCodec.MIN_SIDE) {
                    boxes.add(c);
                }
            }
            out.add(new ImportedFrame(cam + "/" + li.id(), bytes, boxes, cam, fmt + ":" + li.id()));
        }
        return out;
    }

    private static boolean isJpegOrPng(byte[] bytes) {
        boolean jpeg = bytes.length > 2 && (bytes[0] & 0xff) == 0xFF && (bytes[1] & 0xff) == 0xD8;
        boolean png = bytes.length > 4 && (bytes[0] & 0xff) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
        return jpeg || png;
    }

    private static byte[] png(byte[] encoded) throws IOException {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(encoded));
        if (src == null) {
            throw new IOException("cannot re-encode image as PNG");
        }
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        rgb.getGraphics().drawImage(src, 0, 0, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(rgb, "png", out);
        return out.toByteArray();
    }
}
