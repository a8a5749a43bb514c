package lookout.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import lookout.auth.Passwords;
import lookout.auth.Role;
import lookout.auth.UsersFile;

/** A users file for a test's app: name, role and password of each, written as {@code lookout users add} would. */
public final class TestUsers {
    private final List<UsersFile.User> users = new ArrayList<>();

    public TestUsers add(String name, Role role, String password) {
        users.add(new UsersFile.User(name, role, Passwords.hash(password)));
        return this;
    }

    /** Writes the file and returns it (for {@code LOOKOUT_AUTH_USERS_FILE}). */
    public Path write(Path file) throws IOException {
        UsersFile.write(file, users);
        return file;
    }
}
