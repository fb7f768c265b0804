package io.atrium.server.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.apache.catalina.Host;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The errors no controller answers, in the API's shape {@code {"error": ..., "detail": ...}} too:
 * <ul>
 *   <li>those Tomcat answers itself before the request reaches the application (a request line or
 *       header it cannot parse, a malformed {@code %xx} escape, headers over
 *       {@code server.max-http-request-header-size}): Tomcat's error report valve, which writes an
 *       HTML page, is replaced by {@link JsonErrorReportValve}, with the status Tomcat chose;</li>
 *   <li>those sent to the container's error page ({@code response.sendError} in a filter, an
 *       exception no handler caught): {@link ErrorPage} replaces Spring Boot's
 *       {@code BasicErrorController} (whose JSON has other fields, and which answers HTML to a browser).</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ServerErrors {

    @Bean
    JsonErrorReports jsonErrorReports(ObjectMapper mapper) {
        return new JsonErrorReports(mapper);
    }

    /** The detail of a request that failed inside the hub: the exception itself is logged, never answered. */
    static final String FAILED = "the hub failed to answer this request; its log says why";

    /** What a detail says when nothing more is known than the status: its reason phrase. */
    static String reason(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        return known == null ? "HTTP status " + status : known.getReasonPhrase();
    }

    /** The first line of a message, or null when it has none. */
    static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }

    /**
     * Installs {@link JsonErrorReportValve} as the host's only error report valve. Runs after Spring
     * Boot's own customizer (order 0), which adds a plain {@link ErrorReportValve}.
     */
    static final class JsonErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final ObjectMapper mapper;

        JsonErrorReports(ObjectMapper mapper) {
            this.mapper = mapper;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Host host = (Host) context.getParent();
                for (Valve v : host.getPipeline().getValves()) {
                    if (v instanceof ErrorReportValve) {
                        host.getPipeline().removeValve(v);
                    }
                }
                host.getPipeline().addValve(new JsonErrorReportValve(mapper));
                // Else the host adds a plain ErrorReportValve of its own when it starts.
                ((StandardHost) host).setErrorReportValveClass(JsonErrorReportValve.class.getName());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /**
     * Writes {@code {"error": <code of the status>, "detail": <Tomcat's message>}} where Tomcat's
     * {@link ErrorReportValve} would write its HTML page: an error status with nothing written yet.
     */
    public static final class JsonErrorReportValve extends ErrorReportValve {

        private final ObjectMapper mapper;

        JsonErrorReportValve(ObjectMapper mapper) {
            this.mapper = mapper;
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            AtomicBoolean ioAllowed = new AtomicBoolean(false);
            response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
            if (!ioAllowed.get()) {
                return;
            }
            String detail = firstLine(response.getMessage());
            if (detail == null && throwable != null) {
                detail = firstLine(throwable.getMessage());
            }
            try {
                String body = mapper.writeValueAsString(new ApiError(ApiError.code(status), detail == null ? reason(status) : detail));
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                response.setCharacterEncoding("UTF-8");
                PrintWriter writer = response.getReporter();
                if (writer != null) {
                    writer.write(body);
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away, or the response cannot take a body any more: nothing to tell it
            }
        }
    }

    /** The container's error page ({@code /error}): every error dispatch answers in the API's shape. */
    @RestController
    static final class ErrorPage implements ErrorController {

        @RequestMapping("${server.error.path:${error.path:/error}}")
        ResponseEntity<ApiError> error(HttpServletRequest request) {
            if (!(request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer status)) {
                return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON)
                        .body(new ApiError("not_found", "no such resource: " + request.getRequestURI()));
            }
            boolean failed = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable;
            String detail = firstLine((String) request.getAttribute(RequestDispatcher.ERROR_MESSAGE));
            if (failed && status >= 500) {
                // An exception's text may hold anything (SQL with a person's e-mail, a secret in a URL): it goes
                // to the hub's log, the caller learns only that it failed.
                detail = FAILED;
            }
            return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
                    .body(new ApiError(ApiError.code(status), detail == null ? reason(status) : detail));
        }
    }
}
