package io.guidance.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Loopback ports and temporary directories shared by the embedded servers of this package. */
final class LocalResources {

    private static final Logger LOG = LoggerFactory.getLogger(LocalResources.class);

    static final String LOOPBACK = "127.0.0.1";

    private LocalResources() {}

    /**
     * Returns {@code count} distinct ports that were free on {@link #LOOPBACK} a moment ago. The
     * sockets are held open together so the ports differ, then closed so the caller can bind them;
     * another process may take one in between, so callers retry on a bind failure.
     */
    static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** Deletes a directory tree, logging (not throwing) what cannot be deleted. */
    static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(
                            path -> {
                                try {
                                    Files.deleteIfExists(path);
                                } catch (IOException e) {
                                    LOG.warn("Could not delete {}: {}", path, e.toString());
                                }
                            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not delete {}: {}", root, e.toString());
        }
    }
}
