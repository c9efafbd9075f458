/**
 * The recordings player: a Spring Boot WebFlux app that lists an account's newest recordings on a plain HTML page
 * ({@code GET /}) and streams their audio ({@code GET /recordings/{sid}.mp3} and {@code .wav}) from the LaML API to
 * the browser, with byte ranges passed upstream and backpressure from the browser's socket to the API's.
 *
 * <p>An example application, not a library: its types are public only because Spring needs them to be. Unless a
 * type says otherwise, no method accepts or returns {@code null}.
 */
@NullMarked
package dev.laml.recordings.player;

import org.jspecify.annotations.NullMarked;
