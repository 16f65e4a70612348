package io.tracebee.cli;

import io.quarkus.picocli.runtime.PicocliRunner;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import picocli.CommandLine;

/**
 * The entry point. {@code --help} and {@code --version} are answered before Quarkus starts: no port is bound and
 * nothing is loaded, so they work beside a running agent (whose port a second Quarkus start would clash with).
 * Everything else starts Quarkus, which runs {@link TracebeeCommand}.
 */
@QuarkusMain
public final class Main {
    private Main() {
    }

    public static void main(String... args) {
        CommandLine cli = new CommandLine(new TracebeeCommand());
        if (asksOnlyForHelp(cli, args)) {
            System.exit(cli.execute(args));
        }
        Quarkus.run(PicocliRunner.class, args);
    }

    /** Whether the arguments parse and ask for usage or version help; a parse error is the full command's to report. */
    static boolean asksOnlyForHelp(CommandLine cli, String... args) {
        try {
            CommandLine.ParseResult r = cli.parseArgs(args);
            return r.isUsageHelpRequested() || r.isVersionHelpRequested();
        } catch (CommandLine.ParameterException e) {
            return false;
        }
    }
}
