package io.guidance.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The production job in a JVM of its own, as a TaskManager runs on a cluster: a child {@code java}
 * process with its own heap, collector and GC log, on this JVM's class path, that runs one job at a
 * time on a local MiniCluster ({@link LocalJobHost}) when told to. Kafka, Redis and whatever
 * measures stay in this JVM, so their garbage does not pause the job, nor the job's the broker.
 *
 * <p>The two talk in lines: this JVM writes a command to the child's standard input ({@code start
 * FILE} with a properties file of job settings, {@code status}, {@code stop}) and reads one reply
 * ({@code ok ...} or {@code error MESSAGE}) from its standard output, which carries nothing else;
 * the child's logging goes to its standard error, kept in {@link #output()}. The end of its input
 * (this JVM closing the pipe, or dying) makes the child cancel its job and exit; {@link #close}
 * waits for that, and destroys the process if it does not come, as does a shutdown hook.
 */
final class JobProcess implements JobHost, AutoCloseable {
    private static final String EOF = "\u0000eof";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration REPLY_TIMEOUT = Duration.ofMinutes(3);

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Path dir;
    private final Path rulesFile;
    private final Path gcLog;
    private final Path output;
    private final List<String> jvmOptions;
    private final Thread shutdownHook;
    private int jobs;

    private JobProcess(
            Process process,
            Path dir,
            Path rulesFile,
            Path gcLog,
            Path output,
            List<String> jvmOptions) {
        this.process = process;
        this.dir = dir;
        this.rulesFile = rulesFile;
        this.gcLog = gcLog;
        this.output = output;
        this.jvmOptions = jvmOptions;
        this.commands =
                new BufferedWriter(
                        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.shutdownHook = new Thread(process::destroyForcibly, "bench-job-jvm-reaper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        Thread reader = new Thread(this::readReplies, "bench-job-jvm-replies");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the child JVM with {@code jvmOptions} (heap, collector) plus a GC log; every job it
     * runs reads {@code rulesFile} and keeps its checkpoints in {@code checkpoints}. Its GC log and
     * output go to {@code dir}.
     */
    static JobProcess start(List<String> jvmOptions, Path rulesFile, Path checkpoints, Path dir)
            throws IOException {
        Files.createDirectories(dir);
        Path gcLog = dir.resolve("job-gc.log");
        Path output = dir.resolve("job-output.log");
        Files.deleteIfExists(gcLog);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add(GcLog.option(gcLog.toAbsolutePath()));
        command.add("-Djava.awt.headless=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JobProcess.class.getName());
        command.add(checkpoints.toAbsolutePath().toString());
        Process p =
                new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.to(output.toFile()))
                        .start();
        LatencyBenchmark.log(
                "job JVM started (pid %d, options %s), output in %s",
                p.pid(), String.join(" ", jvmOptions), output);
        JobProcess j = new JobProcess(p, dir, rulesFile, gcLog, output, List.copyOf(jvmOptions));
        try {
            j.request("ping", START_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            j.close();
            throw e;
        }
        return j;
    }

    /** Where the job JVM's output and GC log go by default: {@code target/latency-job} of bench. */
    static Path defaultDir() {
        try {
            Path classes =
                    Path.of(
                            JobProcess.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            return classes.getParent().resolve("latency-job");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> jvmOptions() {
        return jvmOptions;
    }

    Path output() {
        return output;
    }

    Path gcLog() {
        return gcLog;
    }

    /** The child's pauses that overlap the wall-clock interval [from, to]. */
    GcLog.Pauses gcPauses(long fromMillis, long toMillis) throws IOException {
        return GcLog.pauses(gcLog, fromMillis, toMillis);
    }

    @Override
    public void start(Map<String, String> settings) throws Exception {
        Properties p = new Properties();
        p.putAll(settings);
        p.put("rules.file", rulesFile.toAbsolutePath().toString());
        Path file = dir.resolve("job-" + jobs++ + ".properties");
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, "settings of a benchmark job");
        }
        request("start " + file.toAbsolutePath(), START_TIMEOUT);
    }

    @Override
    public JobStatus status() throws IOException {
        String[] v = request("status", REPLY_TIMEOUT).split(" ");
        return new JobStatus(
                Long.parseLong(v[0]),
                Long.parseLong(v[1]),
                Long.parseLong(v[2]),
                Long.parseLong(v[3]));
    }

    @Override
    public void stop() {
        try {
            request("stop", REPLY_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            LatencyBenchmark.log("while stopping the job in the job JVM: %s", e.getMessage());
        }
    }

    /** Sends one command and returns the text after {@code ok} of its reply. */
    private synchronized String request(String command, Duration timeout) throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("the job JVM has exited; see " + output);
        }
        commands.write(command + "\n");
        commands.flush();
        String reply;
        try {
            reply = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the job JVM", e);
        }
        if (reply == null) {
            throw new IllegalStateException(
                    "no reply to '"
                            + command
                            + "' from the job JVM in "
                            + timeout
                            + "; see "
                            + output);
        }
        if (reply.equals(EOF)) {
            replies.add(EOF);
            throw new IllegalStateException("the job JVM has exited; see " + output);
        }
        if (reply.startsWith("error ")) {
            throw new IllegalStateException(
                    "job JVM: " + reply.substring("error ".length()) + " (see " + output + ")");
        }
        return reply.equals("ok") ? "" : reply.substring("ok ".length());
    }

    private void readReplies() {
        try (BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                replies.add(line);
            }
        } catch (IOException e) {
            // the process is gone: EOF below
        }
        replies.add(EOF);
    }

    /** Ends the child's input, so that it cancels its job and exits; destroys it if it does not. */
    @Override
    public void close() {
        try {
            try {
                commands.close();
            } catch (IOException e) {
                // the process is gone already
            }
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                LatencyBenchmark.log("the job JVM did not exit; destroying it");
                process.destroy();
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // this JVM is shutting down: the hook runs anyway
            }
        }
    }

    /**
     * The child: {@code JobProcess CHECKPOINT_DIR}. Standard output carries only the replies;
     * everything else printed goes to standard error.
     */
    public static void main(String[] args) throws Exception {
        PrintStream replies = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        if (args.length != 1) {
            System.err.println("usage: JobProcess CHECKPOINT_DIR (commands on standard input)");
            System.exit(2);
        }
        LocalJobHost host = new LocalJobHost(null, Path.of(args[0]));
        Reader stdin = new InputStreamReader(System.in, StandardCharsets.UTF_8);
        try (BufferedReader in = new BufferedReader(stdin)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] w = line.split(" ", 2);
                try {
                    switch (w[0]) {
                        case "ping":
                            replies.println("ok");
                            break;
                        case "start":
                            host.start(readSettings(Path.of(w[1])));
                            replies.println("ok");
                            break;
                        case "status":
                            JobStatus s = host.status();
                            replies.println(
                                    "ok "
                                            + s.detectRecordsIn()
                                            + " "
                                            + s.restarts()
                                            + " "
                                            + s.failedCheckpoints()
                                            + " "
                                            + s.completedCheckpoints());
                            break;
                        case "stop":
                            host.stop();
                            // the next job starts on a clean heap, as on a fresh TaskManager (the
                            // JIT stays warm): otherwise the mixed collections that reclaim this
                            // job's state would pause the next one
                            System.gc();
                            replies.println("ok");
                            break;
                        default:
                            replies.println("error unknown command " + Arrays.toString(w));
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                    replies.println("error " + String.valueOf(e).replace('\n', ' '));
                }
            }
        } finally {
            host.stop();
        }
        // the MiniCluster leaves threads that are not daemons
        System.exit(0);
    }

    private static Map<String, String> readSettings(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
