package io.atrium.server.security;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiError;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * /api/** needs the admin bearer token; everything else (health, metrics, the collector with its
 * own write keys, plugin-served assets) is open at this layer.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    /** No sessions, no CSRF tokens, no login pages: every request carries its own credentials. */
    private static HttpSecurity stateless(HttpSecurity http) throws Exception {
        return http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    }

    @Bean
    @Order(1)
    SecurityFilterChain adminApi(HttpSecurity http, AdminToken token, ObjectMapper mapper) throws Exception {
        stateless(http.securityMatcher("/api/**"))
                .addFilterBefore(new BearerTokenFilter(token), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(a -> a.anyRequest().hasRole("ADMIN"))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> {
                            response.setStatus(401);
                            response.setHeader("WWW-Authenticate", "Bearer realm=\"atrium\"");
                            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                            mapper.writeValue(response.getOutputStream(), new ApiError("unauthorized",
                                    "send the admin API token as 'Authorization: Bearer <token>'"));
                        })
                        .accessDeniedHandler((request, response, ex) -> {
                            response.setStatus(403);
                            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                            mapper.writeValue(response.getOutputStream(), new ApiError("forbidden", ex.getMessage()));
                        }));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain open(HttpSecurity http) throws Exception {
        // Routes and plugins set their own caching headers (the tracker script is cacheable).
        stateless(http).headers(h -> h.cacheControl(c -> c.disable()))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }
}
