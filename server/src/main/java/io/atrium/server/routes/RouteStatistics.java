package io.atrium.server.routes;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.springframework.stereotype.Component;

/**
 * Per-route throughput as Camel measures it: exchange counts and processing times come from the
 * meters of Camel's Micrometer route policy ({@code camel.exchanges.total}, {@code camel.exchanges.failed},
 * the {@code camel.route.policy} timer), in-flight exchanges from Camel's inflight repository, and
 * the last exchange's time and duration from Camel's exchange-completed events with the exchange's
 * own clock. Counts start at zero when a route is (re)started, as the meters do.
 */
@Component
public class RouteStatistics {

    static final String TOTAL = "camel.exchanges.total";
    static final String FAILED = "camel.exchanges.failed";
    static final String TIMER = "camel.route.policy";

    private final CamelContext camel;
    private final MeterRegistry registry;
    private final Map<String, Last> last = new ConcurrentHashMap<>();

    /**
     * @param exchangesTotal     exchanges the route completed or failed since it started
     * @param exchangesFailed    of those, the ones that failed (an exception not handled by the route)
     * @param exchangesInflight  exchanges being processed now
     * @param meanProcessingMillis mean time from the route's consumer to the end of the exchange; null before the first
     * @param maxProcessingMillis  the longest of the last few minutes (Micrometer's decaying maximum); null before the first
     * @param lastProcessingMillis how long the latest exchange took; null before the first
     * @param lastExchangeAt     when the latest exchange ended; null before the first
     */
    public record Stats(long exchangesTotal, long exchangesFailed, int exchangesInflight, Double meanProcessingMillis,
                        Double maxProcessingMillis, Long lastProcessingMillis, Instant lastExchangeAt) {
    }

    private record Last(long millis, Instant at) {
    }

    public RouteStatistics(CamelContext camel, MeterRegistry registry) {
        this.camel = camel;
        this.registry = registry;
        camel.getManagementStrategy().addEventNotifier(new LastExchange());
    }

    /** The statistics of every running route, by route id, read in one pass over the meters. */
    public Map<String, Stats> all() {
        Map<String, long[]> counts = new HashMap<>();   // total, failed
        Map<String, double[]> timers = new HashMap<>(); // count, total ms, max ms
        for (Meter meter : registry.getMeters()) {
            String name = meter.getId().getName();
            if (!name.equals(TOTAL) && !name.equals(FAILED) && !name.equals(TIMER)) {
                continue;
            }
            String route = meter.getId().getTag("routeId");
            if (route == null) {
                continue;
            }
            if (meter instanceof Counter c) {
                long[] v = counts.computeIfAbsent(route, r -> new long[2]);
                v[name.equals(TOTAL) ? 0 : 1] += (long) c.count();
            } else if (meter instanceof Timer t && name.equals(TIMER)) {
                double[] v = timers.computeIfAbsent(route, r -> new double[3]);
                v[0] += t.count();
                v[1] += t.totalTime(TimeUnit.MILLISECONDS);
                v[2] = Math.max(v[2], t.max(TimeUnit.MILLISECONDS));
            }
        }
        Map<String, Stats> out = new HashMap<>();
        for (org.apache.camel.Route route : camel.getRoutes()) {
            String id = route.getRouteId();
            long[] c = counts.getOrDefault(id, new long[2]);
            double[] t = timers.get(id);
            boolean timed = t != null && t[0] > 0;
            Last l = last.get(id);
            out.put(id, new Stats(c[0], c[1], camel.getInflightRepository().size(id),
                    timed ? round(t[1] / t[0]) : null, timed ? round(t[2]) : null,
                    l == null ? null : l.millis(), l == null ? null : l.at()));
        }
        last.keySet().retainAll(out.keySet());
        return out;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000.0) / 1000.0;
    }

    /** Keeps, per route, when its latest exchange ended and how long it took (Camel's exchange clock). */
    private final class LastExchange extends EventNotifierSupport {
        LastExchange() {
            setIgnoreCamelContextEvents(true);
            setIgnoreRouteEvents(true);
            setIgnoreServiceEvents(true);
            setIgnoreStepEvents(true);
            setIgnoreExchangeCreatedEvent(true);
            setIgnoreExchangeSendingEvents(true);
            setIgnoreExchangeSentEvents(true);
            setIgnoreExchangeRedeliveryEvents(true);
            setIgnoreExchangeFailedEvents(false);
            setIgnoreExchangeCompletedEvent(false);
        }

        @Override
        public void notify(CamelEvent event) {
            if (event instanceof CamelEvent.ExchangeCompletedEvent || event instanceof CamelEvent.ExchangeFailedEvent) {
                Exchange exchange = ((CamelEvent.ExchangeEvent) event).getExchange();
                String route = exchange.getFromRouteId();
                if (route != null) {
                    last.put(route, new Last(exchange.getClock().elapsed(), Instant.now()));
                }
            }
        }
    }
}
