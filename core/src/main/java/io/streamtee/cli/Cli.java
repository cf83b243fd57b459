package io.streamtee.cli;

import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Runs a picocli command the streamtee way: a person-readable line for every error a person can fix. */
public final class Cli {
    /** Exit code for a bad command line or config. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a runtime failure (a port in use, ...). */
    public static final int EXIT_FAILURE = 1;

    private Cli() {
    }

    public static int run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((e, args2) -> {
            CommandLine bad = e.getCommandLine();
            PrintWriter err = bad.getErr();
            err.println(bad.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            err.println("Run '" + bad.getCommandSpec().qualifiedName() + " --help' for the options.");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            PrintWriter err = line.getErr();
            String name = line.getCommandSpec().qualifiedName();
            if (e instanceof CommandException ce) {
                err.println(name + ": " + e.getMessage());
                LoggerFactory.getLogger(Cli.class).debug("details", e);
                return ce.exitCode();
            }
            throw e;
        });
        return cl.execute(args);
    }
}
