package dev.laml.recordings.protocol;

import dev.laml.recordings.AudioFormat;
import dev.laml.recordings.ContentChangedException;
import dev.laml.recordings.protocol.RecordingsProtocol.Continuation;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.laml.recordings.TestData.ACCOUNT_SID;
import static dev.laml.recordings.TestData.BASIC_B64;
import static dev.laml.recordings.TestData.RECORDING_SID;
import static dev.laml.recordings.TestData.TOKEN;
import static dev.laml.recordings.TestData.credentials;
import static dev.laml.recordings.TestData.headers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("RecordingsProtocol: resuming a broken download")
class ResumeTest {

    private static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

    private final RecordingsProtocol protocol = RecordingsProtocol.builder(ApiEndpoint.forSpace("example"))
            .credentials(credentials()).sendCredentialsToMedia(true).build();
    private final ApiRequest media = protocol.media(ACCOUNT_SID, RECORDING_SID, AudioFormat.WAV);

    /** Headers from pairs whose value may be null (then the header is absent). */
    private static HeaderLookup optional(String... pairs) {
        List<String> present = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                present.add(pairs[i]);
                present.add(pairs[i + 1]);
            }
        }
        return headers(present.toArray(String[]::new));
    }

    @Nested
    @DisplayName("resumeValidator")
    class Validator {

        @ParameterizedTest(name = "[{index}] ETag {0}, Last-Modified {1} -> {2}")
        @CsvSource(delimiter = '|', value = {
                "'\"v1\"'              | 'Wed, 21 Oct 2015 07:28:00 GMT' | '\"v1\"'",
                "'\"v1\"'              |                                 | '\"v1\"'",
                "'  \"v1\"  '          |                                 | '\"v1\"'",
                "'W/\"v1\"'            | 'Wed, 21 Oct 2015 07:28:00 GMT' | 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "' W/\"v1\"'           | 'Wed, 21 Oct 2015 07:28:00 GMT' | 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "'W/\"v1\"'            |                                 |",
                "                      | 'Wed, 21 Oct 2015 07:28:00 GMT' | 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "                      | ' Wed, 21 Oct 2015 07:28:00 GMT '| 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "''                    | 'Wed, 21 Oct 2015 07:28:00 GMT' | 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "'   '                 | '   '                           |",
                "                      |                                 |",
        })
        void isAStrongEtagElseLastModifiedElseNone(String etag, String lastModified, String expected) {
            assertThat(protocol.resumeValidator(optional("ETag", etag, "Last-Modified", lastModified)))
                    .isEqualTo(expected);
        }

        @Test
        void headerNamesAreLookedUpCaseInsensitively() {
            assertThat(protocol.resumeValidator(headers("etag", "\"v1\""))).isEqualTo("\"v1\"");
            assertThat(protocol.resumeValidator(headers("last-modified", LAST_MODIFIED))).isEqualTo(LAST_MODIFIED);
        }
    }

    @Nested
    @DisplayName("resumeFrom")
    class ResumeFrom {

        @ParameterizedTest(name = "[{index}] from {0}, validator {1}")
        @CsvSource(delimiter = '|', value = {
                "1      | '\"v1\"'",
                "4096   | 'Wed, 21 Oct 2015 07:28:00 GMT'",
                "0      | '\"v1\"'",
                "9999999999 | '\"v1\"'",
        })
        void asksForTheRestConditionalOnTheValidator(long offset, String validator) {
            ApiRequest resumed = protocol.resumeFrom(media, offset, validator);

            assertThat(resumed.headers())
                    .containsEntry("Range", "bytes=" + offset + "-")
                    .containsEntry("If-Range", validator);
        }

        @Test
        void withoutAValidatorAsksUnconditionally() {
            assertThat(protocol.resumeFrom(media, 10, null).headers())
                    .containsEntry("Range", "bytes=10-").doesNotContainKey("If-Range");
        }

        @Test
        void keepsUriMethodKindAndEveryOtherHeader() {
            ApiRequest resumed = protocol.resumeFrom(media, 10, "\"v1\"");

            assertThat(resumed.uri()).isEqualTo(media.uri());
            assertThat(resumed.method()).isEqualTo(media.method());
            assertThat(resumed.kind()).isEqualTo(media.kind());
            assertThat(resumed.headers()).containsAllEntriesOf(media.headers()).hasSize(media.headers().size() + 2);
            assertThat(resumed.isAuthenticated()).isTrue();
            assertThat(media.headers()).doesNotContainKeys("Range", "If-Range");
        }

        @Test
        void replacesAnEarlierRangeAndValidator() {
            ApiRequest first = protocol.resumeFrom(media, 10, "\"v1\"");
            ApiRequest second = protocol.resumeFrom(first, 25, "\"v2\"");

            assertThat(second.headers()).containsEntry("Range", "bytes=25-").containsEntry("If-Range", "\"v2\"")
                    .hasSize(media.headers().size() + 2);
            assertThat(protocol.resumeFrom(first, 30, null).headers())
                    .containsEntry("Range", "bytes=30-").doesNotContainKey("If-Range");
            assertThat(first.headers()).containsEntry("Range", "bytes=10-");
        }
    }

    @Nested
    @DisplayName("continuation after a 206")
    class PartialContent {

        @ParameterizedTest(name = "[{index}] from {0} of {1}: {2} -> expect {3}")
        @CsvSource({
                "5,    10,  bytes 5-9/10,          5",
                "5,    10,  bytes 5-9/*,           5",
                "5,    -1,  bytes 5-9/10,          5",
                "5,    -1,  bytes 5-9/*,           5",
                "0,    10,  bytes 0-9/10,          10",
                "9,    10,  bytes 9-9/10,          1",
                "4096, 1000000, bytes 4096-999999/1000000, 995904",
                "5,    10,  BYTES 5-9/10,          5",
                "5,    10,  '  bytes 5-9/10  ',    5",
        })
        void continuesWhenItStartsExactlyAtTheOffsetAndAgreesOnTheTotal(long offset, long total,
                String contentRange, long expected) throws ContentChangedException {
            Continuation c = protocol.continuation(media, 206, headers("Content-Range", contentRange), offset, total,
                    "\"v1\"");
            assertThat(c).isEqualTo(new Continuation(0, expected));
        }

        @ParameterizedTest(name = "[{index}] from {0} of {1}: \"{2}\"")
        @CsvSource({
                "5,  10,  bytes 0-9/10",
                "5,  10,  bytes 4-9/10",
                "5,  10,  bytes 6-9/10",
                "5,  10,  bytes 5-11/12",
                "5,  10,  bytes 5-8/9",
                "5,  -1,  bytes 6-9/*",
                "5,  10,  bytes */10",
                "5,  10,  bytes 5-9",
                "5,  10,  garbage",
                "5,  10,  ''",
                "5,  10,  bytes 5-9/-10",
        })
        void isContentChangedOtherwise(long offset, long total, String contentRange) {
            assertThatThrownBy(() -> protocol.continuation(media, 206, headers("Content-Range", contentRange), offset,
                    total, "\"v1\""))
                    .isExactlyInstanceOf(ContentChangedException.class)
                    .hasMessageContaining(media.describe())
                    .hasMessageContaining("bytes " + offset + "-");
        }

        @Test
        void isContentChangedWhenThePartCarriesADifferentValidator() throws ContentChangedException {
            assertThatThrownBy(() -> protocol.continuation(media, 206,
                    headers("Content-Range", "bytes 5-9/10", "ETag", "\"v2\""), 5, 10, "\"v1\""))
                    .isExactlyInstanceOf(ContentChangedException.class)
                    .hasMessageContaining("different version");
            assertThat(protocol.continuation(media, 206,
                    headers("Content-Range", "bytes 5-9/10", "ETag", "\"v1\""), 5, 10, "\"v1\""))
                    .isEqualTo(new Continuation(0, 5));
        }

        @Test
        void isContentChangedWithoutAContentRange() {
            assertThatThrownBy(() -> protocol.continuation(media, 206, headers(), 5, 10, "\"v1\""))
                    .isExactlyInstanceOf(ContentChangedException.class)
                    .hasMessageContaining("instead of bytes 5-9/10");
        }
    }

    @Nested
    @DisplayName("continuation after a 200 (range ignored)")
    class WholeAgain {

        @ParameterizedTest(name = "[{index}] {0} vs ETag {1} / Last-Modified {2}, length {3} of {4}")
        @CsvSource(delimiter = '|', value = {
                "'\"v1\"'                        | '\"v1\"' |                                 | 10 | 10",
                "'\"v1\"'                        | '\"v1\"' |                                 |    | 10",
                "'\"v1\"'                        | '\"v1\"' |                                 | 10 | -1",
                "'\"v1\"'                        | '\"v1\"' | 'Thu, 01 Jan 2099 00:00:00 GMT' | 10 | 10",
                "'Wed, 21 Oct 2015 07:28:00 GMT' |          | 'Wed, 21 Oct 2015 07:28:00 GMT' | 10 | 10",
                "'Wed, 21 Oct 2015 07:28:00 GMT' | 'W/\"x\"' | 'Wed, 21 Oct 2015 07:28:00 GMT' | 10 | 10",
        })
        void skipsWhatWasDeliveredWhenTheValidatorMatchesAndLengthsAgree(String validator, String etag,
                String lastModified, String contentLength, long total) throws ContentChangedException {
            HeaderLookup h = optional("ETag", etag, "Last-Modified", lastModified, "Content-Length", contentLength);
            Continuation c = protocol.continuation(media, 200, h, 4, total, validator);
            assertThat(c).isEqualTo(new Continuation(4, contentLength == null ? -1 : Long.parseLong(contentLength)));
        }

        @ParameterizedTest(name = "[{index}] {0} vs ETag {1} / Last-Modified {2}, length {3} of {4}")
        @CsvSource(delimiter = '|', value = {
                "'\"v1\"'                        | '\"v2\"'  |                                 | 10 | 10",
                "'\"v1\"'                        | 'W/\"v1\"'|                                 | 10 | 10",
                "'\"v1\"'                        |           |                                 | 10 | 10",
                "'\"v1\"'                        |           | 'Wed, 21 Oct 2015 07:28:00 GMT' | 10 | 10",
                "'\"v1\"'                        | '\"v1\"'  |                                 | 12 | 10",
                "'\"v1\"'                        | '\"v1\"'  |                                 | 9  | 10",
                "'Wed, 21 Oct 2015 07:28:00 GMT' |           | 'Thu, 22 Oct 2015 07:28:00 GMT' | 10 | 10",
                "                                | '\"v1\"'  | 'Wed, 21 Oct 2015 07:28:00 GMT' | 10 | 10",
                "                                |           |                                 | 10 | 10",
        })
        void isContentChangedOtherwise(String validator, String etag, String lastModified, String contentLength,
                long total) {
            HeaderLookup h = optional("ETag", etag, "Last-Modified", lastModified, "Content-Length", contentLength);
            assertThatThrownBy(() -> protocol.continuation(media, 200, h, 4, total, validator))
                    .isExactlyInstanceOf(ContentChangedException.class)
                    .hasMessageContaining(media.describe())
                    .hasMessageContaining("after 4 bytes")
                    .hasMessageContaining(validator == null ? "gave no validator" : "different validator");
        }

        @Test
        void messagesNeverShowCredentials() {
            assertThatThrownBy(() -> protocol.continuation(media, 200, headers("ETag", "\"v2\""), 4, 10, "\"v1\""))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN, BASIC_B64, "Basic "));
        }
    }

    @Nested
    @DisplayName("the Content-Range parser")
    class ContentRangeParser {

        @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}-{2}/{3}")
        @CsvSource({
                "bytes 0-9/10,           0, 9, 10",
                "bytes 5-9/*,            5, 9, -1",
                "bytes 0-0/1,            0, 0, 1",
                "BYTES 5-9/10,           5, 9, 10",
                "'  bytes 5-9/10  ',     5, 9, 10",
                "bytes 0-9999999999/10000000000, 0, 9999999999, 10000000000",
        })
        void readsFirstLastAndTotal(String value, long first, long last, long total) {
            assertThat(ByteRanges.contentRange(value)).containsExactly(first, last, total);
        }

        @ParameterizedTest(name = "[{index}] \"{0}\"")
        @NullSource
        @ValueSource(strings = {"", "bytes", "bytes ", "bytes */10", "bytes 9-5/10", "bytes 0-10/10", "bytes 0-9",
                "items 0-9/10", "bytes=0-9/10", "bytes0-9/10", "0-9/10", "bytes a-9/10", "bytes 0-b/10", "bytes 0-9/x",
                "bytes -1-9/10", "bytes -9/10", "bytes 0-/10", "bytes 0-9/", "bytes 0-9/10/11", "bytes 0-9/-5",
                "bytes 0-9/-1", "bytes +0-9/10", "bytes 0-+9/10", "bytes 0-9/+10", "bytes 0x0-9/10",
                "bytes 0-99999999999999999999/*", "bytes 0/9-10"})
        void refusesMalformedForms(String value) {
            assertThat(ByteRanges.contentRange(value)).isNull();
        }
    }
}
