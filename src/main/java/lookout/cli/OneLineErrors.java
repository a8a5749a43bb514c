package lookout.cli;

import org.jboss.logging.Logger;

import lookout.common.Redact;
import picocli.CommandLine;

/**
 * What every command does with an error it did not handle itself: one line on stderr,
 * {@code lookout <command>: <what went wrong>}, and exit status 1. The stack trace is for
 * developers, so it goes to the log at DEBUG ({@code quarkus.log.category."lookout".level=DEBUG}).
 */
public final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    private static final Logger LOG = Logger.getLogger(OneLineErrors.class);

    @Override
    public int handleExecutionException(Exception error, CommandLine command, CommandLine.ParseResult parsed) {
        command.getErr().println(command.getCommandSpec().qualifiedName() + ": " + Redact.text(describe(error)));
        command.getErr().flush();
        LOG.debug("command failed", error);
        return 1;
    }

    /** The message, else the type of the deepest cause that has one (a bare NullPointerException says little). */
    static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return error.getClass().getSimpleName();
    }
}
