package io.atrium.server.api;

import org.springframework.http.HttpStatus;

/** Every error the API answers: a short code and what went wrong (a text, or an object naming the field). */
public record ApiError(String error, Object detail) {

    /** The code of an error known only by its status: its reason phrase in snake case ({@code 505} → {@code http_version_not_supported}). */
    public static String code(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "http_" + status : known.name().toLowerCase(java.util.Locale.ROOT);
    }
}
