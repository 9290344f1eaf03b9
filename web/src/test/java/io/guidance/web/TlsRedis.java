package io.guidance.web;

import io.guidance.local.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} that speaks only TLS, with a certificate signed by a CA made for it,
 * and an ACL user limited to the {@code guidance:*} keys and the commands the job and the web
 * service send (README, "Redis over TLS with an ACL user"). The default user keeps every right
 * behind a password of its own, for the test's set-up and checks.
 *
 * <p>Certificates come from the JDK's {@code keytool} (an EC CA, a server certificate for {@code
 * 127.0.0.1} and {@code localhost} signed by it); the server's private key leaves its PKCS#12 store
 * through the {@link KeyStore} API as the PKCS#8 PEM Redis reads. Everything lives in a directory
 * the caller owns; {@link #close()} stops the server.
 */
final class TlsRedis implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    static final String USER = "guidance";

    /** The ACL rules of {@link #USER}, as the README gives them (after its password). */
    static final String ACL_RULES =
            "~guidance:* resetchannels -@all +ping +client|setname +get +eval +evalsha"
                    + " +script|load +exists +time +set +type +del +pttl +multi +exec +hset";

    private static final String STORE_PASSWORD = "keytool-store";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    final Path caCertificate;
    final String password;
    final String adminPassword;
    private final Path dir;
    private final Path log;
    private final int port;
    private final Process server;
    private final Thread shutdownHook;

    private TlsRedis(
            Path dir,
            Path caCertificate,
            String password,
            String adminPassword,
            int port,
            Process server) {
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        this.caCertificate = caCertificate;
        this.password = password;
        this.adminPassword = adminPassword;
        this.port = port;
        this.server = server;
        this.shutdownHook = new Thread(server::destroyForcibly, "tls-redis-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Makes a CA and a server certificate in {@code dir} and starts the server on a free port. */
    static TlsRedis start(Path dir) throws Exception {
        Path ca = certificateAuthority(dir, "ca");
        Path serverStore = dir.resolve("server.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-validity",
                "2",
                "-keystore",
                serverStore.toString());
        Path request = dir.resolve("server.csr");
        keytool(
                "-certreq",
                "-alias",
                "server",
                "-keystore",
                serverStore.toString(),
                "-file",
                request.toString());
        Path certificate = dir.resolve("server.crt");
        keytool(
                "-gencert",
                "-alias",
                "ca",
                "-keystore",
                dir.resolve("ca.p12").toString(),
                "-infile",
                request.toString(),
                "-outfile",
                certificate.toString(),
                "-rfc",
                "-validity",
                "2",
                "-ext",
                "san=ip:" + HOST + ",dns:localhost",
                "-ext",
                "eku=serverAuth");
        Path key = dir.resolve("server.key");
        Files.writeString(key, privateKeyPem(serverStore, "server"), StandardCharsets.US_ASCII);

        String password = "user-" + Long.toHexString(System.nanoTime());
        String adminPassword = "admin-" + Long.toHexString(System.nanoTime());
        for (int attempt = 1; ; attempt++) {
            int port = FreePorts.onLoopback();
            Path conf = dir.resolve("redis.conf");
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "port 0",
                            "bind " + HOST,
                            "tls-port " + port,
                            "tls-cert-file " + certificate,
                            "tls-key-file " + key,
                            "tls-ca-cert-file " + ca,
                            "tls-auth-clients no",
                            "save \"\"",
                            "appendonly no",
                            "dir " + dir,
                            "user default on >" + adminPassword + " ~* &* +@all",
                            "user " + USER + " on >" + password + " " + ACL_RULES,
                            ""));
            Path log = dir.resolve("redis.log");
            Process p =
                    new ProcessBuilder("redis-server", conf.toString())
                            .directory(dir.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                            .start();
            TlsRedis redis = new TlsRedis(dir, ca, password, adminPassword, port, p);
            try {
                redis.awaitReady();
                return redis;
            } catch (IOException e) {
                redis.close();
                if (attempt >= START_ATTEMPTS
                        || !Files.readString(log).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    /**
     * A CA of its own in {@code dir} ({@code NAME.p12}, and its certificate {@code NAME.crt} as
     * PEM).
     */
    static Path certificateAuthority(Path dir, String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=guidance-test-" + name,
                "-ext",
                "bc:c",
                "-validity",
                "2",
                "-keystore",
                store.toString());
        Path pem = dir.resolve(name + ".crt");
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                store.toString(),
                "-file",
                pem.toString());
        return pem;
    }

    int port() {
        return port;
    }

    /** {@code rediss://127.0.0.1:PORT}, without credentials. */
    String uri() {
        return "rediss://" + HOST + ":" + port;
    }

    /** A direct connection as {@code user}, trusting the test CA and checking the host name. */
    Jedis connect(String user, String password) throws Exception {
        SSLParameters verifyHost = new SSLParameters();
        verifyHost.setEndpointIdentificationAlgorithm("HTTPS");
        TrustManagerFactory trust =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (var in = Files.newInputStream(caCertificate)) {
            store.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        trust.init(store);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return new Jedis(
                new HostAndPort(HOST, port),
                DefaultJedisClientConfig.builder()
                        .ssl(true)
                        .sslSocketFactory(tls.getSocketFactory())
                        .sslParameters(verifyHost)
                        .user(user)
                        .password(password)
                        .timeoutMillis(5_000)
                        .build());
    }

    /** A connection as the default user, who may do everything. */
    Jedis admin() throws Exception {
        return connect("default", adminPassword);
    }

    @Override
    public void close() {
        server.destroy();
        try {
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
                server.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
    }

    boolean isAlive() {
        return server.isAlive();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            if (!server.isAlive()) {
                throw new IOException(
                        "redis-server exited with code "
                                + server.exitValue()
                                + " before it answered over TLS on port "
                                + port
                                + " (does it support TLS?). Output:\n"
                                + Files.readString(log));
            }
            try (Jedis admin = admin()) {
                if ("PONG".equals(admin.ping())) {
                    return;
                }
            } catch (RuntimeException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(
                        "redis-server did not answer over TLS on port "
                                + port
                                + " within "
                                + READY_TIMEOUT
                                + ". Output:\n"
                                + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    private static String privateKeyPem(Path store, String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, STORE_PASSWORD.toCharArray());
        }
        Key key = ks.getKey(alias, STORE_PASSWORD.toCharArray());
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** Runs the JDK's own keytool on a PKCS#12 store; fails with its output. */
    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
        if (args[0].equals("-genkeypair")) {
            command.addAll(List.of("-keypass", STORE_PASSWORD));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException(
                    "keytool "
                            + String.join(" ", args)
                            + " failed ("
                            + p.exitValue()
                            + "): "
                            + output);
        }
    }

    /** The server's directory, for messages. */
    Path dir() {
        return dir;
    }
}
