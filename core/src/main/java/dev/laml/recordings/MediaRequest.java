package dev.laml.recordings;

import dev.laml.recordings.internal.Urls;
import dev.laml.recordings.internal.Validation;
import org.jspecify.annotations.Nullable;

import java.net.URI;
import java.util.Objects;

/**
 * What audio to fetch, and how: a recording (account, recording id, format) or a media URL, with
 * optionally a {@link ByteRange} and a {@link DownloadProgress} to report to. Every media
 * operation of the client ({@code download}, {@code downloadTo}, {@code open}) takes one, so that
 * every option reaches every form:
 *
 * <pre>{@code
 * MediaRequest mp3 = MediaRequest.of(accountSid, recordingSid, AudioFormat.MP3);
 * client.download(mp3.range(ByteRange.of(0, 1023)).progress(progress));
 * client.open(MediaRequest.of(URI.create(callback.recordingUrl())).range(ByteRange.from(1 << 20)));
 * client.downloadTo(mp3.progress(progress), Path.of("call.mp3"));
 * }</pre>
 *
 * <p><b>Why a value.</b> A separate overload for each combination of options (a range, a
 * progress, a URL instead of ids) doubles with every new option, and an optional argument that
 * may be null makes a call such as {@code download(a, s, f, null)} ambiguous. A request value has
 * one place per option, each set by a named copy, so a call says what it asks for and adding an
 * option adds one method here rather than a row of overloads.
 *
 * <p><b>Why the progress is part of the request.</b> It is where the caller wants to be told how
 * a transfer goes, and every form of download needs it; as a request option it reaches
 * {@code download}, {@code downloadTo} and the body of {@code open} alike, without a parameter
 * that is null for most calls. A {@link DownloadProgress} is a live counter rather than a value:
 * it is compared by identity in {@link #equals(Object)}, and a request that carries one should be
 * used for one transfer at a time (a second transfer resets it).
 *
 * <p><b>Validation.</b> The factories and copies check their arguments at once: ids must be UUIDs
 * (nothing else may reach a URL path), the format non-null, a media URL absolute {@code https} or
 * {@code http} with a host, a port from 1 to 65535 and no user info (credentials never travel in
 * a URL). Which hosts a media URL may name is the client's decision (its configured origin and
 * its allowed media hosts), checked when the request is handed to the client, and so is whether
 * plain {@code http} is acceptable (only to loopback unless the client allows insecure http).
 *
 * <p>Immutable and thread-safe (the progress it may carry is thread-safe too). The factories and
 * copies never return null; nullable accessors say so.
 */
public final class MediaRequest {

    private final @Nullable String accountSid;
    private final @Nullable String recordingSid;
    private final @Nullable AudioFormat format;
    private final @Nullable URI mediaUrl;
    private final @Nullable ByteRange range;
    private final @Nullable DownloadProgress progress;

    private MediaRequest(@Nullable String accountSid, @Nullable String recordingSid, @Nullable AudioFormat format,
            @Nullable URI mediaUrl, @Nullable ByteRange range, @Nullable DownloadProgress progress) {
        this.accountSid = accountSid;
        this.recordingSid = recordingSid;
        this.format = format;
        this.mediaUrl = mediaUrl;
        this.range = range;
        this.progress = progress;
    }

    /**
     * The whole audio of a recording in {@code format}: {@code GET …/Accounts/{accountSid}/Recordings/{recordingSid}.wav}
     * (or {@code .mp3}) on the client's configured origin.
     *
     * @param accountSid   the account the recording belongs to (a UUID)
     * @param recordingSid the recording (a UUID)
     * @param format       WAV or MP3
     * @return a request for the whole recording, with no progress
     * @throws IllegalArgumentException if an id is not a UUID or the format is null
     */
    public static MediaRequest of(String accountSid, String recordingSid, AudioFormat format) {
        Validation.uuid("accountSid", accountSid);
        Validation.uuid("recordingSid", recordingSid);
        if (format == null) {
            throw new IllegalArgumentException("format must not be null (AudioFormat.WAV or AudioFormat.MP3)");
        }
        return new MediaRequest(accountSid, recordingSid, format, null, null, null);
    }

    /**
     * The audio at a media URL, as found in a status callback ({@code RecordingUrl}) or in metadata. The
     * format is whatever the URL serves. The client fetches it only from its configured origin and the
     * hosts its builder allows ({@code mediaHosts}), and sends credentials only to its own origin.
     *
     * @param mediaUrl an absolute {@code https} (or, to loopback, {@code http}) URL; a fragment is ignored
     * @return a request for the whole body at that URL, with no progress
     * @throws IllegalArgumentException if the URL is null, not absolute http(s), names no host or an
     *                                  invalid port, or carries user info (the message never repeats it)
     */
    public static MediaRequest of(URI mediaUrl) {
        Urls.checkHttpUrl("mediaUrl", mediaUrl);
        return new MediaRequest(null, null, null, mediaUrl, null, null);
    }

    /**
     * A copy that asks for the bytes {@code range} names: the body holds exactly those bytes whether the
     * server answers 206 or sends the whole recording, and a broken transfer resumes within the range.
     *
     * @param range the bytes to fetch, or null for the whole recording (the default)
     * @return a copy with that range; this request is unchanged
     */
    public MediaRequest range(@Nullable ByteRange range) {
        return new MediaRequest(accountSid, recordingSid, format, mediaUrl, range, progress);
    }

    /**
     * A copy that reports to {@code progress}: bytes delivered, the total once known, the rate; read it from
     * any thread. The transfer pays one counter update per buffer for it.
     *
     * @param progress a fresh {@link DownloadProgress}, or null for none (the default)
     * @return a copy with that progress; this request is unchanged
     */
    public MediaRequest progress(@Nullable DownloadProgress progress) {
        return new MediaRequest(accountSid, recordingSid, format, mediaUrl, range, progress);
    }

    /**
     * The account id; null for a {@linkplain #of(URI) media URL} request.
     *
     * @return the account id; null for a {@linkplain #of(URI) media URL} request.
     */
    public @Nullable String accountSid() {
        return accountSid;
    }

    /**
     * The recording id; null for a {@linkplain #of(URI) media URL} request.
     *
     * @return the recording id; null for a {@linkplain #of(URI) media URL} request.
     */
    public @Nullable String recordingSid() {
        return recordingSid;
    }

    /**
     * The format asked for; null for a {@linkplain #of(URI) media URL} request, whose URL decides.
     *
     * @return the format asked for; null for a {@linkplain #of(URI) media URL} request, whose URL decides.
     */
    public @Nullable AudioFormat format() {
        return format;
    }

    /**
     * The media URL as given; null for a request {@linkplain #of(String, String, AudioFormat) by ids}.
     *
     * @return the media URL as given; null for a request {@linkplain #of(String, String, AudioFormat) by ids}.
     */
    public @Nullable URI mediaUrl() {
        return mediaUrl;
    }

    /**
     * The byte range asked for; null for the whole recording.
     *
     * @return the byte range asked for; null for the whole recording.
     */
    public @Nullable ByteRange range() {
        return range;
    }

    /**
     * The progress reported to; null for none.
     *
     * @return the progress reported to; null for none.
     */
    public @Nullable DownloadProgress progress() {
        return progress;
    }

    /**
     * Equal when both ask for the same audio (same ids and format, or the same URL) and range, and report
     * to the same {@link DownloadProgress} instance (or both to none).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof MediaRequest r && Objects.equals(r.accountSid, accountSid)
                && Objects.equals(r.recordingSid, recordingSid) && r.format == format
                && Objects.equals(r.mediaUrl, mediaUrl) && Objects.equals(r.range, range) && r.progress == progress;
    }

    @Override
    public int hashCode() {
        return Objects.hash(accountSid, recordingSid, format, mediaUrl, range, System.identityHashCode(progress));
    }

    /**
     * For logs: the ids and format, or the URL's scheme, host, port and path (its query, which may hold a
     * signature, is shown as {@code ?…}), then the range and whether progress is reported. For example
     * {@code MediaRequest[account=…, recording=…, format=MP3, range=bytes=0-1023, progress]}.
     */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("MediaRequest[");
        if (mediaUrl != null) {
            out.append("url=").append(mediaUrl.getScheme()).append("://").append(mediaUrl.getRawAuthority());
            if (mediaUrl.getRawPath() != null) {
                out.append(mediaUrl.getRawPath());
            }
            if (mediaUrl.getRawQuery() != null) {
                out.append("?…");
            }
        } else {
            out.append("account=").append(accountSid).append(", recording=").append(recordingSid)
                    .append(", format=").append(format);
        }
        if (range != null) {
            out.append(", range=").append(range);
        }
        if (progress != null) {
            out.append(", progress");
        }
        return out.append(']').toString();
    }
}
