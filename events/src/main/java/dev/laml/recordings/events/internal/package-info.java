/** Implementation of the events module (the JDBC inbox); not API: may change in any release. */
@NullMarked
package dev.laml.recordings.events.internal;

import org.jspecify.annotations.NullMarked;
