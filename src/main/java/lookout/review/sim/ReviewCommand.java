package lookout.review.sim;

import picocli.CommandLine.Command;

/** {@code lookout review}: the review loop's tools (the page itself runs with serve and demo). */
@Command(name = "review", mixinStandardHelpOptions = true,
        description = "Frames worth labelling: measure the picker offline (the review page runs with serve and demo).",
        subcommands = {ReviewSimCommand.class})
public class ReviewCommand {
}
