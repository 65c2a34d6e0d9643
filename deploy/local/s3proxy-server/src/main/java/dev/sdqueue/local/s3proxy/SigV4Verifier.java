package dev.sdqueue.local.s3proxy;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.auth.AwsSignature;
import org.gaul.s3proxy.auth.S3AuthorizationHeader;

/**
 * Checks the AWS Signature Version 4 {@code Authorization} header of a request S3Proxy never sees (our lifecycle
 * requests) against the server's one identity/credential, with S3Proxy's own parser ({@link S3AuthorizationHeader})
 * and canonical-request signer ({@link AwsSignature}), and the same checks in the same order as
 * {@code S3ProxyHandler.doHandle}: a date is required and may be skewed by at most {@code s3proxy.maximum-timeskew}
 * (15 min by default), the access key must be ours, the body must hash to {@code x-amz-content-sha256} (or that
 * header says {@code UNSIGNED-PAYLOAD}), and the signature must match. Not accepted here, unlike S3Proxy: V2
 * signatures and presigned (query-string) requests: no client of ours sends lifecycle requests that way.
 */
final class SigV4Verifier {
    static final String ANONYMOUS_MESSAGE = "Anonymous access is forbidden for this operation";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final AuthenticationType type;
    private final String identity;
    private final String credential;
    private final long maxSkewSeconds;

    SigV4Verifier(AuthenticationType type, String identity, String credential, long maxSkewSeconds) {
        this.type = type;
        this.identity = identity;
        this.credential = credential;
        this.maxSkewSeconds = maxSkewSeconds;
    }

    /** Returns normally if the request is signed by our identity; throws the S3 error to answer otherwise. */
    void verify(HttpServletRequest request, byte[] body, Instant now) {
        if (type == AuthenticationType.NONE) {
            return; // s3proxy.authorization=none: S3Proxy checks nothing either
        }
        String authorization = request.getHeader("Authorization");
        if (authorization == null || authorization.isEmpty()) {
            if (request.getParameter("X-Amz-Algorithm") != null || request.getParameter("AWSAccessKeyId") != null) {
                throw S3Failure.accessDenied("Presigned (query-string) authentication is not supported for bucket"
                        + " lifecycle requests by the local S3 server: sign the Authorization header (SigV4)");
            }
            throw S3Failure.accessDenied(ANONYMOUS_MESSAGE);
        }
        if (!S3AuthorizationHeader.hasAwsScheme(authorization)) {
            throw S3Failure.accessDenied("Unsupported Authorization scheme");
        }
        S3AuthorizationHeader header;
        try {
            header = new S3AuthorizationHeader(authorization);
        } catch (IllegalArgumentException e) {
            throw S3Failure.invalidArgument("Invalid Authorization header: " + e.getMessage());
        }
        if (header.getAuthenticationType() != AuthenticationType.AWS_V4 || type == AuthenticationType.AWS_V2) {
            throw S3Failure.accessDenied("Bucket lifecycle requests to the local S3 server must be signed with AWS"
                    + " Signature Version 4");
        }
        checkDate(request, now);
        if (!identity.equals(header.getIdentity())) {
            throw S3Failure.invalidAccessKeyId();
        }
        String verifiedHash = checkPayload(request, header, body);
        String expected;
        try {
            expected = AwsSignature.createAuthorizationSignatureV4(request, header, body, request.getRequestURI(),
                    credential, false, null, verifiedHash).signature();
        } catch (S3ProxyException e) {
            // e.g. AccessDenied when the header names no signed headers
            throw new S3Failure(e.awsErrorDetails().errorCode(), e.statusCode(), e.awsErrorDetails().errorMessage());
        } catch (GeneralSecurityException | IOException e) {
            throw S3Failure.invalidArgument("cannot compute the signature: " + e.getMessage());
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                header.getSignature().getBytes(StandardCharsets.US_ASCII))) {
            throw S3Failure.signatureDoesNotMatch();
        }
    }

    private void checkDate(HttpServletRequest request, Instant now) {
        long seconds;
        String amzDate = request.getHeader("x-amz-date");
        String date = request.getHeader("Date");
        try {
            if (amzDate != null && !amzDate.isBlank()) {
                seconds = LocalDateTime.parse(amzDate, AMZ_DATE).toEpochSecond(ZoneOffset.UTC);
            } else if (date != null && !date.isBlank()) {
                seconds = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            } else {
                throw S3Failure.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
            }
        } catch (DateTimeParseException e) {
            throw S3Failure.accessDenied("AWS authentication requires a valid Date or x-amz-date header");
        }
        if (Math.abs(now.getEpochSecond() - seconds) > maxSkewSeconds) {
            throw new S3Failure("RequestTimeTooSkewed", 403,
                    "The difference between the request time and the current time is too large.");
        }
    }

    /** The verified {@code x-amz-content-sha256}, or null for {@code UNSIGNED-PAYLOAD}. */
    private static String checkPayload(HttpServletRequest request, S3AuthorizationHeader header, byte[] body) {
        String declared = request.getHeader("x-amz-content-sha256");
        if (declared == null) {
            throw S3Failure.invalidRequest("Missing required header for this request: x-amz-content-sha256");
        }
        if (declared.equals("UNSIGNED-PAYLOAD")) {
            return null;
        }
        if (declared.startsWith("STREAMING-")) {
            throw S3Failure.notImplemented("Streaming (chunked) payloads are not supported for bucket lifecycle"
                    + " requests by the local S3 server");
        }
        try {
            byte[] hash = MessageDigest.getInstance(header.getHashAlgorithm()).digest(body);
            if (!HexFormat.of().formatHex(hash).equals(declared)) {
                throw new S3Failure("XAmzContentSHA256Mismatch", 400,
                        "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
        } catch (GeneralSecurityException e) {
            throw S3Failure.invalidArgument("unsupported hash algorithm " + header.getHashAlgorithm());
        }
        return declared;
    }
}
