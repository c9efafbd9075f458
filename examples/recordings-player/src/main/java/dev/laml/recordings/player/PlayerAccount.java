package dev.laml.recordings.player;

/**
 * The account whose recordings the player serves: {@code laml.recordings.account-sid}, else
 * {@code laml.recordings.project-id} (on SignalWire the account sid is the project id). Checked at start, so that a
 * missing or malformed setting stops the app with a message naming the property rather than failing every request.
 *
 * <p>Immutable and thread-safe.
 *
 * @param sid the account sid, a UUID; never null
 */
public record PlayerAccount(String sid) {
}
