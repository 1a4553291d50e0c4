// SqliteStore: the Store on one SQLite file in WAL mode.
//
// Opening sets WAL, synchronous=FULL (a commit survives power loss), foreign keys,
// secure_delete (erased rows are overwritten, not left in free pages) and an explicit busy
// timeout, then migrates the schema, after copying an existing store that is behind (see
// SqliteOptions::migrationBackupDir). A store made by a newer Tocsin is refused. One
// SqliteStore per thread; many per file.
//
// Writers take turns fairly. SQLite's busy timeout alone lets a process that writes in a tight
// loop (the broadcaster, one transaction per pass) starve another that polls for the lock (an
// operator approving an alert). So every write also goes through a lock file next to the store
// (`<store>-writers`): ordinary writers hold it shared from before their BEGIN to their COMMIT;
// a store opened with `yieldToWriters` takes it exclusively, and lets it go at once, before each
// of its transactions, so it waits while anyone else is waiting to write.
#pragma once

#include <memory>
#include <string>

#include "common/base/clock.h"
#include "common/store/store.h"

namespace tocsin {

struct SqliteOptions {
  int busyTimeoutMs = 5000;  // how long a writer waits for another process's lock
  bool create = true;        // create the file when missing
  bool yieldToWriters = false;  // a writer in a loop: lets other writers go first (see above)
  Clock* clock = nullptr;       // how a yielding writer waits its turn; REQUIRED with yieldToWriters
  // Before migrating an existing store forward, a copy of it is taken here (created 0700 if
  // missing); empty: "backups" beside the store.
  std::string migrationBackupDir;
};

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, const SqliteOptions& options = {});
  ~SqliteStore() override;

  Status read(const Body& body) override;
  Status write(const Body& body) override;
  StoreInfo info() const override;
  Status compact() override;
  Result<uint64_t> changeCount() override;

  // A consistent copy of the whole store at one moment, taken with SQLite's online backup API
  // while others read and write (WAL: writers are not held up). `path` must not exist; the
  // copy is written beside it, synced and renamed into place, mode 0600, as a single file
  // (rollback journal) that opens as a store again.
  Status backupTo(const std::string& path);

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  Status run(bool write, const Body& body);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tocsin
