package io.atrium.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The bench code works end to end: a 3-second run against the unpacked distribution accepts events,
 * finds every one of them in PostgreSQL and measures a COPY rate. No timing is asserted: figures
 * belong in the benchmark's report, not in a test (about 35 s, most of it the hub's first start).
 */
class CollectorBenchSmokeIT {

    @Test
    void aShortRunAcceptsEventsAndFindsThemAllInPostgres() throws Exception {
        CollectorBench.Options options = CollectorBench.Options.parse(
                "--duration", "3", "--warmup", "0", "--threads", "2", "--users", "500", "--drain-timeout", "120");
        options.dist = Path.of(System.getProperty("atrium.dist.dir", "../distribution/target/atrium"));

        CollectorBench.Result r = new CollectorBench(options).run();

        assertThat(r.accepted()).isPositive();
        assertThat(r.failures()).isEmpty();
        assertThat(r.stored()).isEqualTo(r.accepted());
        assertThat(r.copyRows()).isEqualTo(r.accepted());
        assertThat(r.ratio()).isPositive();
    }
}
