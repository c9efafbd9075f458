package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.ListQuery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The list endpoint: filters, orders and pages an account's recordings into the API's envelope. Stateless; called
 * concurrently from every event loop, each call working on its own snapshot of the server's recordings.
 *
 * <p>Page tokens are {@code PA<sid>} (the page after that recording) and {@code PB<sid>} (the page before it),
 * resolved to the recording's position in the order rather than to an index, so that paging neither skips nor repeats
 * recordings when others are added or deleted between pages (the server remembers where deleted recordings were).
 */
final class RecordingsList {

    /** The API's order: newest {@code date_created} first (to the second, as rendered), ties by sid. */
    private static final Comparator<Entry> ORDER = Comparator.<Entry>comparingLong(e -> -e.created)
            .thenComparing(e -> e.sidKey);

    private RecordingsList() {
    }

    /** The status code and JSON body for {@code GET .../Accounts/{accountSid}/Recordings[.json]?{rawQuery}}. */
    static Result list(RecordingsServer server, String accountSid, String rawQuery) {
        ListQuery query = ListQuery.parse(rawQuery);
        if (query.error() != null) {
            return new Result(400, query.error());
        }
        Instant now = server.now();
        List<Entry> matching = new ArrayList<>();
        for (TestRecording r : server.recordings()) {
            if (r.accountSid().equalsIgnoreCase(accountSid) && query.matches(r.metadata())) {
                matching.add(new Entry(r.metadata().dateCreated().toEpochSecond(), key(r.sid()), r));
            }
        }
        matching.sort(ORDER);

        int size = matching.size();
        int pageSize = query.pageSize();
        int start;
        int end;
        String token = query.pageToken();
        if (token == null) {
            long offset = query.page() > Integer.MAX_VALUE / pageSize ? Long.MAX_VALUE : query.page() * pageSize;
            start = (int) Math.min(offset, size);
            end = Math.min(start + pageSize, size);
        } else {
            String sid = token.substring(2);
            Long created = server.createdSecond(sid);
            if (created == null) {
                return new Result(400, ApiJson.error(20001, "Invalid parameter: PageToken: " + token, 400));
            }
            int cursor = insertionPoint(matching, new Entry(created, key(sid), null));
            if (token.startsWith("PA")) {
                // Everything strictly after the cursor; the cursor itself, when still present, is on the page before.
                start = cursor < size && matching.get(cursor).sidKey.equals(key(sid)) ? cursor + 1 : cursor;
                end = Math.min(start + pageSize, size);
            } else {
                end = cursor;
                start = Math.max(0, end - pageSize);
            }
        }

        String path = ApiJson.API_PREFIX + accountSid + "/Recordings";
        List<String> json = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            json.add(matching.get(i).recording.json(now));
        }
        String next = end < size
                ? query.uri(path, query.page() + 1, "PA" + matching.get(end - 1).recording.sid()) : null;
        String previous;
        if (start == 0) {
            previous = null;
        } else if (start < end) {
            previous = query.uri(path, Math.max(0, query.page() - 1), "PB" + matching.get(start).recording.sid());
        } else {
            previous = query.page() > 0 ? query.uri(path, query.page() - 1, null) : null;
        }
        String body = ApiJson.page(query.uri(path, query.page(), token), query.uri(path, 0, null), next, previous,
                query.page(), pageSize, json);
        return new Result(200, body);
    }

    /** The index of the first entry not before {@code probe} in the order. */
    private static int insertionPoint(List<Entry> sorted, Entry probe) {
        int low = 0;
        int high = sorted.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (ORDER.compare(sorted.get(mid), probe) < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private static String key(String sid) {
        return sid.toLowerCase(Locale.ROOT);
    }

    record Result(int status, String body) {
    }

    private record Entry(long created, String sidKey, TestRecording recording) {
    }
}
