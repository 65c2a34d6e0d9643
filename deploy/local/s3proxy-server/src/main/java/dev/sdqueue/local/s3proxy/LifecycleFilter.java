package dev.sdqueue.local.s3proxy;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits in front of S3Proxy's servlet and answers {@code PUT}, {@code GET} and {@code DELETE /<bucket>?lifecycle}
 * itself (S3Proxy answers them {@code NotImplemented}); every other request goes on to S3Proxy untouched.
 * Path-style addressing only, as our clients use it.
 */
final class LifecycleFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(LifecycleFilter.class);
    private static final Set<String> METHODS = Set.of("PUT", "GET", "DELETE");
    private static final Pattern BUCKET_PATH = Pattern.compile("/([^/]+)/?");
    /** What S3Proxy accepts as a bucket name (it answers NoSuchBucket to anything else). */
    private static final Pattern VALID_BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,254}");
    /** S3 limits a lifecycle configuration to 20 KB; we read at most this much before refusing. */
    private static final int MAX_BODY = 256 * 1024;

    private final SigV4Verifier verifier;
    private final BlobStore blobStore;
    private final LifecycleStore store;
    private final Clock clock;

    LifecycleFilter(SigV4Verifier verifier, BlobStore blobStore, LifecycleStore store, Clock clock) {
        this.verifier = verifier;
        this.blobStore = blobStore;
        this.store = store;
        this.clock = clock;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String bucket = lifecycleBucket(request);
        if (bucket == null) {
            chain.doFilter(req, res);
            return;
        }
        String requestId = "%016X".formatted(ThreadLocalRandom.current().nextLong());
        response.setHeader("x-amz-request-id", requestId);
        try {
            byte[] body = readBody(request);
            verifier.verify(request, body, clock.instant());
            if (!VALID_BUCKET.matcher(bucket).matches() || !blobStore.containerExists(bucket)) {
                throw S3Failure.noSuchBucket();
            }
            switch (request.getMethod()) {
                case "PUT" -> put(request, bucket, body, response);
                case "GET" -> get(bucket, response);
                default -> delete(bucket, response);
            }
        } catch (S3Failure failure) {
            LOG.debug("{} /{}?lifecycle refused: {} {}", request.getMethod(), bucket, failure.code(),
                    failure.getMessage());
            writeError(response, failure, "/" + bucket, requestId);
        } catch (RuntimeException e) {
            LOG.error("{} /{}?lifecycle failed", request.getMethod(), bucket, e);
            writeError(response, new S3Failure("InternalError", 500,
                    "We encountered an internal error. Please try again."), "/" + bucket, requestId);
        }
    }

    /** The bucket if this is a bucket-level PUT/GET/DELETE with the {@code lifecycle} subresource, else null. */
    static String lifecycleBucket(HttpServletRequest request) {
        if (!METHODS.contains(request.getMethod()) || request.getParameter("lifecycle") == null) {
            return null;
        }
        Matcher m = BUCKET_PATH.matcher(request.getRequestURI().substring(request.getContextPath().length()));
        return m.matches() ? m.group(1) : null;
    }

    private void put(HttpServletRequest request, String bucket, byte[] body, HttpServletResponse response) {
        checkContentMd5(request.getHeader("Content-MD5"), body);
        LifecycleConfiguration config = LifecycleXml.parse(body);
        store.put(bucket, config);
        LOG.info("lifecycle configuration of bucket {} set: {}", bucket, config.rules());
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentLength(0);
    }

    private void get(String bucket, HttpServletResponse response) throws IOException {
        LifecycleConfiguration config = store.get(bucket).orElseThrow(S3Failure::noSuchLifecycleConfiguration);
        writeXml(response, HttpServletResponse.SC_OK, LifecycleXml.toXml(config));
    }

    private void delete(String bucket, HttpServletResponse response) {
        if (store.delete(bucket)) {
            LOG.info("lifecycle configuration of bucket {} deleted", bucket);
        }
        response.setStatus(HttpServletResponse.SC_NO_CONTENT); // S3 answers 204 whether or not there was one
    }

    /** S3 wants Content-MD5 (or a checksum) on this PUT; we check it when present and do not insist on it. */
    private static void checkContentMd5(String header, byte[] body) {
        if (header == null) {
            return;
        }
        byte[] declared;
        try {
            declared = Base64.getDecoder().decode(header.trim());
        } catch (IllegalArgumentException e) {
            declared = new byte[0];
        }
        if (declared.length != 16) {
            throw new S3Failure("InvalidDigest", 400, "The Content-MD5 you specified was invalid.");
        }
        try {
            if (!MessageDigest.isEqual(declared, MessageDigest.getInstance("MD5").digest(body))) {
                throw new S3Failure("BadDigest", 400, "The Content-MD5 you specified did not match what we received.");
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readBody(HttpServletRequest request) throws IOException {
        if (request.getContentLengthLong() > MAX_BODY) {
            throw new S3Failure("MaxMessageLengthExceeded", 400, "Your request was too big.");
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new S3Failure("MaxMessageLengthExceeded", 400, "Your request was too big.");
            }
            return body;
        }
    }

    static void writeError(HttpServletResponse response, S3Failure failure, String resource, String requestId)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        writeXml(response, failure.status(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
                + escape(failure.code()) + "</Code><Message>" + escape(failure.getMessage()) + "</Message><Resource>"
                + escape(resource) + "</Resource><RequestId>" + requestId + "</RequestId></Error>\n");
    }

    private static void writeXml(HttpServletResponse response, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/xml");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
