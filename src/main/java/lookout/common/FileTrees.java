package lookout.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting a directory and everything in it (scratch folders: trainer work, Kafka Streams state). */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code dir} with its contents, deepest first; a missing directory is nothing to do. */
    public static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
