package dev.laml.recordings.s3;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import reactor.core.publisher.Flux;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * Records which S3 operations a client started, sent and finished (and with which headers), so
 * that tests assert what was said to the server; and can tamper with a request before it is
 * signed, to make the server see bytes that don't match their checksum, or with a response, to
 * make the client hear something the server did not say.
 *
 * <p>Thread-safe: the SDK calls it from its own threads.
 */
public final class RecordingInterceptor implements ExecutionInterceptor {

    /** One request as it was sent. {@code partNumber} is null for operations other than UploadPart. */
    public record Sent(String operation, Integer partNumber, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    }

    /** One operation as it ended (after the SDK's retries). */
    public record Outcome(String operation, Integer partNumber, boolean succeeded) {
    }

    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private volatile BiFunction<SdkRequest, SdkHttpRequest, SdkHttpRequest> tamper = (request, http) -> http;
    private volatile UnaryOperator<SdkResponse> tamperResponse = UnaryOperator.identity();

    /** Rewrites every request before it is signed; return {@code http} to leave one alone. */
    public void tamper(BiFunction<SdkRequest, SdkHttpRequest, SdkHttpRequest> tamper) {
        this.tamper = tamper;
    }

    private volatile Predicate<SdkRequest> damageBody = request -> false;

    /**
     * Flips one bit of the body of every request {@code which} selects, after its checksums were computed: the
     * store receives other bytes than those the client hashed (a copy is altered; the uploader's buffers are not).
     */
    public void damageBody(Predicate<SdkRequest> which) {
        this.damageBody = which;
    }

    @Override
    public Optional<AsyncRequestBody> modifyAsyncHttpContent(Context.ModifyHttpRequest context,
            ExecutionAttributes attributes) {
        Optional<AsyncRequestBody> body = context.asyncRequestBody();
        if (body.isEmpty() || !damageBody.test(context.request())) {
            return body;
        }
        AsyncRequestBody original = body.get();
        return Optional.of(AsyncRequestBody.fromPublisher(subscriber -> {
            AtomicBoolean damaged = new AtomicBoolean();
            Flux.from(original).map(buffer -> {
                if (!buffer.hasRemaining() || !damaged.compareAndSet(false, true)) {
                    return buffer;
                }
                ByteBuffer copy = ByteBuffer.allocate(buffer.remaining()).put(buffer.duplicate()).flip();
                copy.put(0, (byte) (copy.get(0) ^ 1));
                return copy;
            }).subscribe(subscriber);
        })).map(b -> new AsyncRequestBody() {
            @Override
            public Optional<Long> contentLength() {
                return original.contentLength();
            }

            @Override
            public void subscribe(org.reactivestreams.Subscriber<? super ByteBuffer> s) {
                b.subscribe(s);
            }
        });
    }

    /** Rewrites every response the SDK has parsed before the caller sees it. */
    public void tamperResponse(UnaryOperator<SdkResponse> tamper) {
        this.tamperResponse = tamper;
    }

    public List<String> started() {
        return List.copyOf(started);
    }

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    public List<Sent> sent(String operation) {
        return sent.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public long succeeded(String operation) {
        return outcomes.stream().filter(o -> o.operation().equals(operation) && o.succeeded()).count();
    }

    public long startedCount(String operation) {
        return started.stream().filter(operation::equals).count();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        started.add(operation(attributes));
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        return tamper.apply(context.request(), context.httpRequest());
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        return tamperResponse.apply(context.response());
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        sent.add(new Sent(operation(attributes), partNumber(context.request()), context.httpRequest().headers()));
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        outcomes.add(new Outcome(operation(attributes), partNumber(context.request()), true));
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        outcomes.add(new Outcome(operation(attributes), partNumber(context.request()), false));
    }

    private static String operation(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    private static Integer partNumber(SdkRequest request) {
        return request instanceof UploadPartRequest part ? part.partNumber() : null;
    }
}
