// Direct SQL on a store file, bypassing Tocsin: how tests play the attacker or the damaged disk.
#pragma once

#include <string>

namespace tocsin::testing {

// Runs `sql` on the database at `path`; throws on error.
void rawSql(const std::string& path, const std::string& sql);
// Returns the first column of the first row as text ("" when no row).
std::string rawQuery(const std::string& path, const std::string& sql);

}  // namespace tocsin::testing
