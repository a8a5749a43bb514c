package lookout.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import lookout.config.LookoutConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lookout users add|passwd|list|remove}: the users file of the HTTP login, edited on the host
 * (whoever may write that file is the admin of admins). A password is generated and printed once,
 * or read from standard input with {@code --password-stdin}; never taken from the command line,
 * where other users and the shell history would see it. A running service picks changes up at once.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Manage the users who may log in to the live page, the REST door and the metrics.",
        subcommands = {UsersCommand.Add.class, UsersCommand.Passwd.class, UsersCommand.ListUsers.class,
                UsersCommand.Remove.class})
public class UsersCommand {

    /** The file option every subcommand shares. */
    static class FileOption {
        @Option(names = "--file", description = "users file (default lookout.auth.users-file, env LOOKOUT_AUTH_USERS_FILE)")
        Path file;

        Path file() {
            return file != null ? file : LookoutConfig.current().auth().usersFile();
        }
    }

    /** The password to set: read from stdin with {@code --password-stdin}, or generated and printed once. */
    static class PasswordOption {
        @Option(names = "--password-stdin", description = "read the password (at least 12 characters) from standard input")
        boolean stdin;

        String password(String name) throws IOException {
            if (stdin) {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return Passwords.requireStrong(line == null ? null : line.strip());
            }
            String generated = Passwords.generate();
            System.out.println("password for " + name + " (shown once, only its bcrypt hash is kept): " + generated);
            return generated;
        }
    }

    static Map<String, UsersFile.User> read(Path file) throws IOException {
        UsersFile.Contents c = UsersFile.read(file);
        if (!c.problems().isEmpty()) {
            throw new IllegalStateException("fix the users file first: " + String.join("; ", c.problems()));
        }
        return new LinkedHashMap<>(c.users());
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user with a role.")
    public static class Add implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--role", required = true, description = "viewer, operator, admin or metrics")
        String role;
        @picocli.CommandLine.Mixin
        PasswordOption password = new PasswordOption();
        @picocli.CommandLine.Mixin
        FileOption file = new FileOption();

        @Override
        public Integer call() throws Exception {
            UsersFile.requireName(name);
            Role r = Role.of(role);
            Map<String, UsersFile.User> users = read(file.file());
            if (users.containsKey(name)) {
                throw new IllegalArgumentException("user " + name + " exists (passwd changes a password; remove, then add, changes a role)");
            }
            users.put(name, new UsersFile.User(name, r, Passwords.hash(password.password(name))));
            UsersFile.write(file.file(), users.values());
            System.out.println("added " + name + " (" + r.label() + ") to " + file.file());
            return 0;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, description = "Set a new password for a user.")
    public static class Passwd implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        PasswordOption password = new PasswordOption();
        @picocli.CommandLine.Mixin
        FileOption file = new FileOption();

        @Override
        public Integer call() throws Exception {
            Map<String, UsersFile.User> users = read(file.file());
            UsersFile.User u = users.get(name);
            if (u == null) {
                throw new IllegalArgumentException("no user " + UsersFile.requireName(name) + " in " + file.file());
            }
            users.put(name, new UsersFile.User(name, u.role(), Passwords.hash(password.password(name))));
            UsersFile.write(file.file(), users.values());
            System.out.println("new password set for " + name);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users and their roles (never passwords).")
    public static class ListUsers implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        FileOption file = new FileOption();

        @Override
        public Integer call() throws Exception {
            UsersFile.Contents c = UsersFile.read(file.file());
            List<String> lines = new ArrayList<>();
            c.users().values().forEach(u -> lines.add(u.name() + "\t" + u.role().label()));
            lines.forEach(System.out::println);
            c.problems().forEach(p -> System.err.println("users: " + p));
            if (lines.isEmpty()) {
                System.err.println("users: nobody in " + file.file());
            }
            return c.problems().isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user (their sessions end at once).")
    public static class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME")
        String name;
        @picocli.CommandLine.Mixin
        FileOption file = new FileOption();

        @Override
        public Integer call() throws Exception {
            Map<String, UsersFile.User> users = read(file.file());
            if (users.remove(name) == null) {
                throw new IllegalArgumentException("no user " + UsersFile.requireName(name) + " in " + file.file());
            }
            UsersFile.write(file.file(), users.values());
            System.out.println("removed " + name);
            return 0;
        }
    }
}
