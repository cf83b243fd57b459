package io.streamtee.app;

import io.streamtee.analyze.AnalyzeCommand;
import io.streamtee.camera.CameraCommand;
import io.streamtee.cli.Cli;
import io.streamtee.playback.PlaybackCommand;
import io.streamtee.record.RecordCommand;
import io.streamtee.relay.RelayCommand;
import io.streamtee.serve.ServeCommand;
import io.streamtee.view.ViewCommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code streamtee}: the entry point. Parses the command line and runs one command through {@link Cli}; nothing else. */
@Command(name = "streamtee", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, version = "streamtee 0.1.0",
        description = "Replicate a live UDP camera stream to many consumers, exactly.",
        subcommands = {RelayCommand.class, CameraCommand.class, RecordCommand.class, PlaybackCommand.class,
            AnalyzeCommand.class, ViewCommand.class, ServeCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Run 'streamtee help COMMAND' or 'streamtee COMMAND --help' for a command's options."})
public final class Main implements Runnable {
    /** The commands of {@link Main}'s annotation by name, each made only when it is the one that runs. */
    static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("relay", RelayCommand::new);
        COMMANDS.put("camera", CameraCommand::new);
        COMMANDS.put("record", RecordCommand::new);
        COMMANDS.put("playback", PlaybackCommand::new);
        COMMANDS.put("analyze", AnalyzeCommand::new);
        COMMANDS.put("view", ViewCommand::new);
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("demo", DemoCommand::new);
    }

    @Spec
    CommandSpec spec;

    /** {@code streamtee} alone prints the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * The command line that runs {@code args}: when the first argument names a command, {@code streamtee} with only
     * that command (picocli reads the annotations of every command it is given, and reading all of them took a fifth
     * of the relay's start-up); otherwise (help, a version, a typo) {@code streamtee} with every command.
     */
    static CommandLine commandLine(String... args) {
        Supplier<Object> command = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (command == null) {
            return new CommandLine(new Main());
        }
        CommandLine one = new CommandLine(new OneCommand());
        one.addSubcommand(args[0], command.get());
        return one;
    }

    public static void main(String[] args) {
        System.exit(Cli.run(commandLine(args), args));
    }

    /** {@code streamtee} as the parent of a single command: the same name, so that usage and errors read the same. */
    @Command(name = "streamtee", mixinStandardHelpOptions = true, version = "streamtee 0.1.0")
    static final class OneCommand implements Runnable {
        @Override
        public void run() {
            // never runs: a command name is always followed by that command
        }
    }
}
