package io.atrium.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class RecentErrorsTest {

    private final RecentErrors errors = new RecentErrors();
    private final Logger log = LoggerFactory.getLogger("io.atrium.test.Dashboard");

    @AfterEach
    void detach() {
        errors.detach();
    }

    @Test
    void keepsTheNewestFiftyWarningsAndErrorsNewestFirstAndNothingBelowWarn() {
        log.info("an info line");
        log.debug("a debug line");
        for (int i = 1; i <= 60; i++) {
            if (i % 2 == 0) {
                log.warn("warning {}", i);
            } else {
                log.error("error {}", i, new IllegalStateException("the cause " + i));
            }
        }
        var recent = errors.recent();
        assertThat(recent).hasSize(50);
        assertThat(recent.get(0).message()).isEqualTo("warning 60");
        assertThat(recent.get(0).level()).isEqualTo("WARN");
        assertThat(recent.get(1).message()).isEqualTo("error 59 (java.lang.IllegalStateException: the cause 59)");
        assertThat(recent.get(1).level()).isEqualTo("ERROR");
        assertThat(recent.get(1).logger()).isEqualTo("io.atrium.test.Dashboard");
        assertThat(recent.get(49).message()).isEqualTo("error 11 (java.lang.IllegalStateException: the cause 11)");
        assertThat(recent).noneMatch(e -> e.message().contains("info line") || e.message().contains("debug line"));
    }

    @Test
    void keepsSeeingErrorsAfterLogbacksConfigurationIsReset() {
        // what a configuration file re-read with scan="true", or a second Spring Boot application in the JVM, does;
        // on a context of its own, so that the other tests' logging is left as configured
        ch.qos.logback.classic.LoggerContext context = new ch.qos.logback.classic.LoggerContext();
        RecentErrors own = new RecentErrors(context);
        try {
            Logger other = context.getLogger("io.atrium.test.Dashboard");
            context.reset();
            other.error("after the reset");
            assertThat(own.recent()).extracting(RecentErrors.Entry::message).containsExactly("after the reset");
            context.reset();
            other.warn("after a second reset");
            assertThat(own.recent()).extracting(RecentErrors.Entry::message).containsExactly("after a second reset", "after the reset");
            // what Spring Boot does when another application in the JVM initialises logging: stop (which drops every
            // listener) and reset; within a second the errors are recorded again
            context.stop();
            context.reset();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() -> {
                other.error("after a stop");
                assertThat(own.recent()).extracting(RecentErrors.Entry::message).contains("after a stop");
            });
        } finally {
            own.detach();
        }
    }

    @Test
    void masksWhatLooksLikeASecret() {
        log.warn("login refused: password=hunter22, user=bob");
        log.warn("config {\"api-token\": \"abc123xyz\", \"mode\": \"pull\"}");
        log.warn("GET https://crm.test/api failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");
        log.error("cannot connect to jdbc:postgresql://erp:s3cretpw@db.internal/erp", new RuntimeException("secret: topsecret1"));
        String all = errors.recent().toString();
        assertThat(all).doesNotContain("hunter22", "abc123xyz", "eyJhbGciOiJIUzI1NiJ9", "s3cretpw", "topsecret1");
        assertThat(all).contains("password=******, user=bob", "\"api-token\": \"******\", \"mode\": \"pull\"", "Bearer ******",
                "//erp:******@db.internal/erp", "secret: ******");
    }
}
