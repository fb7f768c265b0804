package io.atrium.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The campaign bench works end to end with small numbers: 2,000 people COPYed in, a broadcast
 * launched through the API, every journey's first message recorded and on the email channel's
 * outbound queue, and the stats agree. No timing is asserted: figures belong in the benchmark's
 * report, not in a test.
 */
class CampaignBenchSmokeIT {

    @Test
    void aSmallBroadcastEnqueuesOneMessagePerPerson() throws Exception {
        CampaignBench.Options options = CampaignBench.Options.parse("--profiles", "2000", "--timeout", "180", "--sample", "1",
                "--stats-every", "5");
        options.dist = Path.of(System.getProperty("atrium.dist.dir", "../distribution/target/atrium"));

        CampaignBench.Result r = new CampaignBench(options).run();

        assertThat(r.complete()).as("every journey got its first message within the timeout").isTrue();
        assertThat(r.entered()).isEqualTo(2000);
        assertThat(r.enqueued()).isEqualTo(2000);
        assertThat(r.failed()).isZero();
        // The parked channel takes at most a message or two; everything else waits on the queue.
        assertThat(r.queueAdded()).isGreaterThanOrEqualTo(1999);
        assertThat(r.queueDepth()).isBetween(1990L, 2000L);
        assertThat(r.samples()).isNotEmpty();
        assertThat(r.stats().path("journeys").path("entered").asLong()).isEqualTo(2000);
        assertThat(r.stats().path("steps").path("hello").path("email").path("failed").asLong()).isZero();
    }
}
