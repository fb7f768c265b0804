package io.atrium.plugins.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored position round-trips exactly (microseconds, offsets, big numbers) and is replaced whole. */
class WatermarkStoreTest {

    @TempDir
    Path dir;

    @Test
    void everyKindComesBackExactly() throws Exception {
        WatermarkStore store = new WatermarkStore(dir);
        assertThat(store.load(ZoneOffset.UTC)).isNull();
        Object[][] cases = {
                {SqlValue.LOCAL_DATE_TIME, LocalDateTime.parse("2026-03-01T10:00:00.123456")},
                {SqlValue.LOCAL_DATE_TIME, LocalDateTime.parse("2026-03-01T10:00")},
                {SqlValue.OFFSET_DATE_TIME, OffsetDateTime.parse("2026-03-01T10:00:00.000001+02:00")},
                {SqlValue.LOCAL_DATE, LocalDate.parse("2026-03-01")},
                {SqlValue.LONG, 9_007_199_254_740_993L},
                {SqlValue.DECIMAL, new BigDecimal("12345678901234567890.000100")},
                {SqlValue.STRING, " A-0001 "},
        };
        for (Object[] c : cases) {
            SqlValue kind = (SqlValue) c[0];
            store.save(new WatermarkStore.Mark("updated_at", kind, c[1], "id", SqlValue.LONG, 42L));
            WatermarkStore.Mark back = store.load(ZoneOffset.UTC);
            assertThat(back.value()).as(kind.name()).isEqualTo(c[1]);
            assertThat(back.kind()).isEqualTo(kind);
            assertThat(back.key()).isEqualTo(42L);
            assertThat(back.keyColumn()).isEqualTo("id");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("jdbc-watermark.json");
        }
    }

    @Test
    void aMarkWithoutAKeyHasNone() throws Exception {
        WatermarkStore store = new WatermarkStore(dir);
        store.save(new WatermarkStore.Mark("id", SqlValue.LONG, 7L, null, null, null));
        WatermarkStore.Mark back = store.load(ZoneOffset.UTC);
        assertThat(back.value()).isEqualTo(7L);
        assertThat(back.key()).isNull();
        assertThat(back.describe()).isEqualTo("id=7");
    }

    @Test
    void theStartValueIsReadAsTheColumnHoldsIt() {
        assertThat(SqlValue.LOCAL_DATE_TIME.parse("2026-01-01", ZoneOffset.UTC)).isEqualTo(LocalDateTime.parse("2026-01-01T00:00"));
        assertThat(SqlValue.LOCAL_DATE_TIME.parse("2026-01-01 08:30:00", ZoneOffset.UTC))
                .isEqualTo(LocalDateTime.parse("2026-01-01T08:30"));
        assertThat(SqlValue.OFFSET_DATE_TIME.parse("2026-01-01 08:30:00", ZoneOffset.ofHours(2)))
                .isEqualTo(OffsetDateTime.parse("2026-01-01T08:30+02:00"));
        assertThat(SqlValue.LONG.parse(" 0 ", ZoneOffset.UTC)).isEqualTo(0L);
        assertThatThrownBy(() -> SqlValue.LONG.parse("yesterday", ZoneOffset.UTC)).hasMessage("'yesterday' is not an integer");
    }
}
