package io.guidance.local;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis server in a child process, for the {@code guidance demo} command and for integration
 * tests.
 *
 * <p>Why a real server: the pipeline's Redis sink relies on genuine Redis semantics (expiry,
 * pipelining, reconnects after an outage), which fakes do not reproduce faithfully. Why a child
 * process that this class owns: the demo must run on a machine with only a JDK, and tests must
 * never leave servers behind.
 *
 * <p>The binary is {@code redis-server} from {@code PATH} when there is one; otherwise the binary
 * for this OS and architecture shipped inside the {@code com.github.codemonstur:embedded-redis}
 * artifact is extracted into this instance's temporary directory and run the same way. The server
 * listens on a free port on {@code 127.0.0.1} only, persists nothing ({@code --save "" --appendonly
 * no}) and works in its own temporary directory, which also holds its log and is deleted by {@link
 * #close()}.
 *
 * <p>The server cannot outlive the JVM: a shutdown hook stops it on a normal exit, and on POSIX
 * systems a tiny watchdog ({@code /bin/sh} running only the {@code read} built-in on a pipe from
 * this JVM) sends it {@code SIGTERM} when that pipe closes, which the operating system does even
 * when the JVM is killed with {@code SIGKILL} or crashes.
 *
 * <p>{@link #stop()} and {@link #restart()} simulate an outage of the Redis server on a stable
 * address. Instances are thread-safe.
 */
public final class LocalRedis implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalRedis.class);

    private static final String EXECUTABLE = "redis-server";
    private static final String HOST = LocalResources.LOOPBACK;
    private static final Path POSIX_SHELL = Paths.get("/bin/sh");

    /**
     * util-linux's {@code setsid}: the server and its watchdog run in a session of their own, so a
     * Ctrl-C in the terminal (SIGINT to the whole foreground process group) reaches only the JVM,
     * which then stops them in its order instead of finding Redis already gone. Without it (not
     * Linux) they share the JVM's process group as before.
     */
    private static final Path SETSID = Paths.get("/usr/bin/setsid");

    /** {@code command}, in a session of its own where {@link #SETSID} exists. */
    private static List<String> ownSession(List<String> command) {
        if (!Files.isExecutable(SETSID)) {
            return command;
        }
        List<String> wrapped = new java.util.ArrayList<>(command.size() + 1);
        wrapped.add(SETSID.toString());
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Waits for end of input on stdin (the pipe from this JVM), then terminates the server whose
     * pid is $0.
     */
    private static final String WATCHDOG_SCRIPT = "read -r _ignored; kill -TERM \"$0\" 2>/dev/null";

    /**
     * Picking a free port and then binding it is racy; a start that loses the race is retried this
     * often.
     */
    private static final int START_ATTEMPTS = 3;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(500);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(20);
    private static final int LOG_LINES_IN_ERRORS = 30;

    private final Path binary;
    private final Path workDir;
    private final Path logFile;
    private final int port;
    private final Thread shutdownHook;

    /** The running server, or {@code null} while stopped; guarded by {@code this}. */
    private Process server;

    /** The watchdog of {@link #server}, or {@code null}; guarded by {@code this}. */
    private Process watchdog;

    /** Guarded by {@code this}. */
    private boolean closed;

    private LocalRedis(Path binary, Path workDir, int port) {
        this.binary = binary;
        this.workDir = workDir;
        this.logFile = workDir.resolve("redis.log");
        this.port = port;
        this.shutdownHook = new Thread(this::close, "local-redis-shutdown-hook-" + port);
    }

    /**
     * Starts a Redis server on a free loopback port.
     *
     * @return a server that has answered {@code PING}
     * @throws IOException if no binary is available or the server does not come up; the message
     *     names the binary and quotes its output
     */
    public static LocalRedis start() throws IOException {
        return start(System.getenv("PATH"));
    }

    /**
     * Like {@link #start()}, but looks for {@code redis-server} in the given {@code PATH}-style
     * string; an empty or {@code null} string forces the binary bundled in the embedded-redis
     * artifact.
     */
    static LocalRedis start(String searchPath) throws IOException {
        long startNanos = System.nanoTime();
        Path workDir = Files.createTempDirectory("guidance-redis-");
        try {
            Optional<Path> onPath = findOnPath(searchPath);
            Path binary;
            if (onPath.isPresent()) {
                binary = onPath.get();
            } else {
                binary = BundledBinary.extractTo(workDir);
                LOG.info(
                        "{} not found on PATH; using the binary bundled with embedded-redis ({})",
                        EXECUTABLE,
                        binary.getFileName());
            }
            for (int attempt = 1; ; attempt++) {
                LocalRedis redis = new LocalRedis(binary, workDir, FreePorts.onLoopback());
                try {
                    synchronized (redis) {
                        redis.launch();
                    }
                } catch (PortTakenException e) {
                    if (attempt < START_ATTEMPTS) {
                        LOG.warn(
                                "Port {} was taken before Redis could bind it; retrying",
                                redis.port);
                        continue;
                    }
                    throw e;
                }
                Runtime.getRuntime().addShutdownHook(redis.shutdownHook);
                LOG.info(
                        "Redis started on {} in {} ms ({})",
                        redis.uri(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos),
                        binary);
                return redis;
            }
        } catch (IOException | RuntimeException | Error e) {
            LocalResources.deleteRecursively(workDir);
            throw e;
        }
    }

    /**
     * The first executable {@code redis-server} in the directories of a {@code PATH}-style string.
     */
    static Optional<Path> findOnPath(String searchPath) {
        if (searchPath == null || searchPath.isBlank()) {
            return Optional.empty();
        }
        List<String> names =
                isWindows() ? List.of(EXECUTABLE + ".exe", EXECUTABLE) : List.of(EXECUTABLE);
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            for (String name : names) {
                try {
                    Path candidate = Paths.get(dir, name);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return Optional.of(candidate.toAbsolutePath());
                    }
                } catch (RuntimeException e) {
                    // An unusable PATH entry (e.g. invalid characters) is skipped, as a shell
                    // would.
                }
            }
        }
        return Optional.empty();
    }

    /** {@code 127.0.0.1}. */
    public String host() {
        return HOST;
    }

    /** The port, the same across {@link #stop()} and {@link #restart()}. */
    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return "redis://" + HOST + ":" + port;
    }

    /** Path of the {@code redis-server} binary in use, for messages. */
    public String binary() {
        return binary.toString();
    }

    /** The temporary directory of this instance. */
    Path workDir() {
        return workDir;
    }

    /** The running server process, if any; for tests that check that nothing is left behind. */
    synchronized Optional<ProcessHandle> serverProcess() {
        return Optional.ofNullable(server).map(Process::toHandle);
    }

    /** The running watchdog process, if any; for tests that check that nothing is left behind. */
    synchronized Optional<ProcessHandle> watchdogProcess() {
        return Optional.ofNullable(watchdog).map(Process::toHandle);
    }

    /**
     * Stops the server process, as in a Redis outage: clients fail to connect until {@link
     * #restart()}. All data is lost. The port stays reserved for this instance in the sense that
     * {@link #restart()} uses it again. Does nothing if the server is already stopped.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        // The watchdog goes first, so that it can never signal a process id that has been reused.
        destroyAndWait(watchdog, "watchdog");
        destroyAndWait(server, EXECUTABLE);
        watchdog = null;
        server = null;
        LOG.info("Redis on {} stopped", uri());
    }

    /**
     * Starts the server again on the same port (stopping it first if it is running) and waits until
     * it answers {@code PING}. The new server starts empty.
     *
     * @throws IOException if the server does not come up, for example because another process took
     *     the port
     */
    public synchronized void restart() throws IOException {
        if (closed) {
            throw new IllegalStateException("Redis on " + uri() + " is closed");
        }
        stop();
        launch();
        LOG.info("Redis restarted on {}", uri());
    }

    /**
     * For an owner whose own shutdown hook closes this server in its order (the demo reads its
     * results from Redis before it stops it): removes this server's shutdown hook, which would
     * otherwise stop it at the same moment. If the JVM dies without closing it, the watchdog still
     * stops the server.
     */
    public void leaveClosingToOwner() {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
    }

    /**
     * Stops the server and deletes its directory (data, log and any extracted binary). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down (we may be running inside the hook).
        }
        stop();
        LocalResources.deleteRecursively(workDir);
    }

    /**
     * Starts the server and its watchdog and waits for {@code PING}; on failure nothing is left
     * running.
     */
    private void launch() throws IOException {
        List<String> command =
                ownSession(
                        List.of(
                                binary.toString(),
                                "--port",
                                String.valueOf(port),
                                "--bind",
                                HOST,
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                workDir.toString(),
                                "--daemonize",
                                "no"));
        long logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
        Process process;
        try {
            process =
                    new ProcessBuilder(command)
                            .directory(workDir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                            .start();
        } catch (IOException e) {
            throw new IOException("Could not run " + binary + ": " + e.getMessage(), e);
        }
        server = process;
        try {
            watchdog = startWatchdog(process);
            awaitPong(process, logStart);
        } catch (IOException | RuntimeException | Error e) {
            stop();
            throw e;
        }
    }

    private static Process startWatchdog(Process server) throws IOException {
        if (!Files.isExecutable(POSIX_SHELL)) {
            return null; // e.g. Windows: the shutdown hook is the only guard there.
        }
        return new ProcessBuilder(
                        ownSession(
                                List.of(
                                        POSIX_SHELL.toString(),
                                        "-c",
                                        WATCHDOG_SCRIPT,
                                        String.valueOf(server.pid()))))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start(); // stdin stays a pipe from this JVM; its end of file is the signal
    }

    private void awaitPong(Process process, long logStart) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                String output = logTail(logStart);
                String message =
                        EXECUTABLE
                                + " "
                                + binary
                                + " exited with code "
                                + process.exitValue()
                                + " before answering PING on port "
                                + port
                                + ". Output:\n"
                                + output;
                if (output.contains("Address already in use")) {
                    throw new PortTakenException(message);
                }
                throw new IOException(message);
            }
            if (answersPing()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        EXECUTABLE
                                + " "
                                + binary
                                + " did not answer PING on "
                                + HOST
                                + ":"
                                + port
                                + " within "
                                + READY_TIMEOUT
                                + ". Output:\n"
                                + logTail(logStart));
            }
            try {
                Thread.sleep(POLL_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while waiting for Redis on port " + port, e);
            }
        }
    }

    /**
     * Sends an inline {@code PING} command over a plain socket and expects the {@code +PONG} reply.
     */
    private boolean answersPing() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), (int) PING_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PING_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in =
                    new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.US_ASCII));
            return "+PONG".equals(in.readLine());
        } catch (IOException e) {
            return false;
        }
    }

    private static void destroyAndWait(Process process, String what) {
        if (process == null) {
            return;
        }
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn(
                        "{} (pid {}) did not stop within {}; killing it",
                        what,
                        process.pid(),
                        STOP_TIMEOUT);
                process.destroyForcibly();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("{} (pid {}) is still running after SIGKILL", what, process.pid());
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last lines the server wrote since {@code fromOffset} of its log, for error messages. */
    private String logTail(long fromOffset) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(Math.max(0, fromOffset), all.length);
            List<String> lines =
                    new String(all, from, all.length - from, StandardCharsets.UTF_8)
                            .lines()
                            .toList();
            return String.join(
                    "\n",
                    lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static File nullDevice() {
        return new File(isWindows() ? "NUL" : "/dev/null");
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith("windows");
    }

    @Override
    public String toString() {
        return "LocalRedis[" + uri() + ", " + binary + "]";
    }

    /** The server exited because its port was taken between choosing and binding it. */
    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String message) {
            super(message);
        }
    }

    /**
     * Access to the embedded-redis artifact, kept in its own class so that the artifact is only
     * needed on the class path when there is no {@code redis-server} on {@code PATH}.
     */
    private static final class BundledBinary {

        private BundledBinary() {}

        static Path extractTo(Path dir) throws IOException {
            try {
                // Picks the binary for this OS and architecture, copies it into dir and makes it
                // executable.
                return redis.embedded.core.ExecutableProvider.newJarResourceProvider(dir::toFile)
                        .get()
                        .toPath();
            } catch (NoClassDefFoundError e) {
                throw new IOException(
                        EXECUTABLE
                                + " is not on PATH and the embedded-redis artifact "
                                + "(com.github.codemonstur:embedded-redis) is not on the class path",
                        e);
            } catch (RuntimeException e) {
                throw new IOException(
                        EXECUTABLE
                                + " is not on PATH and embedded-redis has no binary for "
                                + System.getProperty("os.name")
                                + "/"
                                + System.getProperty("os.arch")
                                + ": "
                                + e,
                        e);
            }
        }
    }
}
