package io.atrium.server.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.util.UriUtils;

/**
 * Requests refused before they reach a controller (a path with {@code ..}, an encoded slash or
 * backslash, ...) answer like the rest of the API: 400 {@code {"error": "bad_request", "detail": ...}},
 * for a route file naming the file. Spring Security's firewall refuses them; Tomcat is told to
 * leave an encoded slash or backslash ({@code %2F}, {@code %5C}) to that firewall instead of
 * refusing it with its own HTML page, so such refusals are JSON too, on every path.
 */
@Configuration(proxyBeanMethods = false)
public class RejectedRequests {

    private static final Logger log = LoggerFactory.getLogger(RejectedRequests.class);
    static final String ROUTE_FILES = "/api/v1/routes/files/";

    /** Picked up by Spring Security's {@code WebSecurity} as the firewall's handler of refused requests. */
    @Bean
    RequestRejectedHandler apiRequestRejectedHandler(ObjectMapper mapper) {
        return (request, response, e) -> reject(mapper, request, response, e);
    }

    /**
     * An encoded slash or backslash goes on (still encoded) to the firewall, which refuses it;
     * Tomcat would refuse it itself, with an HTML page.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> encodedSlashesToTheFirewall() {
        return factory -> factory.addConnectorCustomizers(connector -> {
            connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
            connector.setEncodedReverseSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue());
        });
    }

    static void reject(ObjectMapper mapper, HttpServletRequest request, HttpServletResponse response,
                       RequestRejectedException e) throws IOException {
        String path = request.getRequestURI() == null ? "" : request.getRequestURI();
        String context = request.getContextPath() == null ? "" : request.getContextPath();
        if (path.startsWith(context)) {
            path = path.substring(context.length());
        }
        log.debug("Refused {} {}: {}", request.getMethod(), path, e.getMessage());
        if (response.isCommitted()) {
            return;
        }
        Object detail;
        if (path.startsWith(ROUTE_FILES)) {
            String file = decode(path.substring(ROUTE_FILES.length()));
            detail = Map.of("field", "file", "message",
                    "must be the name of a file in routes/, without a path, not '" + file + "'");
        } else {
            detail = "the request path was refused: " + e.getMessage();
        }
        response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        mapper.writeValue(response.getOutputStream(), new ApiError("bad_request", detail));
    }

    private static String decode(String segment) {
        try {
            return UriUtils.decode(segment, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
