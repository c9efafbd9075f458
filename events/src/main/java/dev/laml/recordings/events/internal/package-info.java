/** Implementation of the events module (the JDBC inbox); not API: free to change in any release. */
package dev.laml.recordings.events.internal;
