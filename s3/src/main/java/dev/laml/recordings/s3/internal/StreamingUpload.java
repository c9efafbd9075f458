package dev.laml.recordings.s3.internal;

import dev.laml.recordings.IncompleteBodyException;
import dev.laml.recordings.s3.S3StorageException;
import dev.laml.recordings.s3.internal.Integrity.Check;
import dev.laml.recordings.s3.internal.S3Upload.Destination;
import dev.laml.recordings.s3.internal.S3Upload.MemoryProbe;
import dev.laml.recordings.s3.internal.S3Upload.Uploaded;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.MonoSink;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One upload of a body into one object: the subscriber that cuts the body into parts and the
 * state machine that drives the S3 requests.
 *
 * <p>Memory: the body's buffers are copied into parts (blocks of {@value #BLOCK_SIZE} bytes); at
 * most {@code partsInFlight} parts are alive at once (the one being filled and those being
 * uploaded), and a buffer is requested only when there is room for it, so the body never runs
 * ahead by more than one buffer (kept as {@link #leftover} until a part buffer frees up).
 *
 * <p>Single request or multipart: a part is dispatched (and the multipart upload created) only
 * when it is full and more bytes follow or certainly will. Part 1 of a body of unknown length,
 * or of a known length of exactly one part, waits when full for the body's next signal: if that
 * is the end, the object goes as one {@code PutObject}. So an object of at most one part never
 * becomes a multipart upload, whether or not its length was known.
 *
 * <p>Threads: body signals arrive on the body's thread, SDK completions on the SDK's completion
 * executor, cancellation on the subscriber's. All state is guarded by {@code this}; decisions are
 * made under the lock and returned as {@link Actions}, which run after the lock is released, so
 * that no SDK call, {@code request} or sink signal ever runs while holding it (a synchronous body
 * re-enters {@link #hookOnNext} from {@code request}).
 */
final class StreamingUpload extends BaseSubscriber<ByteBuffer> {

    /**
     * Parts are held in blocks of this size, allocated as bytes arrive: far below G1's
     * humongous-object threshold (half a region, at least 512 KiB), so a small heap is not
     * fragmented by multi-megabyte arrays, and a part of unknown length grows without copying.
     */
    static final int BLOCK_SIZE = 256 * 1024;

    private final S3Upload owner;
    private final S3AsyncClient s3;
    private final Destination destination;
    private final long declaredLength;
    private final int partSize;
    private final int partsInFlight;
    private final MemoryProbe probe;
    private final MonoSink<Uploaded> sink;
    private final Integrity integrity;
    private final S3Upload.ObjectOptions options;

    // ---- guarded by this
    private final MessageDigest objectDigest = S3Upload.newSha256();
    private long received;
    /** The part being filled; or a full part 1 waiting to learn whether the body ends. */
    private Part current;
    /** Body bytes that arrived when no part buffer was free; at most one buffer's worth. */
    private ByteBuffer leftover;
    /** Part buffers alive: {@link #current} plus those dispatched and not finished. */
    private int partsHeld;
    /** Parts dispatched and not finished (waiting for the upload id, or uploading). */
    private int partsOutstanding;
    private int nextPartNumber = 1;
    private boolean demandOutstanding;
    private boolean sourceDone;
    /** A part was dispatched: this is a multipart upload. */
    private boolean multipart;
    private boolean createSent;
    private boolean createDone;
    private String uploadId;
    private final List<Part> waitingForUploadId = new ArrayList<>();
    private final List<CompletedPart> completedParts = new ArrayList<>();
    /** The weakest check any stored part had (parts sent before a fallback had SHA-256, later ones MD5). */
    private Check weakestCheck = Check.SHA256;
    /**
     * UploadPart and CompleteMultipartUpload requests sent and not finished. A termination waits
     * for them before aborting: cancelling one on the client does not stop the server from
     * storing its part, and a part stored after the abort would be an orphan no listing shows.
     */
    private int multipartRequestsInFlight;
    /** The single PutObject in flight, which a termination cancels (a PUT is all or nothing). */
    private CompletableFuture<?> put;
    /** The abort (or, with no multipart upload, the error signal) has been started. */
    private boolean cleanupStarted;
    /** The final request (PUT or Complete) has been decided on. */
    private boolean finishing;
    private byte[] objectSha256;
    private boolean terminated;
    /** Ended with the object stored: nothing to clean up. */
    private boolean succeeded;
    /** The error to signal once the termination's abort is done; null when cancelled. */
    private Throwable failure;

    StreamingUpload(S3Upload owner, Destination destination, long declaredLength, Integrity integrity,
            MonoSink<Uploaded> sink) {
        this.integrity = integrity;
        this.options = owner.settings().objectOptions();
        this.owner = owner;
        this.s3 = owner.client();
        this.destination = destination;
        this.declaredLength = declaredLength;
        this.partSize = owner.settings().partSize();
        this.partsInFlight = owner.settings().partsInFlight();
        this.probe = owner.settings().memoryProbe();
        this.sink = sink;
    }

    // ---- body signals

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
        Actions actions;
        synchronized (this) {
            actions = terminated ? null : advance();
        }
        run(actions);
    }

    @Override
    protected void hookOnNext(ByteBuffer buffer) {
        Actions actions;
        synchronized (this) {
            if (terminated) {
                return;
            }
            demandOutstanding = false;
            int n = buffer.remaining();
            received += n;
            if (declaredLength >= 0 && received > declaredLength) {
                actions = terminate(new IncompleteBodyException("the body of s3://" + destination.bucket() + "/"
                        + destination.key() + " ran past its declared " + declaredLength + " bytes",
                        received, declaredLength, null));
            } else {
                if (n > 0) {
                    // A view, so the caller's buffer keeps its position.
                    leftover = buffer.slice();
                }
                actions = advance();
            }
        }
        run(actions);
    }

    @Override
    protected void hookOnComplete() {
        Actions actions;
        synchronized (this) {
            if (terminated) {
                return;
            }
            sourceDone = true;
            if (declaredLength >= 0 && received != declaredLength) {
                actions = terminate(new IncompleteBodyException("the body of s3://" + destination.bucket() + "/"
                        + destination.key() + " ended after " + received + " of its declared " + declaredLength
                        + " bytes", received, declaredLength, null));
            } else {
                actions = advance();
            }
        }
        run(actions);
    }

    @Override
    protected void hookOnError(Throwable error) {
        Actions actions;
        synchronized (this) {
            if (terminated) {
                return;
            }
            sourceDone = true;
            actions = terminate(error);
        }
        run(actions);
    }

    /** The {@code Mono}'s subscriber cancelled: stop everything, abort in the background. */
    void cancelledByDownstream() {
        Actions actions;
        synchronized (this) {
            if (terminated) {
                return;
            }
            actions = terminate(null);
        }
        run(actions);
    }

    // ---- decisions (called holding the lock)

    /** Moves body bytes into part buffers as far as memory allows, then decides what comes next. */
    private Actions advance() {
        Actions actions = new Actions();
        while (leftover != null) {
            if (current == null) {
                if (partsHeld >= partsInFlight) {
                    break; // every part buffer is taken: the leftover waits, no more demand
                }
                current = newPart();
            }
            if (current.isFull()) {
                // A held part 1, and more bytes came: this is a multipart upload after all.
                dispatch(current, actions);
                current = null;
                continue;
            }
            current.fill(leftover, objectDigest, probe);
            if (!leftover.hasRemaining()) {
                leftover = null;
            }
            if (current.isFull() && !mayBeWholeObject(current)) {
                dispatch(current, actions);
                current = null;
            }
        }

        if (sourceDone && leftover == null) {
            if (!multipart) {
                if (!finishing) {
                    finishing = true;
                    objectSha256 = objectDigest.digest();
                    actions.singlePut = current != null ? current : new Part(0, 0, null, S3Upload.newMd5());
                    current = null; // still counted in partsHeld until the PUT ends
                }
            } else {
                if (current != null) {
                    dispatch(current, actions); // the last, shorter part
                    current = null;
                }
                if (partsOutstanding == 0 && uploadId != null && !finishing) {
                    finishing = true;
                    objectSha256 = objectDigest.digest();
                    multipartRequestsInFlight++;
                    actions.complete = true;
                }
            }
        } else if (!sourceDone && leftover == null && !demandOutstanding
                && (current != null || partsHeld < partsInFlight)) {
            // Room for another buffer: in the current part, or in a new one. (A full part 1
            // waiting on the body also asks: only the next signal tells whether the body ends.)
            demandOutstanding = true;
            actions.request = true;
        }
        return actions;
    }

    /** A full part 1 that may be the whole object, if the body ends now. */
    private boolean mayBeWholeObject(Part part) {
        return part.number == 1 && (declaredLength < 0 || declaredLength == part.limit);
    }

    private Part newPart() {
        int number = nextPartNumber++;
        int limit = partSize;
        if (declaredLength >= 0) {
            // A known length: the last part's size is known, and its last block is cut to fit.
            long start = (long) (number - 1) * partSize;
            limit = (int) Math.min(partSize, declaredLength - start);
        }
        // Part 1's SHA-256 is the object's digest at its end (no byte of part 2 is copied before
        // part 1 is dispatched), so only later parts need a digest of their own.
        Part part = new Part(number, limit, number == 1 ? null : S3Upload.newSha256(),
                integrity.wantsMd5() ? S3Upload.newMd5() : null);
        partsHeld++;
        return part;
    }

    private void dispatch(Part part, Actions actions) {
        part.seal(objectDigest);
        multipart = true;
        partsOutstanding++;
        if (uploadId == null) {
            waitingForUploadId.add(part);
            if (!createSent) {
                createSent = true;
                actions.create = true;
            }
        } else {
            multipartRequestsInFlight++;
            actions.send.add(part);
        }
    }

    /**
     * Ends the upload with {@code error} (null: cancelled): the body and a single PUT are
     * cancelled, no part is sent any more, the part buffers not in flight are dropped; once the
     * multipart requests in flight have ended (and the upload's creation, if pending), the upload
     * is aborted, and only then is the error signalled. See {@link #cleanupDue()}.
     */
    private Actions terminate(Throwable error) {
        terminated = true;
        failure = error;
        Actions actions = new Actions();
        actions.terminal = true;
        actions.cancelBody = !sourceDone;
        actions.cancelPut = put;
        if (current != null) {
            release(current);
            current = null;
        }
        for (Part part : waitingForUploadId) {
            release(part);
        }
        partsOutstanding -= waitingForUploadId.size();
        waitingForUploadId.clear();
        leftover = null;
        actions.cleanup = cleanupDue();
        return actions;
    }

    /**
     * True once, when a terminated upload may be cleaned up: no CreateMultipartUpload pending
     * (its answer may name an upload to abort) and no part or completion in flight (one that
     * landed after the abort would stay behind). Whoever gets true runs {@link #cleanUp()}.
     */
    private boolean cleanupDue() {
        if (!terminated || succeeded || cleanupStarted || (createSent && !createDone) || multipartRequestsInFlight > 0) {
            return false;
        }
        cleanupStarted = true;
        return true;
    }

    private void release(Part part) {
        probe.freed(part.release());
        partsHeld--;
    }

    // ---- actions (called without the lock)

    private void run(Actions actions) {
        if (actions == null) {
            return;
        }
        if (actions.terminal) {
            if (actions.cancelBody) {
                cancel();
            }
            if (actions.cancelPut != null) {
                actions.cancelPut.cancel(true);
            }
            if (actions.cleanup) {
                cleanUp();
            }
            return;
        }
        if (actions.create) {
            sendCreate();
        }
        for (Part part : actions.send) {
            sendPart(part);
        }
        if (actions.singlePut != null) {
            sendSinglePut(actions.singlePut);
        }
        if (actions.complete) {
            sendComplete();
        }
        if (actions.request) {
            request(1);
        }
    }

    private void sendCreate() {
        Check check = integrity.current();
        CreateMultipartUploadRequest.Builder request = CreateMultipartUploadRequest.builder()
                .bucket(destination.bucket())
                .key(destination.key())
                .contentType(destination.contentType())
                .metadata(destination.metadata())
                .storageClass(options.storageClass())
                .serverSideEncryption(options.sse())
                .ssekmsKeyId(options.kmsKeyId())
                .expectedBucketOwner(options.expectedBucketOwner());
        if (check == Check.SHA256) {
            // Every part then must carry its SHA-256, and S3 keeps a composite checksum.
            request.checksumAlgorithm(ChecksumAlgorithm.SHA256);
        } else {
            request.overrideConfiguration(o -> o.addPlugin(S3Upload.NO_SDK_CHECKSUM));
        }
        CreateMultipartUploadRequest built = request.build();
        // Never cancelled: that could lose an upload the server created anyway. It is short, and
        // a termination waits for it (cleanupDue) to abort what it created.
        call(() -> s3.createMultipartUpload(built)).whenComplete((response, error) -> {
            if (error != null && integrity.fallBack(check, error, S3Upload.storeName(destination))) {
                sendCreate(); // once: the fallback is final, the next one asks for no SHA-256
                return;
            }
            created(response, error);
        });
    }

    private void created(CreateMultipartUploadResponse response, Throwable error) {
        Actions actions = new Actions();
        synchronized (this) {
            createDone = true;
            if (error == null) {
                uploadId = response.uploadId();
            }
            if (terminated) {
                actions.terminal = true;
                actions.cleanup = cleanupDue();
            } else if (error != null) {
                actions = terminate(S3Errors.of("CreateMultipartUpload", destination.bucket(), destination.key(), error));
            } else {
                actions.send.addAll(waitingForUploadId);
                multipartRequestsInFlight += waitingForUploadId.size();
                waitingForUploadId.clear();
            }
        }
        run(actions);
    }

    private synchronized String uploadId() {
        return uploadId;
    }

    private void sendPart(Part part) {
        boolean ended;
        boolean cleanup = false;
        synchronized (this) {
            ended = terminated;
            if (ended) {
                // Ended between the decision and now: send nothing. (Ending later is fine: the
                // request's own completion does the counting.)
                multipartRequestsInFlight--;
                partsOutstanding--;
                release(part);
                cleanup = cleanupDue();
            }
        }
        if (ended) {
            if (cleanup) {
                cleanUp();
            }
            return;
        }
        Check check = integrity.current();
        if (check == Check.MD5 && part.contentMd5 == null) {
            // Only after AUTO settled on SHA-256 do parts skip their MD5, and it never changes after that.
            partDone(part, check, null, new IllegalStateException("part " + part.number + " has no MD5 to send"));
            return;
        }
        UploadPartRequest.Builder request = UploadPartRequest.builder()
                .bucket(destination.bucket())
                .key(destination.key())
                .uploadId(uploadId())
                .partNumber(part.number)
                .contentLength((long) part.length)
                .expectedBucketOwner(options.expectedBucketOwner());
        switch (check) {
            // Sent as x-amz-checksum-sha256: S3 recomputes it and rejects the part on a
            // mismatch (400 BadDigest), so no corrupted byte is ever stored.
            case SHA256 -> request.checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(part.checksum);
            // Content-MD5, which S3 and S3-compatible stores check likewise.
            case MD5 -> request.contentMD5(part.contentMd5)
                    .overrideConfiguration(o -> o.addPlugin(S3Upload.NO_SDK_CHECKSUM));
            case NONE -> request.overrideConfiguration(o -> o.addPlugin(S3Upload.NO_SDK_CHECKSUM));
        }
        UploadPartRequest built = request.build();
        // Not copied: a dispatched part's blocks are never written again; replayable for the
        // SDK's retries; released when the request ends, so an idle connection keeps no part.
        ReleasableBody body = new ReleasableBody(part.buffers(), part.length);
        call(() -> s3.uploadPart(built, body)).whenComplete((response, error) -> {
            body.release();
            if (error != null && part.contentMd5 != null && !part.resent && !isTerminated()
                    && integrity.fallBack(check, error, S3Upload.storeName(destination))) {
                // The same bytes, still held, once more with Content-MD5; still counted as in flight.
                part.resent = true;
                sendPart(part);
                return;
            }
            if (error != null && !part.retried && !isTerminated() && S3Errors.clientDefect(error)) {
                // The SDK's client failed it on a broken pooled connection, which its own retries do not cover; an
                // UploadPart may go again (S3 keeps a part number's last upload), once, on whatever connection it gets.
                part.retried = true;
                sendPart(part);
                return;
            }
            partDone(part, check, response, error);
        });
    }

    private synchronized boolean isTerminated() {
        return terminated;
    }

    private void partDone(Part part, Check check, UploadPartResponse response, Throwable error) {
        Actions actions;
        synchronized (this) {
            multipartRequestsInFlight--;
            partsOutstanding--;
            release(part);
            if (terminated) {
                actions = new Actions();
                actions.terminal = true;
                actions.cleanup = cleanupDue();
            } else if (error != null) {
                actions = terminate(S3Errors.of("UploadPart", destination.bucket(), destination.key(), error));
            } else {
                if (check == Check.SHA256) {
                    integrity.sha256Accepted();
                }
                if (check.ordinal() > weakestCheck.ordinal()) {
                    weakestCheck = check;
                }
                completedParts.add(CompletedPart.builder()
                        .partNumber(part.number)
                        .eTag(response.eTag())
                        .checksumSHA256(check == Check.SHA256 ? part.checksum : null)
                        .build());
                actions = advance();
            }
        }
        run(actions);
    }

    private void sendSinglePut(Part part) {
        byte[] sha256;
        synchronized (this) {
            sha256 = objectSha256;
        }
        byte[] md5 = part.md5Bytes();
        CompletableFuture<Uploaded> future = call(() -> owner.putObject(destination, part.buffers(), part.length, sha256,
                md5, integrity, true));
        boolean cancelNow;
        synchronized (this) {
            put = future;
            cancelNow = terminated;
        }
        if (cancelNow) {
            future.cancel(true);
        }
        future.whenComplete((uploaded, error) -> {
            Actions actions = null;
            synchronized (this) {
                put = null;
                if (part.number > 0) { // not the stand-in for an empty body
                    release(part);
                }
                if (terminated) {
                    return;
                }
                if (error != null) {
                    actions = terminate(S3Errors.of("PutObject", destination.bucket(), destination.key(), error));
                } else {
                    terminated = true;
                    succeeded = true;
                }
            }
            if (actions != null) {
                run(actions);
            } else {
                sink.success(uploaded);
            }
        });
    }

    private void sendComplete() {
        List<CompletedPart> parts;
        String id;
        Check check;
        synchronized (this) {
            parts = new ArrayList<>(completedParts);
            id = uploadId;
            check = weakestCheck;
        }
        parts.sort(Comparator.comparing(CompletedPart::partNumber));
        if (check != Check.SHA256) {
            // A store that refused the parts' checksums is not told of any (a store that took some before a fallback
            // would not have kept them anyway).
            parts = parts.stream().map(p -> p.toBuilder().checksumSHA256(null).build()).toList();
        }
        CompleteMultipartUploadRequest.Builder request = CompleteMultipartUploadRequest.builder()
                .bucket(destination.bucket())
                .key(destination.key())
                .uploadId(id)
                .expectedBucketOwner(options.expectedBucketOwner())
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
        if (check != Check.SHA256) {
            request.overrideConfiguration(o -> o.addPlugin(S3Upload.NO_SDK_CHECKSUM));
        }
        CompleteMultipartUploadRequest built = request.build();
        List<CompletedPart> sentParts = parts;
        CompletableFuture<CompleteMultipartUploadResponse> future = call(() -> s3.completeMultipartUpload(built));
        future.whenComplete((response, error) -> {
            Actions actions = null;
            Uploaded uploaded = null;
            synchronized (this) {
                multipartRequestsInFlight--;
                if (terminated) {
                    // Cancelled meanwhile. If it completed, the abort finds no upload: fine.
                    actions = new Actions();
                    actions.terminal = true;
                    actions.cleanup = cleanupDue();
                } else if (error != null) {
                    actions = terminate(S3Errors.of("CompleteMultipartUpload", destination.bucket(),
                            destination.key(), error));
                } else if (check == Check.SHA256 && !compositeMatches(response.checksumSHA256(), sentParts)) {
                    actions = terminate(new S3StorageException("CompleteMultipartUpload s3://" + destination.bucket()
                            + "/" + destination.key() + " stored an object whose composite SHA-256 "
                            + response.checksumSHA256() + " is not that of the parts sent, "
                            + compositeSha256(sentParts), "CompleteMultipartUpload", destination.bucket(),
                            destination.key(), response.sdkHttpResponse().statusCode(), null, null));
                } else {
                    terminated = true;
                    succeeded = true;
                    uploaded = new Uploaded(destination.bucket(), destination.key(), received,
                            HexFormat.of().formatHex(objectSha256), response.eTag(), response.checksumSHA256(),
                            sentParts.size(), check);
                }
            }
            if (actions != null) {
                run(actions);
            } else {
                sink.success(uploaded);
            }
        });
    }

    /**
     * Whether the composite checksum S3 reports for the completed object ({@code base64-N}: the
     * SHA-256 of the parts' SHA-256s, in part order) is that of the parts sent: the object is
     * made of exactly those parts. A store that reports none, or one in another form, is taken
     * at its word (the parts themselves were checked on arrival).
     */
    private static boolean compositeMatches(String reported, List<CompletedPart> parts) {
        if (reported == null || reported.indexOf('-') < 0) {
            return true;
        }
        return reported.equals(compositeSha256(parts));
    }

    private static String compositeSha256(List<CompletedPart> sortedParts) {
        MessageDigest composite = S3Upload.newSha256();
        for (CompletedPart part : sortedParts) {
            composite.update(Base64.getDecoder().decode(part.checksumSHA256()));
        }
        return Base64.getEncoder().encodeToString(composite.digest()) + "-" + sortedParts.size();
    }

    /** Aborts the multipart upload if there is one, then signals the failure (if not cancelled). */
    private void cleanUp() {
        Throwable error;
        String id;
        synchronized (this) {
            error = failure;
            id = uploadId;
        }
        if (id == null) {
            signal(error, null);
            return;
        }
        owner.abort(destination.bucket(), destination.key(), id)
                .subscribe(null, abortFailure -> signal(error, abortFailure), () -> signal(error, null));
    }

    private void signal(Throwable error, Throwable abortFailure) {
        if (error == null) {
            return; // cancelled: nobody is listening
        }
        if (abortFailure != null) {
            if (error instanceof S3StorageException s3Error && abortFailure instanceof S3StorageException abort) {
                s3Error.recordOrphanedUpload(abort.orphanedUploadId());
            }
            error.addSuppressed(abortFailure);
        }
        sink.error(error);
    }

    /** The SDK's methods may also throw instead of returning a failed future. */
    private static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> request) {
        try {
            return request.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** What to do once the lock is released. */
    private static final class Actions {
        boolean request;
        boolean create;
        final List<Part> send = new ArrayList<>(2);
        Part singlePut;
        boolean complete;

        boolean terminal;
        boolean cancelBody;
        CompletableFuture<?> cancelPut;
        /** Abort (if there is an upload) and signal now. */
        boolean cleanup;
    }

    /**
     * A part's bytes in {@link #BLOCK_SIZE} blocks, filled in order; guarded by the upload's lock
     * until dispatched, never written after.
     */
    private static final class Part {
        /** From 1; 0 for the stand-in of an empty body. */
        final int number;
        /** The bytes this part takes: the part size, or less for the last part of a known length. */
        final int limit;
        private final List<byte[]> blocks = new ArrayList<>();
        private int lastBlockUsed;
        int length;
        /** Null for part 1, whose digest is the object's (see newPart). */
        private final MessageDigest digest;
        /** Base64 SHA-256, set when dispatched. */
        String checksum;
        /**
         * The part's MD5 as its blocks arrive, when the run may ask for {@code Content-MD5}; null otherwise. Kept
         * apart from the SHA-256: part 1's SHA-256 comes from the object's digest, its MD5 cannot.
         */
        private final MessageDigest md5;
        private byte[] md5Bytes;
        /** Base64 MD5 for {@code Content-MD5}, set when dispatched; null without {@link #md5}. */
        String contentMd5;
        /** Sent once more after AUTO's fallback; never twice. */
        boolean resent;
        /** Sent once more after the SDK's client failed it on a defect of its own ({@link S3Errors#clientDefect}). */
        boolean retried;

        Part(int number, int limit, MessageDigest digest, MessageDigest md5) {
            this.number = number;
            this.limit = limit;
            this.digest = digest;
            this.md5 = md5;
        }

        /** The MD5 of the bytes filled so far (final once the part is full or the body ended); null without one. */
        byte[] md5Bytes() {
            if (md5Bytes == null && md5 != null) {
                md5Bytes = md5.digest();
            }
            return md5Bytes;
        }

        boolean isFull() {
            return length == limit;
        }

        /** Copies as much of {@code source} as this part takes, hashing it on the way. */
        void fill(ByteBuffer source, MessageDigest objectDigest, MemoryProbe probe) {
            int n = Math.min(source.remaining(), limit - length);
            while (n > 0) {
                byte[] block = blocks.isEmpty() ? null : blocks.get(blocks.size() - 1);
                if (block == null || lastBlockUsed == block.length) {
                    block = new byte[Math.min(BLOCK_SIZE, limit - length)];
                    blocks.add(block);
                    lastBlockUsed = 0;
                    probe.allocated(block.length);
                }
                int k = Math.min(n, block.length - lastBlockUsed);
                source.get(block, lastBlockUsed, k);
                objectDigest.update(block, lastBlockUsed, k);
                if (digest != null) {
                    digest.update(block, lastBlockUsed, k);
                }
                if (md5 != null) {
                    md5.update(block, lastBlockUsed, k);
                }
                lastBlockUsed += k;
                length += k;
                n -= k;
            }
        }

        /** The bytes as buffers, position 0 to limit: views, not copies. */
        ByteBuffer[] buffers() {
            ByteBuffer[] buffers = new ByteBuffer[blocks.size()];
            for (int i = 0; i < buffers.length; i++) {
                byte[] block = blocks.get(i);
                buffers[i] = ByteBuffer.wrap(block, 0, i == buffers.length - 1 ? lastBlockUsed : block.length);
            }
            return buffers;
        }

        /** Drops the blocks (the SDK may still be reading them); returns the bytes they took. */
        long release() {
            long capacity = 0;
            for (byte[] block : blocks) {
                capacity += block.length;
            }
            blocks.clear();
            return capacity;
        }

        void seal(MessageDigest objectDigest) {
            byte[] sha256;
            if (digest != null) {
                sha256 = digest.digest();
            } else {
                try {
                    sha256 = ((MessageDigest) objectDigest.clone()).digest();
                } catch (CloneNotSupportedException e) {
                    MessageDigest own = S3Upload.newSha256();
                    for (ByteBuffer buffer : buffers()) {
                        own.update(buffer);
                    }
                    sha256 = own.digest();
                }
            }
            checksum = Base64.getEncoder().encodeToString(sha256);
            byte[] m = md5Bytes();
            contentMd5 = m == null ? null : Base64.getEncoder().encodeToString(m);
        }
    }
}
