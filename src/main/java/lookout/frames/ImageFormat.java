package lookout.frames;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the format and declared size from an encoded image's header without decoding it, so
 * absurd sizes (decompression bombs) are refused before any pixel memory is allocated.
 */
enum ImageFormat {
    JPEG, PNG, BMP;

    static ImageFormat sniff(byte[] b) throws InvalidFrameException {
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return JPEG;
        }
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G'
                && b[4] == 0x0d && b[5] == 0x0a && b[6] == 0x1a && b[7] == 0x0a) {
            return PNG;
        }
        if (b.length >= 26 && b[0] == 'B' && b[1] == 'M') {
            return BMP;
        }
        throw new InvalidFrameException(DeadLetterReason.UNKNOWN_FORMAT,
                "not a JPEG, PNG or BMP image (first bytes " + hex(b, 8) + ")");
    }

    ImageSize size(byte[] b) throws InvalidFrameException {
        return switch (this) {
            case PNG -> pngSize(b);
            case BMP -> bmpSize(b);
            case JPEG -> jpegSize(b);
        };
    }

    /** Whether the stream ends properly; a truncated upload must not be analysed as a half-grey picture. */
    boolean complete(byte[] b) {
        return switch (this) {
            case JPEG -> endsWithJpegEoi(b);
            case PNG -> b.length >= 12 && b[b.length - 8] == 'I' && b[b.length - 7] == 'E'
                    && b[b.length - 6] == 'N' && b[b.length - 5] == 'D';
            case BMP -> true;
        };
    }

    private static boolean endsWithJpegEoi(byte[] b) {
        int end = b.length;
        // some encoders pad after EOI; tolerate a few trailing zero bytes
        while (end > 2 && b.length - end < 16 && b[end - 1] == 0) {
            end--;
        }
        return end >= 2 && (b[end - 2] & 0xff) == 0xff && (b[end - 1] & 0xff) == 0xd9;
    }

    private static ImageSize pngSize(byte[] b) throws InvalidFrameException {
        if (b.length < 24 || b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            throw new InvalidFrameException(DeadLetterReason.CORRUPT, "PNG without an IHDR chunk");
        }
        ByteBuffer buf = ByteBuffer.wrap(b, 16, 8).order(ByteOrder.BIG_ENDIAN);
        return new ImageSize(Integer.toUnsignedLong(buf.getInt()), Integer.toUnsignedLong(buf.getInt()));
    }

    private static ImageSize bmpSize(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b, 18, 8).order(ByteOrder.LITTLE_ENDIAN);
        long w = buf.getInt();
        long h = Math.abs((long) buf.getInt()); // negative height = top-down rows
        return new ImageSize(w, h);
    }

    private static ImageSize jpegSize(byte[] b) throws InvalidFrameException {
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xff) != 0xff) {
                throw new InvalidFrameException(DeadLetterReason.CORRUPT, "JPEG marker expected at byte " + i);
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) { // fill byte
                i++;
                continue;
            }
            if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
                i += 2;
                continue;
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                if (i + 9 > b.length) {
                    break;
                }
                long h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                long w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return new ImageSize(w, h);
            }
            if (marker == 0xda || len < 2) {
                break; // start of scan before any frame header, or a broken length
            }
            i += 2 + len;
        }
        throw new InvalidFrameException(DeadLetterReason.CORRUPT, "JPEG without a frame header (SOF)");
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(n, b.length); i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
