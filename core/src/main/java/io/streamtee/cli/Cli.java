package io.streamtee.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Map;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a picocli command the streamtee way; every command, whether run as {@code streamtee COMMAND} or from its own
 * {@code main}, goes through {@link #run}:
 *
 * <ul>
 *   <li>an error a person can fix is one line, {@code streamtee COMMAND: MESSAGE}: a bad command line (exit
 *       {@link #EXIT_USAGE}) or a {@link CommandException} thrown by the command (exit {@link CommandException#exitCode()});
 *   <li>the help keeps an example on one line whatever the terminal width (the footer, where the examples are, is
 *       printed as written), and the command list shows the first sentence of each command's description, whole.
 * </ul>
 */
public final class Cli {
    /** Exit code for a bad command line or config. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a runtime failure (a port in use, ...). */
    public static final int EXIT_FAILURE = 1;
    /** The name every error line starts with. */
    public static final String PROGRAM = "streamtee";

    private Cli() {
    }

    /** Runs {@code command} with {@code args}, printing to stdout and stderr; returns the exit code. */
    public static int run(Object command, String... args) {
        Charset cs = Charset.defaultCharset();
        return run(command, new PrintWriter(System.out, true, cs), new PrintWriter(System.err, true, cs), args);
    }

    /** Runs {@code command} with {@code args}, printing help to {@code out} and errors to {@code err}. */
    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        int exit = cl.execute(args);
        out.flush();
        err.flush();
        return exit;
    }

    /** The command line for {@code command} with streamtee's error handling and help layout (for tests, too). */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = command instanceof CommandLine c ? c : new CommandLine(command);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine bad = e.getCommandLine();
            PrintWriter err = bad.getErr();
            err.println(prefix(bad) + ": " + oneLine(e.getMessage()) + " (see '" + prefix(bad) + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CommandException ce) {
                line.getErr().println(prefix(line) + ": " + oneLine(e.getMessage()));
                LoggerFactory.getLogger(Cli.class).debug("details", e);
                return ce.exitCode();
            }
            throw e;
        });
        layout(cl);
        return cl;
    }

    /** {@code streamtee COMMAND}: the command's name as a person types it, also for a command run on its own. */
    public static String prefix(CommandLine line) {
        String name = line.getCommandSpec().qualifiedName();
        return name.equals(PROGRAM) || name.startsWith(PROGRAM + " ") ? name : PROGRAM + " " + name;
    }

    private static String oneLine(String message) {
        String m = String.valueOf(message).strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl).strip();
    }

    /** Sets the help layout on {@code cl} and every subcommand. */
    private static void layout(CommandLine cl) {
        Map<String, CommandLine.IHelpSectionRenderer> sections = cl.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, Cli::verbatimFooter);
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, Cli::commandList);
        for (CommandLine sub : cl.getSubcommands().values()) {
            layout(sub);
        }
    }

    /** The footer (examples) line by line as written: a command wrapped mid-URL cannot be copied. */
    private static String verbatimFooter(CommandLine.Help help) {
        String[] lines = help.commandSpec().usageMessage().footer();
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            // picocli's format escapes: %n is a line break, %% a percent sign; nothing else is formatted here
            sb.append(line.replace("%n", System.lineSeparator()).replace("%%", "%")).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /**
     * One row per subcommand: its name and the first sentence of its description, whole, wrapped at word boundaries
     * under the description column when the terminal is narrower.
     */
    private static String commandList(CommandLine.Help help) {
        Map<String, CommandLine.Help> subs = help.subcommands();
        if (subs.isEmpty()) {
            return "";
        }
        int nameWidth = 0;
        for (String name : subs.keySet()) {
            nameWidth = Math.max(nameWidth, name.length());
        }
        int indent = 2 + nameWidth + 2;
        int width = Math.max(indent + 20, help.commandSpec().usageMessage().width());
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, CommandLine.Help> e : subs.entrySet()) {
            StringBuilder row = new StringBuilder("  ").append(e.getKey());
            row.append(" ".repeat(indent - row.length()));
            int col = indent;
            for (String word : firstSentence(e.getValue().commandSpec()).split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (col > indent && col + 1 + word.length() > width) {
                    row.append(System.lineSeparator()).append(" ".repeat(indent));
                    col = indent;
                } else if (col > indent) {
                    row.append(' ');
                    col++;
                }
                row.append(word);
                col += word.length();
            }
            sb.append(row).append(System.lineSeparator());
        }
        return sb.toString();
    }

    /** The first sentence of a command's description (or header), joined across the lines it was written on. */
    static String firstSentence(CommandSpec spec) {
        String[] lines = spec.usageMessage().header().length > 0 ? spec.usageMessage().header()
                : spec.usageMessage().description();
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                break; // a paragraph ends here
            }
            text.append(text.isEmpty() ? "" : " ").append(line.strip());
        }
        String s = text.toString().replace("%n", " ");
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '.' && (i + 1 == s.length() || s.charAt(i + 1) == ' ')) {
                return s.substring(0, i + 1);
            }
        }
        return s;
    }
}
