package lookout.common;

import java.nio.file.Path;

/** Paths built from names that came from outside stay inside the directory they belong to. */
public final class SafePaths {
    private SafePaths() {
    }

    /**
     * {@code base/name}, refused when name is absolute, has several parts or leaves base once
     * normalised ("..", "/etc/passwd", "a/../../b").
     *
     * @throws IllegalArgumentException when the result would leave base
     */
    public static Path inside(Path base, String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty name under " + base);
        }
        Path root = base.toAbsolutePath().normalize();
        Path child = Path.of(name);
        Path resolved = root.resolve(child).normalize();
        if (child.isAbsolute() || child.getNameCount() != 1 || !resolved.getParent().equals(root)) {
            throw new IllegalArgumentException("\"" + Names.clip(name, 80) + "\" would leave " + root);
        }
        return resolved;
    }

    /**
     * {@code base/relative} where relative may have several parts ({@code cam/seq/000001.jpg}),
     * refused when it is absolute or leaves base once normalised.
     *
     * @throws IllegalArgumentException when the result would leave base
     */
    public static Path under(Path base, String relative) {
        if (relative == null || relative.isEmpty()) {
            throw new IllegalArgumentException("empty name under " + base);
        }
        Path root = base.toAbsolutePath().normalize();
        Path child = Path.of(relative);
        Path resolved = root.resolve(child).normalize();
        if (child.isAbsolute() || resolved.equals(root) || !resolved.startsWith(root)) {
            throw new IllegalArgumentException("\"" + Names.clip(relative, 80) + "\" would leave " + root);
        }
        return resolved;
    }
}
