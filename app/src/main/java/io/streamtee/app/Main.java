package io.streamtee.app;

import io.streamtee.analyze.AnalyzeCommand;
import io.streamtee.camera.CameraCommand;
import io.streamtee.cli.Cli;
import io.streamtee.playback.PlaybackCommand;
import io.streamtee.record.RecordCommand;
import io.streamtee.relay.RelayCommand;
import io.streamtee.serve.ServeCommand;
import io.streamtee.view.ViewCommand;
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
    @Spec
    CommandSpec spec;

    /** {@code streamtee} alone prints the usage. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(Cli.run(new Main(), args));
    }
}
