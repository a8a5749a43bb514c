package lookout.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import lookout.frames.DecodedImage;
import lookout.frames.FrameDecoder;
import lookout.frames.InvalidFrameException;

/** An image file with its ground-truth boxes; {@code id} is stable and unique within a dataset. */
public record LabelledImage(String id, Path path, List<Box> boxes) {
    public LabelledImage {
        boxes = List.copyOf(boxes);
    }

    /** The encoded file as it is on disk. */
    public byte[] bytes() throws DatasetException {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The pixels, decoded (and limited) as a frame on lookout.frames would be. */
    public DecodedImage decode(FrameDecoder decoder) throws DatasetException {
        return decode(decoder, bytes());
    }

    /** The pixels of this image's bytes (already read), decoded as a frame would be. */
    public DecodedImage decode(FrameDecoder decoder, byte[] bytes) throws DatasetException {
        try {
            return decoder.decode(bytes);
        } catch (InvalidFrameException e) {
            throw new DatasetException("cannot decode " + path + ": " + e.reason().code() + " " + e.detail(), e);
        }
    }
}
