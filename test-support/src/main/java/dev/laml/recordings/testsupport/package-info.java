/**
 * Test helpers shared by the modules' tests (not published): the Netty leak-detection listener and extension, relays
 * and proxies that misbehave on purpose, special files. Not API: may change in any release.
 */
@NullMarked
package dev.laml.recordings.testsupport;

import org.jspecify.annotations.NullMarked;
