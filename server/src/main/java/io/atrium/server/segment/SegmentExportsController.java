package io.atrium.server.segment;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.atrium.server.api.ApiException;
import io.atrium.server.audit.AuditLog;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/segments/{id}/exports}: start a CSV export of a segment's members, watch its
 * progress, download the file when it is done.
 */
@RestController
@RequestMapping("/api/v1/segments/{id}/exports")
public class SegmentExportsController {

    private final SegmentStore store;
    private final SegmentExports exports;
    private final AuditLog audit;

    public SegmentExportsController(SegmentStore store, SegmentExports exports, AuditLog audit) {
        this.store = store;
        this.exports = exports;
        this.audit = audit;
    }

    /** 202 with the new job {@code {id, segmentId, state, rows, total, startedAt, finishedAt, error}}. */
    @PostMapping
    public ResponseEntity<SegmentExports.Job> start(@PathVariable("id") String id, Principal who) {
        SegmentStore.Segment segment = segment(id);
        SegmentExports.Job job = exports.start(segment);
        audit.record(who.getName(), "segment.export", "segment/" + segment.id(), Map.of("name", segment.name(), "job", job.id()));
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .location(URI.create("/api/v1/segments/" + segment.id() + "/exports/" + job.id())).body(job);
    }

    /** The segment's export jobs, newest first. */
    @GetMapping
    public List<SegmentExports.Job> list(@PathVariable("id") String id) {
        return exports.list(segment(id).id());
    }

    @GetMapping("/{jobId}")
    public SegmentExports.Job job(@PathVariable("id") String id, @PathVariable("jobId") String jobId) {
        return job(segment(id).id(), number("jobId", jobId));
    }

    /** The CSV once the job is done; 409 while it runs or when it failed. */
    @GetMapping("/{jobId}/file")
    public void file(@PathVariable("id") String id, @PathVariable("jobId") String jobId, HttpServletResponse response) throws IOException {
        SegmentExports.Job job = job(segment(id).id(), number("jobId", jobId));
        Path file = exports.file(job);
        response.setStatus(200);
        response.setContentType("text/csv;charset=UTF-8");
        response.setHeader("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"");
        exports.copy(file, response.getOutputStream());
    }

    private SegmentExports.Job job(long segmentId, long jobId) {
        return exports.get(segmentId, jobId).orElseThrow(() ->
                ApiException.notFound("no export " + jobId + " of segment " + segmentId));
    }

    private SegmentStore.Segment segment(String id) {
        long segmentId = number("id", id);
        return store.get(segmentId).orElseThrow(() -> ApiException.notFound("no segment with id " + segmentId));
    }

    static long number(String field, String text) {
        try {
            long v = Long.parseLong(text.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", field,
                "message", "must be a positive whole number, not '" + text + "'"));
    }
}
