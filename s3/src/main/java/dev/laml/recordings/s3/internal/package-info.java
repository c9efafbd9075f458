/**
 * Implementation of the S3 target: streamed and multipart uploads, integrity checks, error translation.
 *
 * <p>Not API: may change in any release. The types are public only because other packages of this module use them.
 */
@NullMarked
package dev.laml.recordings.s3.internal;

import org.jspecify.annotations.NullMarked;
