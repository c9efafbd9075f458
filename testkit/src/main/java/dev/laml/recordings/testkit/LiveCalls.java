package dev.laml.recordings.testkit;

import dev.laml.recordings.testkit.internal.ApiJson;
import dev.laml.recordings.testkit.internal.ListQuery;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live calls and conferences of a {@link RecordingsServer}, their recordings, and the API that controls them,
 * under {@code /api/laml/2010-04-01/Accounts/{AccountSid}/}:
 * <ul>
 *   <li>{@code POST Calls/{CallSid}/Recordings[.json]} starts a call's recording;</li>
 *   <li>{@code POST Calls/{CallSid}/Recordings/{Sid}[.json]} pauses, resumes or stops it;</li>
 *   <li>{@code GET Conferences/{ConferenceSid}/Recordings[.json]} lists a conference's recordings;</li>
 *   <li>{@code GET}, {@code POST} (as for a call) and {@code DELETE} {@code Conferences/{ConferenceSid}/Recordings/{Sid}[.json]}.</li>
 * </ul>
 * Checks run in the API's order: the method (405), the credentials (401, as for metadata), the path's account, call,
 * conference and recording (404), the form's values (422), then the state (400: a call that ended, a recording that
 * is stopped). Error codes are those of SignalWire's error code reference: 20404 not found, 21220 a recording on a call
 * that is not in progress, 10000 an invalid argument or an update of a finished recording, 13621 an invalid callback
 * event, 13699 an invalid trim value, 21209 a method other than GET or POST, 21402 an invalid URL. A conference
 * recording's 422 has the body {@code {"errors": ["..."]}}, as the API documents for that endpoint.
 *
 * <p>Thread-safe: called from every event loop and from test threads.
 */
final class LiveCalls {

    private static final String CALLS = "/Calls/";
    private static final String CONFERENCES = "/Conferences/";
    private static final String RECORDINGS = "/Recordings";
    private static final Set<String> EVENTS = Set.of("in-progress", "completed", "absent");
    /** The API's list order: newest first, to the second as rendered, ties by sid. */
    private static final Comparator<LiveRecording> NEWEST_FIRST = Comparator
            .comparingLong((LiveRecording r) -> -r.started().getEpochSecond())
            .thenComparing(r -> r.sid().toLowerCase(Locale.ROOT));

    private final RecordingsServer server;
    private final ConcurrentHashMap<String, Party> parties = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LiveRecording> recordings = new ConcurrentHashMap<>();

    LiveCalls(RecordingsServer server) {
        this.server = server;
    }

    /** A call or a conference: what recordings belong to. */
    private static final class Party {
        final String sid;
        final String accountSid;
        final boolean conference;
        final List<LiveRecording> recordings = new CopyOnWriteArrayList<>();
        volatile boolean ended;

        Party(String sid, String accountSid, boolean conference) {
            this.sid = sid;
            this.accountSid = accountSid;
            this.conference = conference;
        }
    }

    /** An answer: status, JSON body (null for none) and, for a 405, the methods allowed. */
    record Answer(int status, String body, String allow) {
    }

    // --------------------------------------------------------------------------------------------- test API

    String start(String accountSid, boolean conference) {
        String sid = UUID.randomUUID().toString();
        parties.put(key(sid), new Party(sid, accountSid, conference));
        return sid;
    }

    /** Ends a call or conference: its live recordings stop as by {@code Status=stopped}. */
    void end(String sid, boolean conference) {
        Party party = party(sid, conference);
        party.ended = true;
        Instant now = server.now();
        for (LiveRecording recording : party.recordings) {
            try {
                recording.stop(now);
            } catch (LiveRecording.Finished alreadyStopped) {
                // stopped through the API before the call ended: nothing left to do
            }
        }
    }

    String record(String conferenceSid, URI callback, Set<String> events) {
        Party party = party(conferenceSid, true);
        if (party.ended) {
            throw new IllegalStateException("conference " + conferenceSid + " has ended");
        }
        return begin(party, 1, false, callback, false, events, "Conference").sid();
    }

    private Party party(String sid, boolean conference) {
        Party party = parties.get(key(sid));
        if (party == null || party.conference != conference) {
            throw new IllegalArgumentException("no " + (conference ? "conference" : "call") + " with sid " + sid);
        }
        return party;
    }

    private LiveRecording begin(Party party, int channels, boolean trim, URI callback, boolean get,
                                Set<String> events, String source) {
        String sid = UUID.randomUUID().toString();
        LiveRecording recording = new LiveRecording(server, sid, party.accountSid,
                party.conference ? null : party.sid, party.conference ? party.sid : null, channels, trim, callback,
                get, events, source, server.now());
        recordings.put(key(sid), recording);
        party.recordings.add(recording);
        recording.announceStart();
        return recording;
    }

    // ------------------------------------------------------------------------------------------------- HTTP

    /**
     * Whether {@link #answer} may have an answer for {@code path}: a cheap test without allocation, so that media
     * requests (which benchmarks send by the million) skip reading headers and forms for the live API.
     */
    boolean mayAnswer(String path) {
        if (!path.startsWith(ApiJson.API_PREFIX)) {
            return false;
        }
        int accountEnd = path.indexOf('/', ApiJson.API_PREFIX.length());
        if (accountEnd < 0) {
            return false;
        }
        if (path.startsWith(RECORDINGS + "/", accountEnd)) {
            return !recordings.isEmpty() && path.endsWith(".json"); // a recording still being made, maybe
        }
        return path.startsWith(CALLS, accountEnd) || path.startsWith(CONFERENCES, accountEnd);
    }

    /**
     * The answer for a live call or conference path, or null when {@code path} is none of them (the server's other
     * endpoints then answer).
     */
    Answer answer(String method, String path, String rawQuery, String authorization, Map<String, List<String>> form) {
        int accountEnd = ApiJson.accountEnd(path);
        if (accountEnd < 0) {
            return null;
        }
        int accountStart = ApiJson.API_PREFIX.length();
        if (path.startsWith(RECORDINGS + "/", accountEnd)) {
            return recordingInProgress(method, path.substring(accountStart, accountEnd),
                    path.substring(accountEnd + RECORDINGS.length() + 1), authorization);
        }
        boolean conference;
        int partyStart;
        if (path.startsWith(CALLS, accountEnd)) {
            conference = false;
            partyStart = accountEnd + CALLS.length();
        } else if (path.startsWith(CONFERENCES, accountEnd)) {
            conference = true;
            partyStart = accountEnd + CONFERENCES.length();
        } else {
            return null;
        }
        int partyEnd = path.indexOf('/', partyStart);
        if (partyEnd <= partyStart || !path.startsWith(RECORDINGS, partyEnd)) {
            return null;
        }
        String rest = path.substring(partyEnd + RECORDINGS.length());
        String recordingSid;
        if (rest.isEmpty() || rest.equals(".json")) {
            recordingSid = null;
        } else if (rest.startsWith("/") && rest.indexOf('/', 1) < 0 && rest.length() > 1) {
            recordingSid = rest.endsWith(".json") ? rest.substring(1, rest.length() - 5) : rest.substring(1);
            if (recordingSid.isEmpty()) {
                return null;
            }
        } else {
            return null;
        }
        String accountSid = path.substring(accountStart, accountEnd);
        String partySid = path.substring(partyStart, partyEnd);

        String allow = recordingSid == null ? (conference ? "GET, HEAD" : "POST")
                : (conference ? "GET, HEAD, POST, DELETE" : "POST");
        if (!List.of(allow.split(", ")).contains(method)) {
            return new Answer(405, ApiJson.error(20004, "Method not allowed", 405), allow);
        }
        // Credentials before existence, as on the real API: a 404 would confirm a sid to a stranger.
        if (!server.authorizes(authorization)) {
            return new Answer(401, ApiJson.AUTHENTICATION_FAILED, null);
        }
        Party party = parties.get(key(partySid));
        if (party == null || party.conference != conference || !party.accountSid.equalsIgnoreCase(accountSid)) {
            return notFound();
        }
        if (recordingSid == null) {
            return conference ? list(party, accountSid, rawQuery) : create(party, form);
        }
        LiveRecording recording = recordings.get(key(recordingSid));
        if (recording == null || !party.recordings.contains(recording) || deleted(recording)) {
            return notFound();
        }
        return switch (method) {
            case "POST" -> update(party, recording, form);
            case "DELETE" -> delete(recording);
            default -> new Answer(200, recording.json(server.now(), false), null);
        };
    }

    /**
     * {@code /Recordings/{Sid}.json} of a recording still being made, which the server's recordings do not hold
     * yet: its JSON (in progress or paused, as SignalWire shows one), and a DELETE refused until it stops. Null for
     * anything else, which the server's own endpoints answer (its media are a 404 until it stops).
     */
    private Answer recordingInProgress(String method, String accountSid, String name, String authorization) {
        if (!name.endsWith(".json") || name.indexOf('/') >= 0
                || !(method.equals("GET") || method.equals("HEAD") || method.equals("DELETE"))) {
            return null;
        }
        LiveRecording recording = recordings.get(key(name.substring(0, name.length() - 5)));
        if (recording == null || recording.result() != null || !recording.accountSid().equalsIgnoreCase(accountSid)) {
            return null;
        }
        if (!server.authorizes(authorization)) {
            return new Answer(401, ApiJson.AUTHENTICATION_FAILED, null);
        }
        return method.equals("DELETE") ? delete(recording) : new Answer(200, recording.json(server.now(), false), null);
    }

    private Answer create(Party party, Map<String, List<String>> form) {
        String channels = field(form, "RecordingChannels", "mono");
        if (!channels.equals("mono") && !channels.equals("dual")) {
            return invalid(party, 10000, "RecordingChannels must be mono or dual, not '" + channels + "'");
        }
        String callbackText = field(form, "RecordingStatusCallback", "");
        URI callback = null;
        if (!callbackText.isEmpty()) {
            callback = httpUrl(callbackText);
            if (callback == null) {
                return invalid(party, 21402, "RecordingStatusCallback is not a valid URL: '" + callbackText + "'");
            }
        }
        String eventsText = field(form, "RecordingStatusCallbackEvent", "completed");
        Set<String> events = new LinkedHashSet<>();
        for (String event : eventsText.trim().split("\\s+")) {
            if (!EVENTS.contains(event)) {
                return invalid(party, 13621, "RecordingStatusCallbackEvent: '" + event + "' is not a valid recording "
                        + "callback event: use in-progress, completed or absent, separated by spaces");
            }
            events.add(event);
        }
        String method = field(form, "RecordingStatusCallbackMethod", "POST");
        if (!method.equals("GET") && !method.equals("POST")) {
            return invalid(party, 21209, "RecordingStatusCallbackMethod must be GET or POST, not '" + method + "'");
        }
        String track = field(form, "RecordingTrack", "both");
        if (!track.equals("inbound") && !track.equals("outbound") && !track.equals("both")) {
            return invalid(party, 10000, "RecordingTrack must be inbound, outbound or both, not '" + track + "'");
        }
        String trim = field(form, "Trim", "do-not-trim");
        if (!trim.equals("trim-silence") && !trim.equals("do-not-trim")) {
            return invalid(party, 13699, "Trim must be trim-silence or do-not-trim, not '" + trim + "'");
        }
        if (party.ended) {
            return new Answer(400, ApiJson.error(21220,
                    "A recording cannot be started for a call that is not in-progress", 400), null);
        }
        LiveRecording recording = begin(party, channels.equals("dual") ? 2 : 1, trim.equals("trim-silence"),
                callback, method.equals("GET"), events, "StartCallRecordingAPI");
        // 200, not 201: the API reference documents the recording as the create's answer without another status.
        return new Answer(200, recording.json(server.now(), false), null);
    }

    private Answer update(Party party, LiveRecording recording, Map<String, List<String>> form) {
        String status = field(form, "Status", null);
        if (status == null || status.isEmpty()) {
            return invalid(party, 10000, "Status is required: paused, in-progress or stopped");
        }
        if (!status.equals("paused") && !status.equals("in-progress") && !status.equals("stopped")) {
            return invalid(party, 10000, "Status must be paused, in-progress or stopped, not '" + status + "'");
        }
        String behavior = field(form, "PauseBehavior", "silence");
        if (!behavior.equals("skip") && !behavior.equals("silence")) {
            return invalid(party, 10000, "PauseBehavior must be skip or silence, not '" + behavior + "'");
        }
        Instant now = server.now();
        try {
            switch (status) {
                case "paused" -> recording.pause(behavior.equals("silence"), now);
                case "in-progress" -> recording.resume(now);
                default -> {
                    recording.stop(now);
                    return new Answer(200, recording.json(now, true), null);
                }
            }
        } catch (LiveRecording.Finished finished) {
            return new Answer(400, ApiJson.error(10000, "The recording " + recording.sid()
                    + " is stopped: it can no longer be paused, resumed or stopped", 400), null);
        }
        return new Answer(200, recording.json(now, false), null);
    }

    private Answer delete(LiveRecording recording) {
        TestRecording result = recording.result();
        if (result == null) {
            return new Answer(400, ApiJson.error(20009, "The recording " + recording.sid()
                    + " is still in progress: stop it before deleting it", 400), null);
        }
        return server.remove(result) ? new Answer(204, null, null) : notFound();
    }

    private Answer list(Party party, String accountSid, String rawQuery) {
        ListQuery query = ListQuery.parse(rawQuery);
        if (query.error() != null) {
            return new Answer(400, query.error(), null);
        }
        Instant now = server.now();
        List<LiveRecording> matching = new ArrayList<>();
        for (LiveRecording recording : party.recordings) {
            if (!deleted(recording) && query.matches(recording.metadata(now))) {
                matching.add(recording);
            }
        }
        matching.sort(NEWEST_FIRST);
        int pageSize = query.pageSize();
        long offset = query.page() > Integer.MAX_VALUE / pageSize ? Long.MAX_VALUE : query.page() * pageSize;
        int start = (int) Math.min(offset, matching.size());
        int end = Math.min(start + pageSize, matching.size());
        List<String> json = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            json.add(matching.get(i).json(now, false));
        }
        String path = ApiJson.API_PREFIX + accountSid + CONFERENCES + party.sid + RECORDINGS;
        String next = end < matching.size() ? query.uri(path, query.page() + 1, null) : null;
        String previous = query.page() > 0 ? query.uri(path, query.page() - 1, null) : null;
        return new Answer(200, ApiJson.page(query.uri(path, query.page(), null), query.uri(path, 0, null), next,
                previous, query.page(), pageSize, json), null);
    }

    /** A stopped recording deleted since (through either API path) is gone for good. */
    private boolean deleted(LiveRecording recording) {
        TestRecording result = recording.result();
        return result != null && server.find(result.sid()) != result;
    }

    private static Answer invalid(Party party, int code, String message) {
        // The API documents a list of messages for a conference recording's 422, its usual error for a call's.
        String body = party.conference ? ApiJson.errors(List.of(message)) : ApiJson.error(code, message, 422);
        return new Answer(422, body, null);
    }

    private static Answer notFound() {
        return new Answer(404, ApiJson.NOT_FOUND, null);
    }

    private static String field(Map<String, List<String>> form, String name, String fallback) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static URI httpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String key(String sid) {
        return sid.toLowerCase(Locale.ROOT);
    }
}
