package io.atrium.server.profile;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.atrium.plugin.api.Event;
import io.atrium.server.support.FastInstant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies a batch of events to the profile store in one PostgreSQL transaction: identity
 * resolution, merges, identities, events, traits and consents, each written with a few multi-row
 * statements. Safe against concurrent batches (other threads or hubs): the identities of a batch
 * are taken under advisory locks in sorted order and the profiles they belong to under row locks
 * in id order. A replayed batch is a no-op because a message id is stored once.
 */
@Service
public class ProfileStore {

    private static final Logger log = LoggerFactory.getLogger(ProfileStore.class);
    /** Identity types from strongest to weakest: with a guard in the way an event goes to the profile of its strongest identity. */
    static final List<String> STRENGTH = List.of("user_id", "crm_id", "erp_id", "email", "phone", "viber_id");
    /** The track event that changes one consent; see docs/profiles.md. */
    public static final String CONSENT_EVENT = "consent_changed";
    /** Trait and consent rows as JSON-friendly maps, as a merge keeps them for an undo. */
    static final String TRAIT_ROWS = "SELECT name, value::text AS value, to_char(set_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS set_at, "
            + "message_id FROM traits ";
    static final String CONSENT_ROWS = "SELECT channel, purpose, granted, to_char(set_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS set_at, "
            + "message_id FROM consents ";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper mapper;
    private final QueuedEvents queued;
    private final IdentityExtractor extractor;
    private final Set<String> guarded;
    private final MeterRegistry registry;
    private final Counter applied;
    private final Counter duplicates;
    private final Counter merges;
    private final Counter guardBlocked;
    private final DistributionSummary batchSize;
    private final Timer batchLatency;

    public ProfileStore(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper mapper, ProfileProperties properties,
                        MeterRegistry registry) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.mapper = mapper;
        this.queued = new QueuedEvents(mapper);
        this.extractor = new IdentityExtractor(new IdentityNormalizer(properties.getDefaultPhoneCountryCode()));
        this.guarded = new HashSet<>(properties.getMerge().getNeverMergeDifferent());
        this.registry = registry;
        this.applied = Counter.builder("atrium.profiles.events").tag("result", "applied")
                .description("Events stored on profiles").register(registry);
        this.duplicates = Counter.builder("atrium.profiles.events").tag("result", "duplicate")
                .description("Events skipped because their messageId was stored before").register(registry);
        this.merges = Counter.builder("atrium.profiles.merges").description("Profiles merged into another").register(registry);
        this.guardBlocked = Counter.builder("atrium.profiles.merges.blocked")
                .description("Merges refused by atrium.profiles.merge.never-merge-different").register(registry);
        this.batchSize = DistributionSummary.builder("atrium.profiles.batch.size").baseUnit("events")
                .description("Events per applied batch").register(registry);
        this.batchLatency = Timer.builder("atrium.profiles.batch.latency")
                .description("Time to apply one batch to PostgreSQL").register(registry);
    }

    /**
     * What a committed batch changed: published on the profile-changed topic. {@code changed} says
     * what changed in which of {@code profiles}, so that the segment stage re-checks a profile only
     * against the segments whose rules look at what changed; null (left out of the message) means
     * anything may have changed in every one of them.
     */
    public record Changes(List<Long> profiles, List<Long> mergedAway, List<Long> erased, List<String> messageIds,
                          @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                          Changed changed) {
        public Changes(List<Long> profiles, List<Long> mergedAway, List<Long> erased, List<String> messageIds) {
            this(profiles, mergedAway, erased, messageIds, null);
        }

        public boolean isEmpty() {
            return profiles.isEmpty() && mergedAway.isEmpty() && erased.isEmpty();
        }
    }

    /**
     * What changed in the profiles of a batch. {@code everything}: created or merged into, so any rule
     * may now give another answer for them; the others name, per event name (the event's {@code event},
     * else its {@code type}), trait name and identity type, the profiles that got such an event, had such
     * a trait set or got such an identity, and {@code consents} the profiles whose consents were set.
     * A profile of {@code everything} is not repeated in the other fields.
     */
    public record Changed(List<Long> everything, Map<String, List<Long>> events, Map<String, List<Long>> traits,
                          Map<String, List<Long>> identities, List<Long> consents) {
    }

    /** Applies the events in one transaction, retrying a few times when it loses a deadlock. */
    public Changes apply(List<Event> events) {
        // Through the queue's own format and reader, so that these events are read as the stage reads the queue's.
        try {
            return applyQueued(queued.read(mapper.writeValueAsBytes(events)));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write the events as the queue holds them: " + e.getMessage(), e);
        }
    }

    /** As {@link #apply(List)}, for events as the profile stage reads them from the queue. */
    Changes applyQueued(List<QueuedEvents.Queued> events) {
        Timer.Sample sample = Timer.start(registry);
        for (int attempt = 1; ; attempt++) {
            try {
                Counts counts = new Counts();
                Changes changes = tx.execute(status -> applyOnce(events, counts));
                applied.increment(counts.applied);
                duplicates.increment(counts.duplicates);
                merges.increment(counts.merges);
                guardBlocked.increment(counts.blocked);
                counts.skipped.forEach((k, n) -> Counter.builder("atrium.profiles.identities.skipped")
                        .tag("type", k[0]).tag("reason", k[1])
                        .description("Identities left out because their value or type is invalid")
                        .register(registry).increment(n));
                batchSize.record(events.size());
                sample.stop(batchLatency);
                return changes;
            } catch (TransientDataAccessException | Retry e) {
                if (attempt >= 5) {
                    throw e;
                }
                log.debug("Batch of {} events retried after {}", events.size(), e.toString());
            }
        }
    }

    static final class Retry extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Retry(String message) {
            super(message);
        }
    }

    private static final class Counts {
        int applied;
        int duplicates;
        int merges;
        int blocked;
        final Map<String[], Integer> skipped = new HashMap<>();
        final Map<String, String[]> keys = new HashMap<>();

        void skip(String type, String reason) {
            String[] key = keys.computeIfAbsent(type + "/" + reason, k -> new String[] {type, reason});
            skipped.merge(key, 1, Integer::sum);
        }
    }

    private record Prepared(Event event, String messageId, Instant time, List<Identity> ids, String previousId, Columns columns) {
    }

    /**
     * An event's column values that do not depend on identity resolution, written before the batch
     * takes its locks so that the time other batches wait for them is spent in the database only.
     */
    private record Columns(String time, String originalTimestamp, String sentAt, String receivedAt,
                           String traits, String properties, String context, String identities) {
    }

    private static Columns columns(QueuedEvents.Queued q, Instant time) {
        Event e = q.event();
        return new Columns(FastInstant.format(time), str(e.originalTimestamp()), str(e.sentAt()), str(e.receivedAt()),
                q.traits(), q.properties(), q.context(), q.identities());
    }

    private Changes applyOnce(List<QueuedEvents.Queued> events, Counts counts) {
        // 1. Message ids, event times, identities; duplicates inside the batch.
        Map<String, Prepared> batch = new LinkedHashMap<>();
        for (QueuedEvents.Queued q : events) {
            Event e = q.event();
            String mid = e.messageId(); // QueuedEvents derives one for an event that came without
            if (batch.containsKey(mid)) {
                counts.duplicates++;
                continue;
            }
            IdentityExtractor.Found found = extractor.extract(e, counts::skip);
            Instant time = eventTime(e);
            batch.put(mid, new Prepared(e, mid, time, found.identities(), found.previousId(), columns(q, time)));
        }
        if (batch.isEmpty()) {
            return new Changes(List.of(), List.of(), List.of(), List.of());
        }
        Set<Identity> wanted = new TreeSet<>();
        for (Prepared p : batch.values()) {
            wanted.addAll(p.ids());
            if (p.previousId() != null) {
                wanted.add(new Identity("user_id", p.previousId()));
                wanted.add(new Identity("anonymous_id", p.previousId()));
            }
        }
        // 2. Serialise with every other batch touching one of these identities.
        if (!wanted.isEmpty()) {
            Long[] keys = wanted.stream().map(Identity::lockKey).distinct().sorted().toArray(Long[]::new);
            jdbc.query("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(?::bigint[]) AS k ORDER BY 1) s",
                    rs -> null, (Object) keys);
        }
        // 3. Events stored before are skipped entirely.
        String[] mids = batch.keySet().toArray(String[]::new);
        List<String> known = jdbc.queryForList("SELECT message_id FROM events WHERE message_id = ANY(?)", String.class, (Object) mids);
        for (String k : known) {
            batch.remove(k);
            counts.duplicates++;
        }
        if (batch.isEmpty()) {
            return new Changes(List.of(), List.of(), List.of(), List.of());
        }
        // 4. Owners of the identities, with their profiles locked.
        Map<Identity, Long> owner = lockOwners(wanted);
        Set<Long> existing = new TreeSet<>(owner.values());
        Map<Long, Map<String, Set<String>>> guardValues = new HashMap<>();
        if (!guarded.isEmpty() && !existing.isEmpty()) {
            jdbc.query("SELECT profile_id, type, value FROM identities WHERE profile_id = ANY(?) AND type = ANY(?)", rs -> {
                guardValues.computeIfAbsent(rs.getLong(1), k -> new HashMap<>())
                        .computeIfAbsent(rs.getString(2), k -> new TreeSet<>()).add(rs.getString(3));
            }, (Object) existing.toArray(Long[]::new), (Object) guarded.toArray(String[]::new));
        }

        // 5. Resolution in memory, event by event, in arrival order.
        Resolution r = new Resolution(existing, guardValues, batch.size());
        Map<Identity, Long> newIdentities = new LinkedHashMap<>();
        List<long[]> mergeOps = new ArrayList<>();
        List<String> mergeMessages = new ArrayList<>();
        Map<String, Long> target = new HashMap<>();
        for (Prepared p : batch.values()) {
            List<Identity> ids = new ArrayList<>(p.ids());
            if (p.previousId() != null) {
                Identity asUser = new Identity("user_id", p.previousId());
                Identity asAnon = new Identity("anonymous_id", p.previousId());
                Identity prev = owner.containsKey(asUser) && !owner.containsKey(asAnon) ? asUser : asAnon;
                if (!ids.contains(prev)) {
                    ids.add(prev);
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            Set<Long> roots = new TreeSet<>();
            List<Identity> unknown = new ArrayList<>();
            for (Identity id : ids) {
                Long o = owner.get(id);
                if (o == null) {
                    unknown.add(id);
                } else {
                    roots.add(r.find(o));
                }
            }
            long into;
            if (!r.conflicts(roots, unknown, guarded)) {
                if (roots.isEmpty()) {
                    roots.add(r.newProfile());
                }
                into = roots.iterator().next(); // stored profiles first (lowest id = oldest), then new ones
                for (long other : roots) {
                    if (other != into) {
                        r.union(into, other);
                        if (existing.contains(other)) {
                            mergeOps.add(new long[] {into, other});
                            mergeMessages.add(p.messageId());
                        }
                    }
                }
            } else {
                counts.blocked++;
                Identity strongest = ids.stream().max(Comparator.comparingInt(ProfileStore::strength)
                        .thenComparing(Comparator.reverseOrder())).orElseThrow();
                Long o = owner.get(strongest);
                into = o == null ? r.newProfile() : r.find(o);
                log.info("Event {} links profiles {} that a merge guard keeps apart; stored on profile of its {}",
                        p.messageId(), roots, strongest.type());
            }
            for (Identity id : unknown) {
                if (guarded.contains(id.type()) && r.hasOther(into, id)) {
                    counts.skip(id.type(), "merge_guard");
                    continue;
                }
                owner.put(id, into);
                newIdentities.put(id, into);
                r.addGuardValue(into, id, guarded);
            }
            target.put(p.messageId(), into);
        }

        // 6. Writes: new profiles, merges, identities, events, traits, consents.
        Set<Long> touched = new TreeSet<>();
        List<Long> newRoots = new ArrayList<>();
        for (long n : r.created) {
            if (r.find(n) == n) {
                newRoots.add(n);
            }
        }
        if (!newRoots.isEmpty()) {
            jdbc.update("INSERT INTO profiles (id) SELECT unnest(?::bigint[])", (Object) newRoots.toArray(Long[]::new));
            touched.addAll(newRoots);
        }
        List<Long> mergedAway = new ArrayList<>();
        for (int i = 0; i < mergeOps.size(); i++) {
            long[] op = mergeOps.get(i);
            merge(r.find(op[0]), op[1], mergeMessages.get(i));
            mergedAway.add(op[1]);
            counts.merges++;
        }
        if (!newIdentities.isEmpty()) {
            int n = newIdentities.size();
            Long[] pid = new Long[n];
            String[] type = new String[n];
            String[] value = new String[n];
            int i = 0;
            for (Map.Entry<Identity, Long> e : newIdentities.entrySet()) {
                pid[i] = r.find(e.getValue());
                type[i] = e.getKey().type();
                value[i] = e.getKey().value();
                i++;
            }
            jdbc.update("INSERT INTO identities (profile_id, type, value) SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[]) "
                    + "ON CONFLICT (type, value) DO NOTHING", pid, type, value);
        }
        insertEvents(batch.values(), target, r, touched);
        counts.applied += batch.size();
        Set<Long> consentsSet = new TreeSet<>();
        writeTraitsAndConsents(batch.values(), target, r, consentsSet);
        // Profiles created by this batch got updated_at = now() when they were inserted.
        Set<Long> fresh = new HashSet<>(newRoots);
        Long[] updated = touched.stream().filter(id -> !fresh.contains(id)).toArray(Long[]::new);
        if (updated.length > 0) {
            jdbc.update("UPDATE profiles SET updated_at = now() WHERE id = ANY(?)", (Object) updated);
        }
        touched.removeAll(mergedAway);
        Set<Long> everything = new TreeSet<>(newRoots);
        for (long[] op : mergeOps) {
            everything.add(r.find(op[0]));
        }
        return new Changes(List.copyOf(touched), mergedAway, List.of(), List.copyOf(batch.keySet()),
                changed(batch.values(), target, r, newIdentities, consentsSet, everything));
    }

    /** What the batch changed in which profile, for {@link Changed}. */
    private static Changed changed(Iterable<Prepared> events, Map<String, Long> target, Resolution r, Map<Identity, Long> newIdentities,
                                   Set<Long> consents, Set<Long> everything) {
        Map<String, Set<Long>> names = new TreeMap<>();
        Map<String, Set<Long>> traits = new TreeMap<>();
        Map<String, Set<Long>> types = new TreeMap<>();
        for (Prepared p : events) {
            Long t = target.get(p.messageId());
            if (t == null) {
                continue;
            }
            long profile = r.find(t);
            if (everything.contains(profile)) {
                continue;
            }
            Event e = p.event();
            names.computeIfAbsent(e.event() != null ? e.event() : e.type(), k -> new TreeSet<>()).add(profile);
            if ("identify".equals(e.type())) {
                for (String trait : e.traits().keySet()) {
                    if (!"consents".equals(trait)) {
                        traits.computeIfAbsent(trait, k -> new TreeSet<>()).add(profile);
                    }
                }
            }
        }
        newIdentities.forEach((id, owner) -> {
            long profile = r.find(owner);
            if (!everything.contains(profile)) {
                types.computeIfAbsent(id.type(), k -> new TreeSet<>()).add(profile);
            }
        });
        List<Long> consented = consents.stream().filter(p -> !everything.contains(p)).toList();
        return new Changed(List.copyOf(everything), lists(names), lists(traits), lists(types), consented);
    }

    private static Map<String, List<Long>> lists(Map<String, Set<Long>> sets) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        sets.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** The owners of the given identities, after their profiles are locked (FOR UPDATE, in id order). */
    private Map<Identity, Long> lockOwners(Set<Identity> wanted) {
        if (wanted.isEmpty()) {
            return new HashMap<>();
        }
        String[] types = new String[wanted.size()];
        String[] values = new String[wanted.size()];
        int i = 0;
        for (Identity id : wanted) {
            types[i] = id.type();
            values[i] = id.value();
            i++;
        }
        // Lock the current owners first (in id order), then read who owns what: an identity can only
        // move off a profile whose row lock its mover holds, so the answer holds while we keep ours.
        // Only when an identity moved in between does it take another round.
        Set<Long> locked = new HashSet<>(jdbc.queryForList("SELECT p.id FROM profiles p WHERE p.id = ANY(ARRAY(SELECT i.profile_id "
                + "FROM identities i JOIN unnest(?::text[], ?::text[]) AS u(t, v) ON i.type = u.t AND i.value = u.v)) "
                + "ORDER BY p.id FOR UPDATE OF p", Long.class, types, values));
        for (int round = 0; round < 10; round++) {
            Map<Identity, Long> owner = new HashMap<>();
            jdbc.query("SELECT i.type, i.value, i.profile_id FROM identities i "
                    + "JOIN unnest(?::text[], ?::text[]) AS u(t, v) ON i.type = u.t AND i.value = u.v",
                    rs -> {
                        owner.put(new Identity(rs.getString(1), rs.getString(2)), rs.getLong(3));
                    }, types, values);
            Set<Long> needed = new TreeSet<>(owner.values());
            if (locked.containsAll(needed)) {
                return owner;
            }
            needed.removeAll(locked);
            locked.addAll(jdbc.queryForList("SELECT id FROM profiles WHERE id = ANY(?) ORDER BY id FOR UPDATE", Long.class,
                    (Object) needed.toArray(Long[]::new)));
        }
        throw new Retry("identities kept moving between profiles while locking them");
    }

    /** Union-find over the stored profiles of a batch and the ones it creates; a root is the surviving profile. */
    private final class Resolution {
        final Set<Long> existing;
        final Map<Long, Long> parent = new HashMap<>();
        final Map<Long, Map<String, Set<String>>> guardValues;
        final List<Long> created = new ArrayList<>();
        final java.util.ArrayDeque<Long> pool = new java.util.ArrayDeque<>();
        final int poolSize;

        Resolution(Set<Long> existing, Map<Long, Map<String, Set<String>>> guardValues, int poolSize) {
            this.existing = existing;
            this.guardValues = guardValues;
            this.poolSize = poolSize;
        }

        long find(long x) {
            Long p = parent.get(x);
            if (p == null) {
                return x;
            }
            long root = find(p);
            parent.put(x, root);
            return root;
        }

        /** A provisional id; real ids come from the sequence when they are written. */
        long newProfile() {
            if (pool.isEmpty()) {
                pool.addAll(jdbc.queryForList("SELECT nextval('profiles_id_seq') FROM generate_series(1, ?)", Long.class, poolSize));
            }
            long id = pool.removeFirst();
            created.add(id);
            return id;
        }

        void union(long winner, long loser) {
            parent.put(loser, winner);
            Map<String, Set<String>> from = guardValues.remove(loser);
            if (from != null) {
                Map<String, Set<String>> to = guardValues.computeIfAbsent(winner, k -> new HashMap<>());
                from.forEach((t, vs) -> to.computeIfAbsent(t, k -> new TreeSet<>()).addAll(vs));
            }
        }

        boolean conflicts(Set<Long> roots, List<Identity> unknown, Set<String> guardedTypes) {
            if (guardedTypes.isEmpty()) {
                return false;
            }
            Map<String, Set<String>> all = new HashMap<>();
            for (long root : roots) {
                guardValues.getOrDefault(root, Map.of()).forEach((t, vs) -> all.computeIfAbsent(t, k -> new HashSet<>()).addAll(vs));
            }
            for (Identity id : unknown) {
                if (guardedTypes.contains(id.type())) {
                    all.computeIfAbsent(id.type(), k -> new HashSet<>()).add(id.value());
                }
            }
            return all.values().stream().anyMatch(vs -> vs.size() > 1);
        }

        boolean hasOther(long root, Identity id) {
            Set<String> vs = guardValues.getOrDefault(root, Map.of()).get(id.type());
            return vs != null && !vs.isEmpty() && !vs.contains(id.value());
        }

        void addGuardValue(long root, Identity id, Set<String> guardedTypes) {
            if (guardedTypes.contains(id.type())) {
                guardValues.computeIfAbsent(root, k -> new HashMap<>()).computeIfAbsent(id.type(), k -> new TreeSet<>()).add(id.value());
            }
        }
    }

    static int strength(Identity id) {
        int i = STRENGTH.indexOf(id.type());
        if (i >= 0) {
            return 100 - i;
        }
        return "anonymous_id".equals(id.type()) ? 0 : 50;
    }

    private void insertEvents(Iterable<Prepared> events, Map<String, Long> target, Resolution r, Set<Long> touched) {
        List<Prepared> list = new ArrayList<>();
        events.forEach(list::add);
        int n = list.size();
        String[] mid = new String[n];
        Long[] pid = new Long[n];
        String[] type = new String[n];
        String[] event = new String[n];
        String[] name = new String[n];
        String[] userId = new String[n];
        String[] anonymousId = new String[n];
        String[] groupId = new String[n];
        String[] previousId = new String[n];
        String[] ts = new String[n];
        String[] original = new String[n];
        String[] sentAt = new String[n];
        String[] receivedAt = new String[n];
        String[] source = new String[n];
        String[] traits = new String[n];
        String[] properties = new String[n];
        String[] context = new String[n];
        String[] identities = new String[n];
        for (int i = 0; i < n; i++) {
            Prepared p = list.get(i);
            Event e = p.event();
            mid[i] = p.messageId();
            Long t = target.get(p.messageId());
            pid[i] = t == null ? null : r.find(t);
            if (pid[i] != null) {
                touched.add(pid[i]);
            }
            type[i] = e.type();
            event[i] = e.event();
            name[i] = e.name();
            userId[i] = e.userId();
            anonymousId[i] = e.anonymousId();
            groupId[i] = e.groupId();
            previousId[i] = e.previousId();
            Columns c = p.columns();
            ts[i] = c.time();
            original[i] = c.originalTimestamp();
            sentAt[i] = c.sentAt();
            receivedAt[i] = c.receivedAt();
            source[i] = e.source();
            traits[i] = c.traits();
            properties[i] = c.properties();
            context[i] = c.context();
            identities[i] = c.identities();
        }
        jdbc.update("""
                INSERT INTO events (message_id, profile_id, type, event, name, user_id, anonymous_id, group_id, previous_id,
                                    timestamp, original_timestamp, sent_at, received_at, source, traits, properties, context, identities)
                SELECT m, p, t, e, n, u, a, g, pr, ts::timestamptz, o::timestamptz, s::timestamptz, rc::timestamptz, src,
                       tr::jsonb, pp::jsonb, c::jsonb, i::jsonb
                FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                     AS x(m, p, t, e, n, u, a, g, pr, ts, o, s, rc, src, tr, pp, c, i)
                ON CONFLICT (message_id) DO NOTHING
                """, mid, pid, type, event, name, userId, anonymousId, groupId, previousId, ts, original, sentAt, receivedAt,
                source, traits, properties, context, identities);
    }

    private record Setting(long profile, String key, String json, Instant at, String messageId) {
        boolean newerThan(Setting o) {
            int c = at.compareTo(o.at);
            return c != 0 ? c > 0 : messageId.compareTo(o.messageId) > 0;
        }
    }

    private void writeTraitsAndConsents(Iterable<Prepared> events, Map<String, Long> target, Resolution r, Set<Long> consented) {
        Map<String, Setting> traits = new LinkedHashMap<>();
        Map<String, Setting> consents = new LinkedHashMap<>();
        for (Prepared p : events) {
            Long t = target.get(p.messageId());
            if (t == null) {
                continue;
            }
            long profile = r.find(t);
            Event e = p.event();
            if ("identify".equals(e.type())) {
                for (Map.Entry<String, Object> trait : e.traits().entrySet()) {
                    if ("consents".equals(trait.getKey())) {
                        if (trait.getValue() instanceof Map<?, ?> channels) {
                            channels.forEach((channel, purposes) -> {
                                if (purposes instanceof Map<?, ?> ps) {
                                    ps.forEach((purpose, granted) -> consent(consents, profile, channel, purpose, granted, p));
                                }
                            });
                        }
                        continue;
                    }
                    keepNewest(traits, new Setting(profile, trait.getKey(), json(trait.getValue()), p.time(), p.messageId()));
                }
            } else if ("track".equals(e.type()) && CONSENT_EVENT.equals(e.event())) {
                Map<String, Object> props = e.properties();
                consent(consents, profile, props.get("channel"), props.get("purpose"), props.get("granted"), p);
            }
        }
        if (!traits.isEmpty()) {
            upsert("traits", "name", "value", "jsonb", traits.values());
        }
        if (!consents.isEmpty()) {
            int n = consents.size();
            Long[] pid = new Long[n];
            String[] channel = new String[n];
            String[] purpose = new String[n];
            Boolean[] granted = new Boolean[n];
            String[] at = new String[n];
            String[] mid = new String[n];
            int i = 0;
            for (Setting s : consents.values()) {
                consented.add(s.profile());
                int slash = s.key().indexOf('\u0000');
                pid[i] = s.profile();
                channel[i] = s.key().substring(0, slash);
                purpose[i] = s.key().substring(slash + 1);
                granted[i] = Boolean.valueOf(s.json());
                at[i] = FastInstant.format(s.at());
                mid[i] = s.messageId();
                i++;
            }
            jdbc.update("""
                    INSERT INTO consents (profile_id, channel, purpose, granted, set_at, message_id)
                    SELECT p, c, pu, g, a::timestamptz, m FROM unnest(?::bigint[], ?::text[], ?::text[], ?::boolean[], ?::text[], ?::text[])
                        AS x(p, c, pu, g, a, m)
                    ON CONFLICT (profile_id, channel, purpose) DO UPDATE
                        SET granted = excluded.granted, set_at = excluded.set_at, message_id = excluded.message_id
                        WHERE (excluded.set_at, excluded.message_id) > (consents.set_at, consents.message_id)
                    """, pid, channel, purpose, granted, at, mid);
        }
    }

    private static void consent(Map<String, Setting> consents, long profile, Object channel, Object purpose, Object granted, Prepared p) {
        if (channel instanceof String c && purpose instanceof String pu && granted instanceof Boolean g
                && !c.isBlank() && !pu.isBlank() && c.indexOf('\u0000') < 0) {
            keepNewest(consents, new Setting(profile, c + '\u0000' + pu, g.toString(), p.time(), p.messageId()));
        }
    }

    private static void keepNewest(Map<String, Setting> into, Setting s) {
        String k = s.profile() + "\u0001" + s.key();
        Setting old = into.get(k);
        if (old == null || s.newerThan(old)) {
            into.put(k, s);
        }
    }

    private void upsert(String table, String keyColumn, String valueColumn, String valueType, Iterable<Setting> rows) {
        List<Setting> list = new ArrayList<>();
        rows.forEach(list::add);
        int n = list.size();
        Long[] pid = new Long[n];
        String[] key = new String[n];
        String[] value = new String[n];
        String[] at = new String[n];
        String[] mid = new String[n];
        for (int i = 0; i < n; i++) {
            Setting s = list.get(i);
            pid[i] = s.profile();
            key[i] = s.key();
            value[i] = s.json();
            at[i] = FastInstant.format(s.at());
            mid[i] = s.messageId();
        }
        jdbc.update("INSERT INTO " + table + " (profile_id, " + keyColumn + ", " + valueColumn + ", set_at, message_id) "
                + "SELECT p, k, v::" + valueType + ", a::timestamptz, m FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[]) "
                + "AS x(p, k, v, a, m) ON CONFLICT (profile_id, " + keyColumn + ") DO UPDATE SET " + valueColumn + " = excluded." + valueColumn
                + ", set_at = excluded.set_at, message_id = excluded.message_id "
                + "WHERE (excluded.set_at, excluded.message_id) > (" + table + ".set_at, " + table + ".message_id)",
                pid, key, value, at, mid);
    }

    /**
     * Moves everything of {@code loser} to {@code winner} and records the merge with the loser's
     * identities, traits and consents and the winner's values the loser's replaced, so that
     * {@link ProfileAdmin#undoMerge} can put them back.
     */
    private void merge(long winner, long loser, String messageId) {
        Map<String, Object> before = new LinkedHashMap<>();
        Map<String, Object> loserState = new LinkedHashMap<>();
        loserState.put("createdAt", jdbc.queryForObject("SELECT created_at FROM profiles WHERE id = ?", Timestamp.class, loser).toInstant().toString());
        loserState.put("identityIds", jdbc.queryForList("SELECT id FROM identities WHERE profile_id = ? ORDER BY id", Long.class, loser));
        loserState.put("traits", jdbc.queryForList(TRAIT_ROWS + "WHERE profile_id = ?", loser));
        loserState.put("consents", jdbc.queryForList(CONSENT_ROWS + "WHERE profile_id = ?", loser));
        before.put("loser", loserState);
        Map<String, Object> winnerState = new LinkedHashMap<>();
        winnerState.put("traits", jdbc.queryForList(TRAIT_ROWS + "WHERE profile_id = ? AND name IN (SELECT name FROM traits WHERE profile_id = ?)",
                winner, loser));
        winnerState.put("consents", jdbc.queryForList(CONSENT_ROWS
                + "WHERE profile_id = ? AND (channel, purpose) IN (SELECT channel, purpose FROM consents WHERE profile_id = ?)", winner, loser));
        before.put("winner", winnerState);

        Long mergeId = jdbc.queryForObject("INSERT INTO merges (winner_id, loser_id, message_id, before) VALUES (?, ?, ?, ?::jsonb) RETURNING id",
                Long.class, winner, loser, messageId, json(before));
        jdbc.update("INSERT INTO merge_events (merge_id, event_id) SELECT ?, id FROM events WHERE profile_id = ?", mergeId, loser);
        jdbc.update("UPDATE identities SET profile_id = ? WHERE profile_id = ?", winner, loser);
        jdbc.update("UPDATE events SET profile_id = ? WHERE profile_id = ?", winner, loser);
        jdbc.update("UPDATE messages SET profile_id = ? WHERE profile_id = ?", winner, loser);
        // A person in a campaign twice over (both profiles had a journey) keeps the winner's journey.
        jdbc.update("DELETE FROM journeys l WHERE l.profile_id = ? AND EXISTS (SELECT 1 FROM journeys w WHERE w.profile_id = ? "
                + "AND w.campaign_id = l.campaign_id)", loser, winner);
        jdbc.update("UPDATE journeys SET profile_id = ?, entry_key = CASE WHEN entry_key = ? THEN ? ELSE entry_key END "
                + "WHERE profile_id = ?", winner, String.valueOf(loser), String.valueOf(winner), loser);
        jdbc.update("UPDATE journey_log SET profile_id = ? WHERE profile_id = ?", winner, loser);
        jdbc.update("""
                INSERT INTO traits (profile_id, name, value, set_at, message_id)
                SELECT ?, name, value, set_at, message_id FROM traits WHERE profile_id = ?
                ON CONFLICT (profile_id, name) DO UPDATE SET value = excluded.value, set_at = excluded.set_at, message_id = excluded.message_id
                WHERE (excluded.set_at, excluded.message_id) > (traits.set_at, traits.message_id)
                """, winner, loser);
        jdbc.update("DELETE FROM traits WHERE profile_id = ?", loser);
        jdbc.update("""
                INSERT INTO consents (profile_id, channel, purpose, granted, set_at, message_id)
                SELECT ?, channel, purpose, granted, set_at, message_id FROM consents WHERE profile_id = ?
                ON CONFLICT (profile_id, channel, purpose) DO UPDATE SET granted = excluded.granted, set_at = excluded.set_at,
                    message_id = excluded.message_id
                WHERE (excluded.set_at, excluded.message_id) > (consents.set_at, consents.message_id)
                """, winner, loser);
        jdbc.update("DELETE FROM consents WHERE profile_id = ?", loser);
        jdbc.update("DELETE FROM profiles WHERE id = ?", loser);
        log.info("Merged profile {} into {} (merge {}, event {})", loser, winner, mergeId, messageId);
    }

    static Instant eventTime(Event e) {
        if (e.timestamp() != null) {
            return e.timestamp();
        }
        if (e.originalTimestamp() != null) {
            return e.originalTimestamp();
        }
        return e.receivedAt() != null ? e.receivedAt() : Instant.now();
    }

    private static String str(Instant i) {
        return i == null ? null : FastInstant.format(i);
    }

    String json(Object o) {
        try {
            return mapper.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Set<Long> ordered(Iterable<Long> ids) {
        Set<Long> s = new LinkedHashSet<>();
        ids.forEach(s::add);
        return s;
    }
}
