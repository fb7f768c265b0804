package io.atrium.server.profile;

import java.security.Principal;
import java.util.Map;

import io.atrium.server.api.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/profiles}: look up a person by any identity, page their events, export, erase, undo a merge. */
@RestController
@RequestMapping("/api/v1/profiles")
public class ProfileController {

    private final ProfileAdmin profiles;

    public ProfileController(ProfileAdmin profiles) {
        this.profiles = profiles;
    }

    @GetMapping("/{idType}/{idValue}")
    public ProfileAdmin.ProfileView profile(@PathVariable String idType, @PathVariable String idValue) {
        return profiles.view(profiles.resolve(idType, idValue));
    }

    @GetMapping("/{idType}/{idValue}/events")
    public ProfileAdmin.EventPage events(@PathVariable String idType, @PathVariable String idValue,
                                         @RequestParam(name = "page", defaultValue = "0") String page,
                                         @RequestParam(name = "size", defaultValue = "50") String size) {
        int p = number("page", page, 0, Integer.MAX_VALUE / ProfileAdmin.MAX_PAGE_SIZE);
        int s = number("size", size, 1, ProfileAdmin.MAX_PAGE_SIZE);
        return profiles.page(profiles.resolve(idType, idValue), p, s);
    }

    @GetMapping("/{idType}/{idValue}/export")
    public Map<String, Object> export(@PathVariable String idType, @PathVariable String idValue) {
        return profiles.export(profiles.resolve(idType, idValue));
    }

    @DeleteMapping("/{idType}/{idValue}")
    public ResponseEntity<Void> erase(@PathVariable String idType, @PathVariable String idValue, Principal who) {
        profiles.erase(idType, idValue, who.getName());
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/merges/{mergeId}/undo")
    public Map<String, Object> undo(@PathVariable String mergeId, Principal who) {
        long id;
        try {
            id = Long.parseLong(mergeId);
        } catch (NumberFormatException e) {
            throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", "mergeId", "message", "must be a merge id (a number)"));
        }
        return profiles.undoMerge(id, who.getName());
    }

    private static int number(String field, String text, int min, int max) {
        try {
            int v = Integer.parseInt(text.trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new ApiException(HttpStatus.BAD_REQUEST, "bad_request", Map.of("field", field,
                "message", "must be a whole number from " + min + " to " + max));
    }
}
