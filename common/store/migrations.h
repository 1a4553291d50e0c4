// Schema migrations: versioned, forward-only, each applied in its own transaction.
#pragma once

#include <string>
#include <vector>

#include "common/base/status.h"
#include "common/store/sqlite.h"

namespace tocsin::sql {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// Every migration this build knows, in order; the last one's version is the newest schema.
const std::vector<Migration>& migrations();
int latestSchemaVersion();

// SQLite application_id that marks a file as a Tocsin store ("TCS1").
constexpr int64_t kApplicationId = 0x54435331;

// Brings the database up to the newest schema. Refuses (kFailedPrecondition) a store made by a
// newer Tocsin and a SQLite file that is not a Tocsin store. Safe when several processes open the
// same new store at once: each step re-checks the version inside its write transaction.
Status migrate(SqliteDatabase& db);

}  // namespace tocsin::sql
