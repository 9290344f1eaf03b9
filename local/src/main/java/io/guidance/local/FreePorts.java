package io.guidance.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports that nothing listens on, for servers a test or the demo starts on them. */
public final class FreePorts {
    private FreePorts() {}

    /**
     * Returns {@code count} distinct ports that were free on {@code 127.0.0.1} a moment ago. The
     * sockets are held open together so the ports differ, then closed so the caller can bind them;
     * another process may take one in between, so callers retry on a bind failure.
     */
    public static int[] onLoopback(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket();
                sockets.add(socket);
                socket.setReuseAddress(true);
                socket.bind(
                        new InetSocketAddress(InetAddress.getByName(LocalResources.LOOPBACK), 0));
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    /** One port that was free on {@code 127.0.0.1} a moment ago; see {@link #onLoopback(int)}. */
    public static int onLoopback() throws IOException {
        return onLoopback(1)[0];
    }
}
