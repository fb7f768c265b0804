package io.atrium.server.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Who changed what, kept in PostgreSQL. Never holds secrets or personal data. */
@Service
public class AuditLog {

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;

    public AuditLog(JdbcTemplate jdbc, ObjectMapper mapper) {
        this.jdbc = jdbc;
        this.mapper = mapper;
    }

    public record Entry(long id, Instant at, String actor, String action, String target, Map<String, Object> detail) {
    }

    public void record(String actor, String action, String target, Map<String, ?> detail) {
        String json;
        try {
            json = mapper.writeValueAsString(detail == null ? Map.of() : detail);
        } catch (JsonProcessingException e) {
            json = "{}";
        }
        jdbc.update("INSERT INTO audit_log (actor, action, target, detail) VALUES (?, ?, ?, ?::jsonb)", actor, action, target, json);
    }

    @SuppressWarnings("unchecked")
    public List<Entry> recent(int limit) {
        return jdbc.query("SELECT id, at, actor, action, target, detail::text FROM audit_log ORDER BY id DESC LIMIT ?",
                (rs, i) -> {
                    Map<String, Object> detail;
                    try {
                        detail = mapper.readValue(rs.getString(6), Map.class);
                    } catch (JsonProcessingException e) {
                        detail = Map.of();
                    }
                    Timestamp at = rs.getTimestamp(2);
                    return new Entry(rs.getLong(1), at.toInstant(), rs.getString(3), rs.getString(4), rs.getString(5), detail);
                }, limit);
    }
}
