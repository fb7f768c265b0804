package io.atrium.server.api;

import org.springframework.http.HttpStatus;

/** A refusal the API answers as {@code {"error": code, "detail": detail}}. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final transient Object detail;

    public ApiException(HttpStatus status, String code, Object detail) {
        super(code + ": " + detail);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    public static ApiException notFound(String what) {
        return new ApiException(HttpStatus.NOT_FOUND, "not_found", what);
    }

    public HttpStatus status() { return status; }
    public String code() { return code; }
    public Object detail() { return detail; }
}
