package io.atrium.server.security;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.server.api.ApiError;
import io.atrium.server.config.AtriumProperties;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfTokenRequestAttributeHandler;

/**
 * Who may do what (docs/console.md#roles), enforced here for the console and /api/v1 alike.
 *
 * <ul>
 *   <li>/api/**: the admin API token ({@code Authorization: Bearer}), a user's name and password
 *       (HTTP Basic, for scripts), or the console's sign-in session (with a CSRF token in
 *       {@code X-XSRF-TOKEN}, taken from the {@code XSRF-TOKEN} cookie). Reads are open to every
 *       role; changes need the role of the area (see {@link #authorize}).</li>
 *   <li>/console/**: the console's files, {@code POST /console/login} and {@code POST /console/logout}.</li>
 *   <li>everything else (health, metrics, the collector with its own write keys, plugin-served
 *       assets, tracking links) is open at this layer.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    AuthenticationManager authenticationManager(UserStore users, PasswordEncoder encoder, AtriumProperties properties,
                                                org.springframework.jdbc.core.JdbcTemplate jdbc) {
        List<AuthenticationProvider> providers = new ArrayList<>();
        DaoAuthenticationProvider local = new DaoAuthenticationProvider(users);
        local.setPasswordEncoder(encoder);
        providers.add(local);
        AuthenticationProvider directory = DirectorySignIn.provider(properties.getSecurity().getLdap());
        if (directory != null) {
            providers.add(directory);
        }
        return new SignInThrottle(new ProviderManager(providers), java.time.Clock.systemUTC(), SignInThrottle.shared(jdbc));
    }

    @Bean
    CookieCsrfTokenRepository csrfTokens() {
        CookieCsrfTokenRepository repository = CookieCsrfTokenRepository.withHttpOnlyFalse();
        repository.setCookiePath("/");
        repository.setCookieCustomizer(c -> c.sameSite("Strict"));
        return repository;
    }

    /** The plain (not XOR-masked) token: the console sends back the cookie's value as the header. */
    private static CsrfTokenRequestAttributeHandler csrfHandler() {
        CsrfTokenRequestAttributeHandler handler = new CsrfTokenRequestAttributeHandler();
        // No deferred loading: the token is read (and its cookie written) on every console and API
        // request, so the console always finds XSRF-TOKEN, even before its first change.
        handler.setCsrfRequestAttributeName(null);
        return handler;
    }

    private static final java.util.Set<String> SAFE = java.util.Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    /**
     * Only a change that a session cookie could authenticate needs the CSRF token: not one that
     * carries its own credentials (Authorization), and on /api not one without a session cookie
     * either (it is simply unauthenticated: 401). The console's sign-in form always needs it.
     */
    private static org.springframework.security.web.util.matcher.RequestMatcher csrfNeeded(boolean sessionOnly) {
        return request -> {
            if (SAFE.contains(request.getMethod()) || request.getHeader("Authorization") != null) {
                return false;
            }
            if (!sessionOnly) {
                return true;
            }
            jakarta.servlet.http.Cookie[] cookies = request.getCookies();
            if (cookies != null) {
                for (jakarta.servlet.http.Cookie c : cookies) {
                    if (SESSION_COOKIE.equals(c.getName())) {
                        return true;
                    }
                }
            }
            return false;
        };
    }

    static final String SESSION_COOKIE = "ATRIUM_SESSION";

    private static void common(HttpSecurity http, CookieCsrfTokenRepository csrf, boolean sessionOnly) throws Exception {
        http.csrf(c -> c.csrfTokenRepository(csrf).csrfTokenRequestHandler(csrfHandler())
                        .requireCsrfProtectionMatcher(csrfNeeded(sessionOnly)))
                .requestCache(AbstractHttpConfigurer::disable)
                .headers(h -> h.cacheControl(c -> c.disable()));
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, AdminToken token, ObjectMapper mapper, AuthenticationManager auth,
                            CookieCsrfTokenRepository csrf) throws Exception {
        // A name that is locked or disabled is told so (as the console's sign-in tells it); a wrong password is not told apart.
        AuthenticationEntryPoint unauthorized = (request, response, ex) -> json(mapper, response, 401, "unauthorized",
                ex instanceof org.springframework.security.authentication.AccountStatusException ? reason(ex)
                        : "sign in at /console/, or send the admin API token as 'Authorization: Bearer <token>' or a user's name and password (HTTP Basic)");
        common(http.securityMatcher("/api/**"), csrf, true);
        http.authenticationManager(auth)
                .addFilterBefore(new BearerTokenFilter(token), AnonymousAuthenticationFilter.class)
                .httpBasic(b -> b.authenticationEntryPoint(unauthorized))
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                .authorizeHttpRequests(SecurityConfiguration::authorize)
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden(mapper)));
        return http.build();
    }

    /** The role matrix of docs/console.md#roles. Admin may do everything. */
    private static void authorize(org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer<HttpSecurity>
                                          .AuthorizationManagerRequestMatcherRegistry a) {
        String admin = "ADMIN";
        a.requestMatchers("/api/v1/me", "/api/v1/me/**").authenticated()
                // people management and the audit log, the full export and the erasure of a person
                .requestMatchers("/api/v1/users", "/api/v1/users/**", "/api/v1/audit", "/api/v1/audit/**").hasRole(admin)
                .requestMatchers(HttpMethod.GET, "/api/v1/profiles/*/*/export").hasRole(admin)
                .requestMatchers(HttpMethod.DELETE, "/api/v1/profiles/**").hasRole(admin)
                // reading is for every role
                .requestMatchers(HttpMethod.GET, "/api/**").authenticated()
                .requestMatchers(HttpMethod.HEAD, "/api/**").authenticated()
                // checks that change nothing
                .requestMatchers(HttpMethod.POST, "/api/v1/segments/validate", "/api/v1/segments/preview",
                        "/api/v1/campaigns/validate", "/api/v1/campaigns/*/dry-run",
                        "/api/v1/templates/validate", "/api/v1/templates/*/preview",
                        "/api/v1/plugins/*/config/validate").authenticated()
                // the integrator's area
                .requestMatchers("/api/v1/plugins", "/api/v1/plugins/**", "/api/v1/routes", "/api/v1/routes/**",
                        "/api/v1/sources", "/api/v1/sources/**", "/api/v1/queues", "/api/v1/queues/**")
                .hasAnyRole(admin, "INTEGRATOR")
                // the marketer's area
                .requestMatchers("/api/v1/profiles/**", "/api/v1/segments", "/api/v1/segments/**",
                        "/api/v1/templates", "/api/v1/templates/**", "/api/v1/campaigns", "/api/v1/campaigns/**",
                        "/api/v1/messages", "/api/v1/messages/**")
                .hasAnyRole(admin, "MARKETER")
                .anyRequest().hasRole(admin);
    }

    @Bean
    @Order(2)
    SecurityFilterChain console(HttpSecurity http, ObjectMapper mapper, AuthenticationManager auth, UserStore users,
                                CookieCsrfTokenRepository csrf) throws Exception {
        common(http.securityMatcher("/console", "/console/**"), csrf, false);
        http.authenticationManager(auth)
                .httpBasic(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .formLogin(f -> f.loginPage("/console/").loginProcessingUrl("/console/login")
                        .successHandler((request, response, authentication) -> {
                            Role role = Role.of(authentication.getAuthorities()).orElse(Role.VIEWER);
                            users.touchLogin(authentication.getName());
                            log.info("Console sign-in: {} ({})", authentication.getName(), role.id());
                            Map<String, Object> body = new LinkedHashMap<>();
                            body.put("username", authentication.getName());
                            body.put("role", role.id());
                            response.setStatus(200);
                            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                            mapper.writeValue(response.getOutputStream(), body);
                        })
                        .failureHandler((request, response, ex) -> {
                            log.warn("Console sign-in refused for '{}': {}", safeName(request.getParameter("username")), ex.getClass().getSimpleName());
                            json(mapper, response, 401, "bad_credentials", reason(ex));
                        })
                        .permitAll())
                .logout(l -> l.logoutUrl("/console/logout")
                        .logoutSuccessHandler((request, response, authentication) -> response.setStatus(204)))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .exceptionHandling(e -> e.accessDeniedHandler(forbidden(mapper)));
        return http.build();
    }

    @Bean
    @Order(3)
    SecurityFilterChain open(HttpSecurity http) throws Exception {
        // No sessions, no CSRF tokens, no login pages: every request carries its own credentials.
        // Routes and plugins set their own caching headers (the tracker script is cacheable).
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(h -> h.cacheControl(c -> c.disable()))
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    private static String reason(AuthenticationException ex) {
        if (ex instanceof org.springframework.security.authentication.LockedException) {
            return ex.getMessage();
        }
        if (ex instanceof DisabledException) {
            return ex.getMessage() != null && ex.getMessage().startsWith("no Atrium role") ? ex.getMessage() : "this account is disabled";
        }
        return "wrong user name or password";
    }

    private static String safeName(String name) {
        if (name == null) {
            return "";
        }
        String s = name.length() > 64 ? name.substring(0, 64) : name;
        return s.replaceAll("[^A-Za-z0-9._@-]", "?");
    }

    private static AccessDeniedHandler forbidden(ObjectMapper mapper) {
        return (request, response, ex) -> {
            boolean csrf = ex instanceof org.springframework.security.web.csrf.CsrfException;
            json(mapper, response, 403, csrf ? "csrf" : "forbidden", csrf
                    ? "the request lacks the console's CSRF token: send the XSRF-TOKEN cookie's value as the X-XSRF-TOKEN header"
                    : "your role may not " + request.getMethod() + " " + request.getRequestURI());
        };
    }

    private static void json(ObjectMapper mapper, HttpServletResponse response, int status, String code, Object detail) throws IOException {
        response.setStatus(status);
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"atrium\"");
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        mapper.writeValue(response.getOutputStream(), new ApiError(code, detail));
    }
}
