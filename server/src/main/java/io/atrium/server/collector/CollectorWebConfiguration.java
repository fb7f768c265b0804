package io.atrium.server.collector;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * CORS for the collector and the browser SDK settings: any web site may send events (the write key,
 * not the origin, says who may), so preflights from any origin are answered.
 */
@Configuration(proxyBeanMethods = false)
public class CollectorWebConfiguration implements WebMvcConfigurer {

    static final String[] ALLOWED_HEADERS = {"authorization", "anonymousid", "sentat", "content-type", "content-encoding",
            "x-retry-count"};

    @Override
    public void addCorsMappings(CorsRegistry registry) {
        for (String path : new String[] {"/v1/**", "/sourceConfig", "/sourceConfig/**"}) {
            registry.addMapping(path)
                    .allowedOriginPatterns("*")
                    .allowedMethods("GET", "POST", "OPTIONS")
                    .allowedHeaders(ALLOWED_HEADERS)
                    .exposedHeaders("Retry-After")
                    .allowCredentials(true)
                    .maxAge(86_400);
        }
    }
}
