package io.guidance.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How the tests start {@code guidance COMMAND} as its own process, as the launcher does. */
final class CliProcess {
    private CliProcess() {}

    /**
     * {@code java [jvmOptions] -Dlog4j2.configurationFile=config/LOGCONFIG -cp ... GuidanceCli
     * args}.
     */
    static List<String> command(List<String> jvmOptions, String logConfig, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add(
                "-Dlog4j2.configurationFile="
                        + Path.of("..", "config", logConfig).toAbsolutePath().normalize().toUri());
        command.add("-cp");
        command.add(runClasspath());
        command.add(GuidanceCli.class.getName());
        command.addAll(args);
        return command;
    }

    /** This module's classes and its run-time class path, as the launcher runs them. */
    static String runClasspath() throws IOException {
        return Path.of("target", "classes").toAbsolutePath()
                + java.io.File.pathSeparator
                + Files.readString(Path.of("target", "cli-classpath.txt")).trim();
    }
}
