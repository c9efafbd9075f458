package dev.laml.recordings.reactor.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 digests, which every JDK provides. */
public final class Sha256 {

    private Sha256() {
    }

    /** A fresh digest; not thread-safe, like every {@link MessageDigest}. */
    public static MessageDigest create() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
