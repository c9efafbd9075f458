/**
 * The webhooks SignalWire sends, as protocol without I/O: {@link dev.laml.recordings.webhooks.WebhookSignature}
 * checks a request's signature (JDK crypto only), {@link dev.laml.recordings.webhooks.FormFields} decodes a
 * form body, and {@link dev.laml.recordings.webhooks.RecordingStatusCallback} types the recording status
 * callback's fields. A receiver (the {@code events} module, or your own endpoint) does the I/O around them:
 * read the body, check the signature against the public URL, type the fields, answer.
 *
 * <p>Unless a member says otherwise, no method accepts or returns {@code null}.
 */
@NullMarked
package dev.laml.recordings.webhooks;

import org.jspecify.annotations.NullMarked;
