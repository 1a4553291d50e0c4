// Direct SQL on a store file, bypassing Tocsin: how tests play the attacker or the damaged disk.
#pragma once

#include <string>

namespace tocsin::testing {

// Runs `sql` on the database at `path`; throws on error. `path` may also be a PostgreSQL
// connection string ("host=..."), or a store path registered as standing for one.
void rawSql(const std::string& path, const std::string& sql);
// Returns the first column of the first row as text ("" when no row).
std::string rawQuery(const std::string& path, const std::string& sql);
// "DROP TRIGGER ...; " in the dialect of the store at `path`: how an attacker removes a guard.
std::string dropTriggerSql(const std::string& path, const std::string& trigger, const std::string& table);
// The PostgreSQL connection string registered for `path`; "" for none.
std::string registeredPostgres(const std::string& path);
// From now on, rawSql/rawQuery on `path` reach the PostgreSQL database `conninfo`.
void registerPostgresStore(const std::string& path, const std::string& conninfo);

}  // namespace tocsin::testing
