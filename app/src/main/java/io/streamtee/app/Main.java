package io.streamtee.app;

import io.streamtee.camera.CameraCommand;
import io.streamtee.cli.Cli;
import io.streamtee.playback.PlaybackCommand;
import io.streamtee.record.RecordCommand;
import io.streamtee.relay.RelayCommand;
import picocli.CommandLine.Command;

/** {@code streamtee}: the entry point. Parses the command line and runs one command; nothing else. */
@Command(name = "streamtee", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, version = "streamtee 0.1.0",
        description = "Replicate a live UDP camera stream to many consumers, exactly.",
        subcommands = {RelayCommand.class, CameraCommand.class, RecordCommand.class, PlaybackCommand.class,
            DemoCommand.class},
        footer = {"", "Run 'streamtee COMMAND --help' for a command's options."})
public final class Main implements Runnable {

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(Cli.run(new Main(), args));
    }
}
