package io.atrium.server.api;

/** Every error the API answers: a short code and what went wrong (a text, or an object naming the field). */
public record ApiError(String error, Object detail) {
}
