package io.atrium.server.collector;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** {@code atrium.collector.*}: limits and timings of the Segment-compatible collector. */
@ConfigurationProperties("atrium.collector")
public class CollectorProperties {

    /** Largest single event (its JSON as sent); a larger one is refused with 413. */
    private DataSize maxEventSize = DataSize.ofKilobytes(32);
    /** Largest request body, before and after gzip decompression; a larger one is refused with 413. */
    private DataSize maxRequestSize = DataSize.ofKilobytes(500);
    /** What a 503 (broker unavailable) tells the sender to wait in its Retry-After header. */
    private Duration retryAfter = Duration.ofSeconds(10);
    /** How long a write key lookup is cached; revoking on this node takes effect at once, on other nodes within this time. */
    private Duration sourceCacheTtl = Duration.ofSeconds(10);

    public DataSize getMaxEventSize() { return maxEventSize; }
    public void setMaxEventSize(DataSize maxEventSize) { this.maxEventSize = maxEventSize; }
    public DataSize getMaxRequestSize() { return maxRequestSize; }
    public void setMaxRequestSize(DataSize maxRequestSize) { this.maxRequestSize = maxRequestSize; }
    public Duration getRetryAfter() { return retryAfter; }
    public void setRetryAfter(Duration retryAfter) { this.retryAfter = retryAfter; }
    public Duration getSourceCacheTtl() { return sourceCacheTtl; }
    public void setSourceCacheTtl(Duration sourceCacheTtl) { this.sourceCacheTtl = sourceCacheTtl; }
}
