package io.guidance.redis;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** Trust in the CA certificates of {@code redis.tls.caFile}, in place of the JVM's trust store. */
final class TlsTrust {
    private TlsTrust() {}

    /**
     * The certificates of a PEM text.
     *
     * @throws IllegalArgumentException when it holds none, or one that does not parse
     */
    static List<Certificate> certificates(String pem) {
        List<Certificate> out;
        try {
            out =
                    new ArrayList<>(
                            CertificateFactory.getInstance("X.509")
                                    .generateCertificates(
                                            new ByteArrayInputStream(
                                                    pem.getBytes(StandardCharsets.US_ASCII))));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(
                    "is not a PEM file of certificates (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("holds no PEM certificate");
        }
        return out;
    }

    /** Sockets that trust exactly these CA certificates. */
    static SSLSocketFactory socketFactory(String pem) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : certificates(pem)) {
                store.setCertificateEntry("redis-ca-" + i++, c);
            }
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(
                    "cannot set up TLS trust from " + RedisSettings.TLS_CA_FILE.key(), e);
        }
    }
}
