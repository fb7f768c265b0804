package io.atrium.server.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;

/** Runs a task on its own daemon thread every {@code interval} (at least 100 ms), logging and surviving its failures. */
public final class PeriodicTask {

    private PeriodicTask() {
    }

    public static ScheduledExecutorService every(Duration interval, String threadName, Logger log, Runnable task) {
        long every = Math.max(100, interval.toMillis());
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{} failed: {}", threadName, e.toString(), e);
            }
        }, every, every, TimeUnit.MILLISECONDS);
        return executor;
    }
}
