// The store's schema on PostgreSQL: forward-only steps numbered as SQLite's (migrations.h).
#pragma once

#include <vector>

#include "common/store/postgres.h"

namespace tocsin::pg {

const std::vector<Migration>& storeMigrations();

}  // namespace tocsin::pg
