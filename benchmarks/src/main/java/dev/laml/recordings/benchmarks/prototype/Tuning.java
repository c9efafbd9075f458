package dev.laml.recordings.benchmarks.prototype;

/**
 * What the prototype copy of the adapter changes, one switch per proposal, so each change's
 * effect can be measured alone. {@link #AS_IS} behaves exactly like the adapter it was copied
 * from (reactor-adapter at the commit named in BENCHMARKS.md).
 *
 * <p>Parsed from benchmark client names like {@code proto+chunk65536+noidle}:
 * <ul>
 *   <li>{@code chunkN}: Reactor Netty {@code maxChunkSize(N)} (default 8192 splits every 64 KiB
 *       socket read into eight 8 KiB buffers, each copied, allocated and signalled alone);</li>
 *   <li>{@code noidle}: no IdleTimeout operator (its per-element monitor, clock read and per-request
 *       timer on {@code Schedulers.parallel()});</li>
 *   <li>{@code noheaderstimeout}: no ReadTimeoutHandler added and removed around every request;</li>
 *   <li>{@code noretry}: no retryWhen/defer wrapper around each call;</li>
 *   <li>{@code sink=pipelined|zerocopy}: downloadTo writes with a blocking FileChannel on a
 *       boundedElastic worker with 8 buffers in flight (heap copies, or retained inbound ByteBufs
 *       with no copy at all) instead of AsynchronousFileChannel one buffer at a time;</li>
 *   <li>{@code noforce}: downloadTo skips {@code force(true)} (durability traded for speed).</li>
 * </ul>
 */
public record Tuning(int maxChunkSize, boolean idleTimeout, boolean headersTimeout, boolean retries, String sink,
        boolean force) {

    public static final Tuning AS_IS = new Tuning(0, true, true, true, "async", true);

    /** Parses {@code proto+opt+opt...}; {@code proto} alone is {@link #AS_IS}. */
    public static Tuning parse(String name) {
        Tuning t = AS_IS;
        String[] parts = name.split("\\+");
        if (!parts[0].equals("proto")) {
            throw new IllegalArgumentException("not a prototype client name: " + name);
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            if (p.startsWith("chunk")) {
                t = new Tuning(Integer.parseInt(p.substring(5)), t.idleTimeout, t.headersTimeout, t.retries, t.sink, t.force);
            } else if (p.equals("noidle")) {
                t = new Tuning(t.maxChunkSize, false, t.headersTimeout, t.retries, t.sink, t.force);
            } else if (p.equals("noheaderstimeout")) {
                t = new Tuning(t.maxChunkSize, t.idleTimeout, false, t.retries, t.sink, t.force);
            } else if (p.equals("noretry")) {
                t = new Tuning(t.maxChunkSize, t.idleTimeout, t.headersTimeout, false, t.sink, t.force);
            } else if (p.startsWith("sink=")) {
                t = new Tuning(t.maxChunkSize, t.idleTimeout, t.headersTimeout, t.retries, p.substring(5), t.force);
            } else if (p.equals("noforce")) {
                t = new Tuning(t.maxChunkSize, t.idleTimeout, t.headersTimeout, t.retries, t.sink, false);
            } else {
                throw new IllegalArgumentException("unknown prototype option " + p + " in " + name);
            }
        }
        return t;
    }
}
