package io.atrium.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The segment bench works end to end with tiny numbers: probes under a light load all enter their
 * segment and reach the history, and over a few thousand COPYed profiles the preview count, the
 * stored members and the export all find exactly the people the bench knows qualify. No timing is
 * asserted: figures belong in the benchmark's report, not in a test.
 */
class SegmentBenchSmokeIT {

    @Test
    void aTinyRunMeasuresLatencyAndRecountsWithTheRightAnswers() throws Exception {
        SegmentBench.Options options = SegmentBench.Options.parse("--rate", "200", "--duration", "3", "--warmup", "0",
                "--threads", "2", "--batch", "20", "--users", "500", "--probes", "5", "--profiles", "3000",
                "--recounts", "1", "--previews", "1", "--drain-timeout", "120");
        options.dist = Path.of(System.getProperty("atrium.dist.dir", "../distribution/target/atrium"));

        SegmentBench.Result r = new SegmentBench(options).run();

        SegmentBench.Latency latency = r.latency();
        assertThat(latency.accepted()).isPositive().isEqualTo(latency.probes());
        assertThat(latency.entered()).isEqualTo(latency.accepted());
        assertThat(latency.inHistory()).isEqualTo(latency.accepted());
        assertThat(latency.eventsAccepted()).isPositive();
        assertThat(latency.p99()).isPositive();

        SegmentBench.Recount recount = r.recount();
        assertThat(recount.expectedMembers()).isPositive();
        assertThat(recount.previewCount()).isEqualTo(recount.expectedMembers());
        assertThat(recount.members()).isEqualTo(recount.expectedMembers());
        assertThat(recount.exportRows()).isEqualTo(recount.expectedMembers());
        assertThat(recount.recountSeconds()).hasSize(1);
        assertThat(recount.baselineSeconds()).isPositive();
    }
}
