package dev.sdqueue.local.s3proxy;

/** An S3 error answer: code, HTTP status and message of the {@code <Error>} document. */
final class S3Failure extends RuntimeException {
    private final String code;
    private final int status;

    S3Failure(String code, int status, String message) {
        super(message);
        this.code = code;
        this.status = status;
    }

    String code() {
        return code;
    }

    int status() {
        return status;
    }

    static S3Failure accessDenied(String message) {
        return new S3Failure("AccessDenied", 403, message);
    }

    static S3Failure signatureDoesNotMatch() {
        return new S3Failure("SignatureDoesNotMatch", 403, "The request signature we calculated does not match the"
                + " signature you provided. Check your key and signing method.");
    }

    static S3Failure invalidAccessKeyId() {
        return new S3Failure("InvalidAccessKeyId", 403,
                "The AWS Access Key Id you provided does not exist in our records.");
    }

    static S3Failure malformedXml(String detail) {
        return new S3Failure("MalformedXML", 400, "The XML you provided was not well-formed or did not validate"
                + " against our published schema: " + detail);
    }

    static S3Failure invalidArgument(String message) {
        return new S3Failure("InvalidArgument", 400, message);
    }

    static S3Failure invalidRequest(String message) {
        return new S3Failure("InvalidRequest", 400, message);
    }

    static S3Failure notImplemented(String message) {
        return new S3Failure("NotImplemented", 501, message);
    }

    static S3Failure noSuchBucket() {
        return new S3Failure("NoSuchBucket", 404, "The specified bucket does not exist");
    }

    static S3Failure noSuchLifecycleConfiguration() {
        return new S3Failure("NoSuchLifecycleConfiguration", 404, "The lifecycle configuration does not exist");
    }
}
