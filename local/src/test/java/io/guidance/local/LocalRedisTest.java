package io.guidance.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

@Timeout(60)
class LocalRedisTest {

    @Test
    void servesCommandsSurvivesStopAndRestartAndLeavesNoProcessOnClose() throws Exception {
        LocalRedis redis = LocalRedis.start();
        List<ProcessHandle> started = new ArrayList<>();
        try {
            assertThat(redis.host()).isEqualTo("127.0.0.1");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
            assertThat(Paths.get(redis.binary())).isExecutable();
            started.addAll(processes(redis));

            try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
                assertThat(client.set("trigger:s1", "magic-number")).isEqualTo("OK");
                assertThat(client.get("trigger:s1")).isEqualTo("magic-number");
            }

            int port = redis.port();
            redis.stop();
            assertThat(started).noneMatch(ProcessHandle::isAlive);
            assertRefusesConnections(port);
            redis.stop(); // stopping a stopped server is a no-op

            redis.restart();
            assertThat(redis.port()).isEqualTo(port);
            started.addAll(processes(redis));
            try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
                assertThat(client.get("trigger:s1")).as("data does not survive a stop").isNull();
                client.set("trigger:s2", "hesitation");
                assertThat(client.get("trigger:s2")).isEqualTo("hesitation");
            }
        } finally {
            redis.close();
        }

        assertThat(started).hasSizeGreaterThanOrEqualTo(2).noneMatch(ProcessHandle::isAlive);
        assertThat(
                        ProcessHandle.current()
                                .descendants()
                                .filter(p -> started.stream().anyMatch(s -> s.pid() == p.pid())))
                .isEmpty();
        assertRefusesConnections(redis.port());
        redis.close(); // idempotent
        assertThatThrownBy(redis::restart).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void fallsBackToTheBinaryBundledInTheEmbeddedRedisArtifact() throws Exception {
        List<ProcessHandle> started;
        Path extracted;
        try (LocalRedis redis = LocalRedis.start("")) {
            extracted = Paths.get(redis.binary());
            assertThat(extracted.getFileName().toString())
                    .startsWith("redis-server-")
                    .isNotEqualTo("redis-server");
            assertThat(extracted).isExecutable();
            started = processes(redis);
            assertThat(rawCommand(redis.port(), "SET k v")).isEqualTo("+OK");
            assertThat(rawCommand(redis.port(), "GET k")).isEqualTo("$1");
        }
        assertThat(started).noneMatch(ProcessHandle::isAlive);
        assertThat(extracted).as("the extracted binary is deleted on close").doesNotExist();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void reportsTheBinaryAndItsOutputWhenTheServerCannotStart(@TempDir Path dir)
            throws IOException {
        Path fake = dir.resolve("redis-server");
        Files.writeString(fake, "#!/bin/sh\necho \"fake server refuses to start\"\nexit 3\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThatThrownBy(() -> LocalRedis.start(dir.toString()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(fake.toString())
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("fake server refuses to start");
    }

    @Test
    void findsRedisServerOnlyAsAnExecutableInThePath(@TempDir Path dir) throws IOException {
        Path notExecutable = Files.createDirectories(dir.resolve("a")).resolve("redis-server");
        Files.writeString(notExecutable, "");
        Path executable = Files.createDirectories(dir.resolve("b")).resolve("redis-server");
        Files.writeString(executable, "");
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        String path =
                String.join(
                        java.io.File.pathSeparator,
                        dir.resolve("missing").toString(),
                        "",
                        dir.resolve("a").toString(),
                        dir.resolve("b").toString());

        assertThat(LocalRedis.findOnPath(path)).contains(executable.toAbsolutePath());
        assertThat(LocalRedis.findOnPath(dir.resolve("a").toString())).isEmpty();
        assertThat(LocalRedis.findOnPath("")).isEmpty();
        assertThat(LocalRedis.findOnPath(null)).isEmpty();
    }

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void serverDiesWhenTheJvmThatStartedItIsKilled() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child =
                new ProcessBuilder(
                                java,
                                "-cp",
                                System.getProperty("java.class.path"),
                                StartRedisAndWait.class.getName())
                        .redirectErrorStream(true)
                        .start();
        ProcessHandle server = null;
        Path workDir = null;
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((server == null || workDir == null) && (line = out.readLine()) != null) {
                if (line.startsWith("PID ")) {
                    server = ProcessHandle.of(Long.parseLong(line.substring(4))).orElseThrow();
                } else if (line.startsWith("DIR ")) {
                    workDir = Paths.get(line.substring(4));
                }
            }
            assertThat(server).as("child JVM reported its redis-server").isNotNull();
            assertThat(server.isAlive()).isTrue();

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(server.onExit()).succeedsWithin(Duration.ofSeconds(10));
        } finally {
            child.destroyForcibly();
            if (server != null) {
                server.destroyForcibly();
            }
            LocalResources.deleteRecursively(workDir);
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void serverAndWatchdogRunInASessionOfTheirOwnSoACtrlCReachesOnlyTheJvm() throws Exception {
        long jvmSession = sessionOf(ProcessHandle.current().pid());
        try (LocalRedis redis = LocalRedis.start()) {
            List<ProcessHandle> started = processes(redis);
            assertThat(started).hasSize(2);
            for (ProcessHandle p : started) {
                // a Ctrl-C in a terminal signals the foreground process group of the JVM's session
                assertThat(sessionOf(p.pid()))
                        .as("session of pid %d", p.pid())
                        .isEqualTo(p.pid())
                        .isNotEqualTo(jvmSession);
                assertThat(p.parent().map(ProcessHandle::pid))
                        .as("still this JVM's child, so its watchdog and close() reach it")
                        .contains(ProcessHandle.current().pid());
            }
            assertThat(rawCommand(redis.port(), "PING")).isEqualTo("+PONG");
        }
    }

    /** Field 6 of {@code /proc/PID/stat} (proc(5)): the session id. */
    private static long sessionOf(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterName[3]);
    }

    /** Run in a child JVM by {@link #serverDiesWhenTheJvmThatStartedItIsKilled()}. */
    static final class StartRedisAndWait {
        public static void main(String[] args) throws Exception {
            LocalRedis redis = LocalRedis.start();
            System.out.println("DIR " + redis.workDir());
            System.out.println("PID " + redis.serverProcess().orElseThrow().pid());
            System.out.flush();
            Thread.sleep(Duration.ofMinutes(1).toMillis());
        }
    }

    /** The server and, on POSIX systems, its watchdog. */
    private static List<ProcessHandle> processes(LocalRedis redis) {
        List<ProcessHandle> handles = new ArrayList<>();
        redis.serverProcess().ifPresent(handles::add);
        redis.watchdogProcess().ifPresent(handles::add);
        assertThat(handles).isNotEmpty().allMatch(ProcessHandle::isAlive);
        return handles;
    }

    private static void assertRefusesConnections(int port) {
        assertThatThrownBy(() -> rawCommand(port, "PING")).isInstanceOf(IOException.class);
    }

    /** Sends one inline command and returns the first line of the reply. */
    private static String rawCommand(int port, String command) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress("127.0.0.1", port),
                    (int) Duration.ofSeconds(1).toMillis());
            socket.setSoTimeout((int) Duration.ofSeconds(2).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(
                            new InputStreamReader(
                                    socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }
}
