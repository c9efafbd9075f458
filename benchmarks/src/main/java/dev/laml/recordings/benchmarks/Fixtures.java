package dev.laml.recordings.benchmarks;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * What the loopback server and every client agree on: ids, credentials, the URL scheme that
 * encodes a body's size in its recording Sid, the fixed metadata documents, and the one consumer
 * every client runs over every byte it receives.
 */
public final class Fixtures {

    private Fixtures() {
    }

    /** The account every request names (laml ids are UUIDs). */
    public static final String ACCOUNT = "720796a0-8ee9-4350-83bd-2d07a3121f1e";

    /** The recording the metadata endpoint describes. */
    public static final String METADATA_SID = "19e436af-5688-4307-b03b-bdb2b42b8142";

    /** Twilio-format ids (34 characters, AC/RE prefix) for twilio-java's fetcher. */
    public static final String TWILIO_ACCOUNT = "AC720796a08ee9435083bd2d07a3121f1e";
    public static final String TWILIO_RECORDING = "RE19e436af56884307b03bbdb2b42b8142";

    public static final String PROJECT_ID = "b4a8d5ae-7e1c-4c1b-9a5e-6b3fb2c2c6d1";
    public static final String API_TOKEN = "PTbenchmarktoken0123456789abcdef";
    public static final String TWILIO_AUTH_TOKEN = "0123456789abcdef0123456789abcdef";

    /** The Authorization header the laml metadata endpoint requires. */
    public static final String LAML_AUTHORIZATION = basic(PROJECT_ID, API_TOKEN);
    /** The Authorization header the Twilio-path metadata endpoint requires. */
    public static final String TWILIO_AUTHORIZATION = basic(TWILIO_ACCOUNT, TWILIO_AUTH_TOKEN);

    /** Prefix of the media Sids; the last 12 hex digits are the body size in bytes. */
    public static final String MEDIA_SID_PREFIX = "5a5a5a5a-0000-4000-8000-";
    /** As {@link #MEDIA_SID_PREFIX}, but the server writes the body as 64 KiB chunks (for write accounting). */
    public static final String CHUNKED_SID_PREFIX = "5a5a5a5a-0001-4000-8000-";
    /**
     * As {@link #MEDIA_SID_PREFIX}, but the server answers {@code Connection: close} and closes
     * the connection after the body: every download opens a new connection (a new handshake).
     */
    public static final String CLOSING_SID_PREFIX = "5a5a5a5a-0002-4000-8000-";

    public static final String API_ROOT = "/api/laml/2010-04-01/Accounts/";
    public static final String TWILIO_ROOT = "/2010-04-01/Accounts/";

    /** The Sid of a recording whose audio body is exactly {@code size} bytes (a valid UUID). */
    public static String mediaSid(long size) {
        return sid(MEDIA_SID_PREFIX, size);
    }

    /** As {@link #mediaSid}, served in 64 KiB writes so the server can count bytes actually sent. */
    public static String chunkedMediaSid(long size) {
        return sid(CHUNKED_SID_PREFIX, size);
    }

    /** As {@link #mediaSid}, but the server closes the connection after the body (no keep-alive). */
    public static String closingMediaSid(long size) {
        return sid(CLOSING_SID_PREFIX, size);
    }

    private static String sid(String prefix, long size) {
        if (size < 0 || size > 0xFFFF_FFFF_FFFFL) {
            throw new IllegalArgumentException("size out of range: " + size);
        }
        return prefix + String.format(Locale.ROOT, "%012x", size);
    }

    /** The media path of {@code sid} (mp3). */
    public static String mediaPath(String sid) {
        return API_ROOT + ACCOUNT + "/Recordings/" + sid + ".mp3";
    }

    public static String metadataPath() {
        return API_ROOT + ACCOUNT + "/Recordings/" + METADATA_SID + ".json";
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ':' + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The metadata document (shape of core's fixtures/recording-spec.json). */
    public static final byte[] RECORDING_JSON = ("{\n"
            + "  \"sid\": \"" + METADATA_SID + "\",\n"
            + "  \"account_sid\": \"" + ACCOUNT + "\",\n"
            + "  \"api_version\": \"2010-04-01\",\n"
            + "  \"call_sid\": \"b3877c40-da60-4998-90ad-b792e98472af\",\n"
            + "  \"conference_sid\": null,\n"
            + "  \"channel\": \"1\",\n"
            + "  \"channels\": \"1\",\n"
            + "  \"date_created\": \"Tue, 25 Sep 2018 23:00:00 +0000\",\n"
            + "  \"date_updated\": \"Wed, 26 Sep 2018 23:00:04 +0000\",\n"
            + "  \"start_time\": \"Tue, 25 Sep 2018 22:59:56 +0000\",\n"
            + "  \"end_time\": \"Tue, 25 Sep 2018 23:00:00 +0000\",\n"
            + "  \"duration\": 4,\n"
            + "  \"price\": \"-0.0025\",\n"
            + "  \"price_unit\": \"USD\",\n"
            + "  \"source\": \"DialVerb\",\n"
            + "  \"status\": \"completed\",\n"
            + "  \"error_code\": null,\n"
            + "  \"uri\": \"" + API_ROOT + ACCOUNT + "/Recordings/" + METADATA_SID + ".json\",\n"
            + "  \"subresource_uris\": {\n"
            + "    \"transcriptions\": \"" + API_ROOT + ACCOUNT + "/Recordings/" + METADATA_SID + "/Transcriptions.json\"\n"
            + "  },\n"
            + "  \"encryption_details\": null,\n"
            + "  \"trim\": \"do-not-trim\"\n"
            + "}\n").getBytes(StandardCharsets.UTF_8);

    /** The same document as Twilio shapes it (Twilio ids, Twilio's integer/string types). */
    public static final byte[] TWILIO_RECORDING_JSON = ("{\n"
            + "  \"account_sid\": \"" + TWILIO_ACCOUNT + "\",\n"
            + "  \"api_version\": \"2010-04-01\",\n"
            + "  \"call_sid\": \"CAb3877c40da60499890adb792e98472af\",\n"
            + "  \"conference_sid\": null,\n"
            + "  \"channels\": 1,\n"
            + "  \"date_created\": \"Tue, 25 Sep 2018 23:00:00 +0000\",\n"
            + "  \"date_updated\": \"Wed, 26 Sep 2018 23:00:04 +0000\",\n"
            + "  \"start_time\": \"Tue, 25 Sep 2018 22:59:56 +0000\",\n"
            + "  \"duration\": \"4\",\n"
            + "  \"sid\": \"" + TWILIO_RECORDING + "\",\n"
            + "  \"price\": \"-0.0025\",\n"
            + "  \"price_unit\": \"USD\",\n"
            + "  \"status\": \"completed\",\n"
            + "  \"source\": \"DialVerb\",\n"
            + "  \"error_code\": null,\n"
            + "  \"media_url\": \"https://api.twilio.com" + TWILIO_ROOT + TWILIO_ACCOUNT + "/Recordings/" + TWILIO_RECORDING + "\",\n"
            + "  \"uri\": \"" + TWILIO_ROOT + TWILIO_ACCOUNT + "/Recordings/" + TWILIO_RECORDING + ".json\",\n"
            + "  \"subresource_uris\": {\n"
            + "    \"add_on_results\": \"" + TWILIO_ROOT + TWILIO_ACCOUNT + "/Recordings/" + TWILIO_RECORDING + "/AddOnResults.json\",\n"
            + "    \"transcriptions\": \"" + TWILIO_ROOT + TWILIO_ACCOUNT + "/Recordings/" + TWILIO_RECORDING + "/Transcriptions.json\"\n"
            + "  },\n"
            + "  \"encryption_details\": null\n"
            + "}\n").getBytes(StandardCharsets.UTF_8);

    /**
     * The consumer every client runs over every buffer it receives: an xor of the buffer read as
     * longs (plus its tail bytes) and its length. Reads every byte, allocates nothing, leaves the
     * buffer's position and limit alone.
     */
    public static long fold(ByteBuffer b) {
        int p = b.position();
        int lim = b.limit();
        long acc = lim - p;
        int end = p + ((lim - p) & ~7);
        for (int i = p; i < end; i += 8) {
            acc ^= b.getLong(i);
        }
        for (int i = end; i < lim; i++) {
            acc ^= b.get(i);
        }
        return acc;
    }
}
