package dev.laml.recordings.events;

import dev.laml.recordings.events.internal.JdbcInbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SqliteInboxTest extends InboxContract {

    @TempDir
    Path dir;

    @Override
    RecordingInbox create(int capacity) {
        return JdbcInbox.sqlite(dir.resolve("state/inbox.db"), capacity);
    }

    @Override
    RecordingInbox reopen() {
        return RecordingInbox.sqlite(dir.resolve("state/inbox.db"));
    }

    @Test
    void theDatabaseIsInWalModeAndItsDirectoryIsCreated() throws Exception {
        RecordingInbox inbox = inbox();
        inbox.offer(event(sid(), "completed")).block(WAIT);
        assertThat(dir.resolve("state/inbox.db")).exists();
        // WAL mode keeps a -wal file beside the database while it is open.
        assertThat(dir.resolve("state/inbox.db-wal")).exists();
        assertThat(inbox.describe()).isEqualTo(dir.resolve("state/inbox.db").toAbsolutePath().toString());
    }

    @Test
    void anInboxThatCannotBeCreatedFailsNamingItsPath() throws Exception {
        Path file = Files.createFile(dir.resolve("not-a-dir"));
        assertThatThrownBy(() -> RecordingInbox.sqlite(file.resolve("inbox.db")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }
}
