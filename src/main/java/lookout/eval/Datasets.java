package lookout.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;

/** Picks a loader by format name and reads image files through the service's own frame decoder. */
public final class Datasets {
    private static final FrameDecoder DECODER = FrameDecoder.withDefaults();

    private Datasets() {
    }

    /** @param format "mot" or "usc"; range applies to mot only */
    public static List<LabelledImage> load(String format, Path dir, FrameRange range) throws DatasetException {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "mot" -> MotDataset.load(dir, range);
            case "usc" -> UscDataset.load(dir);
            default -> throw new DatasetException("unknown dataset format '" + format + "': use mot or usc");
        };
    }

    public static DecodedImage read(Path image) throws DatasetException {
        try {
            return DECODER.decode(Files.readAllBytes(image));
        } catch (IOException e) {
            throw new DatasetException("cannot read " + image + ": " + e.getMessage(), e);
        } catch (InvalidFrameException e) {
            throw new DatasetException("cannot decode " + image + ": " + e.reason() + " " + e.detail(), e);
        }
    }
}
