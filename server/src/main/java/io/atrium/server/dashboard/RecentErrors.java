package io.atrium.server.dashboard;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.AppenderBase;

import jakarta.annotation.PreDestroy;

import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The latest WARN and ERROR log events of this hub node, for the dashboard: a small Logback
 * appender on the root logger that keeps the newest {@value #CAPACITY} in memory (time, level,
 * logger, thread, message and the exception's class and message, never a stack trace). The hub
 * keeps secrets out of its log lines already; as a second line of defence anything that looks
 * like a password, token, key or bearer credential is masked here.
 */
@Component
public class RecentErrors {

    static final int CAPACITY = 50;
    private static final int MAX_MESSAGE = 2_000;
    private static final String MASK = "******";

    /** {@code password=x}, {@code "token": "x"}, {@code api-key: x}, {@code secret x} ... */
    private static final Pattern NAMED_SECRET = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[-_]?key|access[-_]?key|client[-_]?secret|credentials?)\"?'?"
                    + "\\s*[=:]\\s*\"?'?)([^\\s\"',;&)}\\]]+)");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]*://[^/@\\s:]+):[^/@\\s]+@");

    /**
     * One log event.
     *
     * @param at      when it was logged
     * @param level   WARN or ERROR
     * @param logger  the logger's name (the class that logged it)
     * @param thread  the thread it was logged on
     * @param message the formatted message, with the exception's class and message appended, secrets masked
     */
    public record Entry(Instant at, String level, String logger, String thread, String message) {
    }

    private final Deque<Entry> entries = new ArrayDeque<>(CAPACITY);
    private final Appender appender = new Appender();

    /**
     * Puts the appender back when Logback's configuration is reset (a configuration file re-read with
     * {@code scan}, or another Spring Boot application starting in the same JVM), which detaches and
     * stops every appender: without it the dashboard would silently stop seeing new errors.
     */
    private final LoggerContextListener reattach = new LoggerContextListener() {
        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onReset(LoggerContext context) {
            attach(context);
        }

        @Override
        public void onStart(LoggerContext context) {
        }

        @Override
        public void onStop(LoggerContext context) {
        }

        @Override
        public void onLevelChange(Logger logger, Level level) {
        }
    };

    private final LoggerContext context;

    public RecentErrors() {
        this(LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : null);
    }

    /**
     * Logback's {@code stop()} (Spring Boot's re-initialisation of logging does stop and reset) also
     * drops every listener, reset-resistant or not: a check every second puts appender and listener
     * back if they are gone.
     */
    private final java.util.concurrent.ScheduledExecutorService check;

    /** On the given Logback context (null: records nothing). */
    RecentErrors(LoggerContext context) {
        this.context = context;
        if (context == null) {
            check = null;
            return;
        }
        appender.setName("atrium-recent-errors");
        attach(context);
        context.addListener(reattach);
        check = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "atrium-recent-errors");
            t.setDaemon(true);
            return t;
        });
        check.scheduleWithFixedDelay(() -> {
            if (!context.getCopyOfListenerList().contains(reattach)) {
                context.addListener(reattach);
            }
            attach(context);
        }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private void attach(LoggerContext context) {
        appender.setContext(context);
        if (!appender.isStarted()) {
            appender.start();
        }
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        if (!root.isAttached(appender)) {
            root.addAppender(appender);
        }
    }

    @PreDestroy
    void detach() {
        if (check != null) {
            check.shutdownNow();
        }
        if (context != null) {
            context.removeListener(reattach);
            context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        }
        appender.stop();
    }

    /** Newest first. */
    public List<Entry> recent() {
        synchronized (entries) {
            List<Entry> out = new ArrayList<>(entries);
            java.util.Collections.reverse(out);
            return out;
        }
    }

    void add(Entry entry) {
        synchronized (entries) {
            if (entries.size() == CAPACITY) {
                entries.removeFirst();
            }
            entries.addLast(entry);
        }
    }

    /** Takes out what looks like a secret: named secrets, bearer/basic credentials, passwords in URLs. */
    static String mask(String text) {
        if (text == null) {
            return "";
        }
        String out = URL_USER_INFO.matcher(text).replaceAll("$1:" + MASK + "@");
        out = BEARER.matcher(out).replaceAll("$1 " + MASK);
        Matcher m = NAMED_SECRET.matcher(out);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + MASK));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private final class Appender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
                return;
            }
            StringBuilder text = new StringBuilder(String.valueOf(event.getFormattedMessage()));
            IThrowableProxy t = event.getThrowableProxy();
            if (t != null) {
                text.append(" (").append(t.getClassName());
                if (t.getMessage() != null) {
                    text.append(": ").append(t.getMessage());
                }
                text.append(')');
            }
            String masked = mask(text.toString());
            String message = masked.length() > MAX_MESSAGE ? masked.substring(0, MAX_MESSAGE) + "…" : masked;
            add(new Entry(Instant.ofEpochMilli(event.getTimeStamp()), event.getLevel().toString(), event.getLoggerName(),
                    event.getThreadName(), message));
        }
    }
}
