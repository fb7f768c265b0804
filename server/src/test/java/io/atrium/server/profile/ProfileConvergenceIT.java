package io.atrium.server.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import io.atrium.plugin.api.Event;

import org.junit.jupiter.api.Test;

/** The same events in any order, in any batches, end as the same profiles. */
class ProfileConvergenceIT extends ProfileTestSupport {

    @Test
    void theSameEventsInShuffledOrdersConvergeToTheSameProfiles() {
        EventScenario scenario = new EventScenario(8, 20260301L);
        String s = unique();
        TreeSet<String> first = null;
        for (int run = 0; run < 4; run++) {
            String tag = "r" + run + s;
            int runNumber = run;
            UnaryOperator<String> real = symbol -> real(symbol, tag, runNumber, s);
            List<Event> events = new ArrayList<>(scenario.events(real));
            if (run > 0) {
                Collections.shuffle(events, new Random(run));
            } else {
                Collections.reverse(events); // newest first: every identify arrives before the page views it links
            }
            Random chunks = new Random(100 + run);
            for (int i = 0; i < events.size(); ) {
                int n = 1 + chunks.nextInt(7);
                intake.submit(events.subList(i, Math.min(events.size(), i + n)));
                i += n;
            }
            awaitStored(events.stream().map(Event::messageId).toList());

            Map<String, String> symbols = scenario.symbols(real);
            TreeSet<String> canonical = EventScenario.canonical(jdbc, symbols, v -> v.toLowerCase(Locale.ROOT));
            assertThat(canonical).as("one profile per person").hasSize(scenario.people);
            assertThat(canonical).allSatisfy(p -> assertThat(p).doesNotContain("?"));
            if (first == null) {
                first = canonical;
            } else {
                assertThat(canonical).as("run " + run + " against run 0").containsExactlyElementsOf(first);
            }
        }
        assertThat(first).anySatisfy(p -> assertThat(p).contains("identities=[anonymous_id:p0.d0, anonymous_id:p0.d1, anonymous_id:p0.d2, crm_id:p0.crm, "
                + "email:p0.email, phone:p0.phone, user_id:p0.user]"));
    }

    /** A real value per symbol and run: phones as E.164 numbers, e-mails as addresses, the rest as text. */
    static String real(String symbol, String tag, int run, String unique) {
        if (symbol.endsWith(".phone")) {
            int person = Integer.parseInt(symbol.substring(1, symbol.indexOf('.')));
            return String.format("+38099%d%02d%05d", run, person, Math.abs(unique.hashCode()) % 100_000);
        }
        if (symbol.endsWith(".email")) {
            return symbol.replace(".email", "") + "." + tag + "@example.com";
        }
        return symbol + "-" + tag;
    }
}
