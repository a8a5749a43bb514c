package lookout.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The users file: one user a line, {@code name:role:bcrypt-hash}; {@code #} comments and blank lines
 * are ignored. Written whole to a temporary file (mode 600) and moved into place, so a reader never
 * sees half a file and the hashes are readable by the service's own account only.
 */
public final class UsersFile {
    /** A user name: letters, digits, '.', '_', '@', '-'; at most 64 characters. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    /** One user as the file holds it. */
    public record User(String name, Role role, String hash) {
    }

    /** What a read found: the users, and a reason for each line it could not use (no hash ever quoted). */
    public record Contents(Map<String, User> users, List<String> problems) {
    }

    private UsersFile() {
    }

    /** @throws IllegalArgumentException when the name is not a valid user name */
    public static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid user name " + (name == null ? "null" : "\"" + lookout.common.Names.clip(name, 70) + "\"")
                    + ": 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        return name;
    }

    /** The file's users; a missing file has none. */
    public static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new Contents(Map.of(), List.of());
        }
        Map<String, User> users = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split(":", 3);
            String where = file + " line " + (i + 1);
            if (parts.length != 3 || !NAME.matcher(parts[0]).matches()) {
                problems.add(where + ": not name:role:bcrypt-hash");
                continue;
            }
            Role role;
            try {
                role = Role.of(parts[1]);
            } catch (IllegalArgumentException e) {
                problems.add(where + " (" + parts[0] + "): " + e.getMessage());
                continue;
            }
            if (!parts[2].startsWith("$2")) {
                problems.add(where + " (" + parts[0] + "): the password is not a bcrypt hash");
                continue;
            }
            if (users.putIfAbsent(parts[0], new User(parts[0], role, parts[2])) != null) {
                problems.add(where + ": user " + parts[0] + " appears twice; the first line counts");
            }
        }
        return new Contents(Collections.unmodifiableMap(users), List.copyOf(problems));
    }

    /** Replaces the file with these users (mode 600, its folder 700 when created). */
    public static void write(Path file, Iterable<User> users) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        StringBuilder b = new StringBuilder("# Lookout users: name:role:bcrypt-hash (roles: viewer, operator, admin, metrics)."
                + " Manage with ./lookout users.\n");
        for (User u : users) {
            b.append(requireName(u.name())).append(':').append(u.role().label()).append(':').append(u.hash()).append('\n');
        }
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, b, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates the file with one admin and a generated password, unless it exists (another process
     * may race: the file that is there wins).
     *
     * @return the generated password, to be shown once; null when the file already existed
     */
    public static String createWithAdmin(Path file, String name) throws IOException {
        if (Files.exists(file)) {
            return null;
        }
        String password = Passwords.generate();
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path tmp = Files.createTempFile(dir, ".users", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            write(tmp, List.of(new User(name, Role.ADMIN, Passwords.hash(password))));
            try {
                Files.createLink(file, tmp); // fails if a file appeared meanwhile: never overwrite
            } catch (FileAlreadyExistsException e) {
                return null;
            } catch (UnsupportedOperationException | IOException e) {
                if (Files.exists(file)) {
                    return null;
                }
                Files.move(tmp, file);
            }
            return password;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
