// Moving a SQLite store into PostgreSQL (tocsinctl store copy --to postgresql:...), for an
// appliance that becomes the first of several nodes.
//
// The copy is recorded first in the SQLite store's audit log ("store.copy"), so the copy holds
// its own record. Then, in one PostgreSQL transaction, every table is copied row for row into an
// empty store at the same schema version (the consent standings are rebuilt by the database's
// own triggers as the consent history goes in, in order) and the identity counters are moved
// past the copied ids. Once committed, the PostgreSQL store is opened with the same keys and its
// audit chain verified against this node's anchor, and both stores are counted alike. The
// broadcaster must be stopped (the caller checks); the SQLite store is left as it was.
#pragma once

#include <string>

#include "common/setup/store_backup.h"
#include "common/setup/store_environment.h"

namespace tocsin {

struct CopyResult {
  StoreCounts source;           // the SQLite store, after recording the copy
  StoreCounts target;           // the PostgreSQL store, as committed
  int64_t rows = 0;             // rows copied
  int64_t verifiedEntries = 0;  // audit entries verified on PostgreSQL
  int64_t provenRows = 0;       // consent rows verified against the chain there
  std::string location;         // the PostgreSQL store, without its password
};

// `env` is the SQLite store; `conninfo` a libpq connection string to an empty database.
Result<CopyResult> copyStoreToPostgres(StoreEnvironment& env, const std::string& conninfo, const std::string& actor,
                                       Clock& clock);

}  // namespace tocsin
