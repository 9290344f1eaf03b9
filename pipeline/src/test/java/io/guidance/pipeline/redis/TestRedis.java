package io.guidance.pipeline.redis;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away {@code redis-server} process on a free local port, without persistence, that a test
 * can stop and restart on the same port to simulate an outage. Same shape as the production {@code
 * LocalRedis}, so it can be swapped for it.
 */
final class TestRedis implements AutoCloseable {
    private static final String SERVER = "/usr/bin/redis-server";

    private final int port = freePort();
    private final Thread killOnExit = new Thread(this::kill, "stop test redis-server");
    private Process process;

    TestRedis() {
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    String host() {
        return "127.0.0.1";
    }

    int port() {
        return port;
    }

    /** Starts the server unless it runs already, and returns once it answers PING. */
    synchronized void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            return;
        }
        File log = new File("target", "test-redis-" + port + ".log");
        log.getParentFile().mkdirs();
        process =
                new ProcessBuilder(
                                SERVER,
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                host(),
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--daemonize",
                                "no",
                                "--dir",
                                System.getProperty("java.io.tmpdir"))
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
                        .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersPing()) {
            if (!process.isAlive()) {
                throw new IOException(
                        "redis-server exited with " + process.exitValue() + ", see " + log);
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IOException(
                        "redis-server did not answer on port " + port + ", see " + log);
            }
            Thread.sleep(20);
        }
    }

    synchronized void stop() {
        kill();
    }

    synchronized void restart() throws IOException, InterruptedException {
        kill();
        start();
    }

    @Override
    public synchronized void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to
        }
    }

    private void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port), 500);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free local port", e);
        }
    }
}
