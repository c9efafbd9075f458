package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.ListQuery;
import dev.laml.recordings.testkit.internal.TranscriptionJson;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The transcription resources under {@code /api/laml/2010-04-01/Accounts/{AccountSid}}: the account's list
 * {@code /Transcriptions.json} (date filters and paging as for recordings), a recording's list
 * {@code /Recordings/{RecordingSid}/Transcriptions.json}, and {@code GET}/{@code DELETE /Transcriptions/{Sid}.json}.
 * Authorization is checked by the caller, before this runs. Stateless; called concurrently from every event loop.
 *
 * <p>Page tokens are {@code PA<sid>}: the page after that transcription, resolved by its position in the order
 * (newest {@code date_created} first, ties by sid), so paging neither skips nor repeats when others are added.
 */
final class TranscriptionsEndpoint {

    private static final String ACCOUNT_LIST = "/Transcriptions";
    private static final String ONE = "/Transcriptions/";
    private static final String RECORDINGS = "/Recordings/";
    private static final Comparator<TestTranscription> ORDER = Comparator
            .comparingLong((TestTranscription t) -> -t.dateCreated().toEpochSecond())
            .thenComparing(t -> t.sid().toLowerCase(Locale.ROOT));

    private TranscriptionsEndpoint() {
    }

    /** What the path names; null when it is no transcription resource. */
    record Target(String accountSid, String recordingSid, String transcriptionSid) {
        boolean isList() {
            return transcriptionSid == null;
        }
    }

    static Target parse(String path) {
        int accountEnd = ApiJson.accountEnd(path);
        if (accountEnd < 0) {
            return null;
        }
        int accountStart = ApiJson.API_PREFIX.length();
        String account = path.substring(accountStart, accountEnd);
        String rest = stripJson(path.substring(accountEnd));
        if (rest.equals(ACCOUNT_LIST)) {
            return new Target(account, null, null);
        }
        if (rest.startsWith(ONE)) {
            String sid = rest.substring(ONE.length());
            return sid.isEmpty() || sid.indexOf('/') >= 0 ? null : new Target(account, null, sid);
        }
        if (rest.startsWith(RECORDINGS) && rest.endsWith(ACCOUNT_LIST)) {
            String recording = rest.substring(RECORDINGS.length(), rest.length() - ACCOUNT_LIST.length());
            return recording.isEmpty() || recording.indexOf('/') >= 0 ? null : new Target(account, recording, null);
        }
        return null;
    }

    private static String stripJson(String s) {
        return s.endsWith(".json") ? s.substring(0, s.length() - 5) : s;
    }

    /** The answer: status and JSON body (empty for 204). */
    record Result(int status, String body) {
    }

    static Result get(RecordingsServer server, Target target, String rawQuery) {
        Instant now = server.now();
        if (!target.isList()) {
            TestTranscription t = lookup(server, target, now);
            return t == null ? new Result(404, ApiJson.NOT_FOUND) : new Result(200, t.json());
        }
        if (target.recordingSid() != null) {
            TestRecording recording = server.find(target.recordingSid());
            if (recording == null || !recording.accountSid().equalsIgnoreCase(target.accountSid())) {
                return new Result(404, ApiJson.NOT_FOUND);
            }
        }
        ListQuery query = ListQuery.parse(rawQuery);
        if (query.error() != null) {
            return new Result(400, query.error());
        }
        List<TestTranscription> matching = new ArrayList<>();
        for (TestTranscription t : server.transcriptions()) {
            if (t.isAvailable(now) && t.accountSid().equalsIgnoreCase(target.accountSid())
                    && (target.recordingSid() == null || t.recordingSid().equalsIgnoreCase(target.recordingSid()))
                    && query.matchesCreated(t.dateCreated().toEpochSecond())) {
                matching.add(t);
            }
        }
        matching.sort(ORDER);
        int size = matching.size();
        int pageSize = query.pageSize();
        int start;
        String token = query.pageToken();
        if (token == null) {
            long offset = query.page() > Integer.MAX_VALUE / pageSize ? Long.MAX_VALUE : query.page() * pageSize;
            start = (int) Math.min(offset, size);
        } else {
            int at = -1;
            for (int i = 0; i < size; i++) {
                if (matching.get(i).sid().equalsIgnoreCase(token.substring(2))) {
                    at = i;
                }
            }
            if (at < 0 || !token.startsWith("PA")) {
                return new Result(400, ApiJson.error(20001, "Invalid parameter: PageToken: " + token, 400));
            }
            start = at + 1;
        }
        int end = Math.min(start + pageSize, size);
        String path = ApiJson.API_PREFIX + target.accountSid()
                + (target.recordingSid() == null ? "" : RECORDINGS + target.recordingSid()) + ACCOUNT_LIST;
        List<String> json = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            json.add(matching.get(i).json());
        }
        String next = end < size ? query.uri(path, query.page() + 1, "PA" + matching.get(end - 1).sid()) : null;
        String previous = query.page() > 0 ? query.uri(path, query.page() - 1, null) : null;
        return new Result(200, TranscriptionJson.page(query.uri(path, query.page(), token), query.uri(path, 0, null),
                next, previous, query.page(), pageSize, json));
    }

    static Result delete(RecordingsServer server, Target target) {
        if (target.isList()) {
            return new Result(405, ApiJson.error(20004, "Method not allowed", 405));
        }
        TestTranscription t = lookup(server, target, server.now());
        return t != null && server.removeTranscription(t.sid()) ? new Result(204, "")
                : new Result(404, ApiJson.NOT_FOUND);
    }

    private static TestTranscription lookup(RecordingsServer server, Target target, Instant now) {
        TestTranscription t = server.transcription(target.transcriptionSid());
        return t != null && t.isAvailable(now) && t.accountSid().equalsIgnoreCase(target.accountSid()) ? t : null;
    }
}
