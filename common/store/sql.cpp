#include "common/store/sql.h"

#include <sqlite3.h>

namespace tocsin::sql {

// A failure from SQLite carries its result code, classified here; PostgreSQL's arrive classified.
Status StoreFailure::toStatus() const {
  if (code_ == -1) return status_;
  switch (code_ & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::unavailable(std::string("the store is busy (another process holds its lock): ") + what());
    case SQLITE_FULL:
      return Status::exhausted(std::string("the disk holding the store is full: ") + what());
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::dataLoss(std::string("the store file is damaged: ") + what());
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::ioError(what());
    case SQLITE_CONSTRAINT:
      return Status::failedPrecondition(what());
    default:
      return Status::internal(what());
  }
}

std::string replaceOnConflict(std::string_view key, std::string_view columns) {
  std::string out = " ON CONFLICT (" + std::string(key) + ") DO UPDATE SET ";
  bool first = true;
  size_t pos = 0;
  while (pos <= columns.size()) {
    size_t end = columns.find(',', pos);
    if (end == std::string_view::npos) end = columns.size();
    std::string_view column = columns.substr(pos, end - pos);
    while (!column.empty() && column.front() == ' ') column.remove_prefix(1);
    while (!column.empty() && column.back() == ' ') column.remove_suffix(1);
    if (!column.empty() && column != key) {
      out += (first ? "" : ", ") + std::string(column) + " = excluded." + std::string(column);
      first = false;
    }
    pos = end + 1;
  }
  return out;
}

std::string jsonIntegers(const std::vector<int64_t>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + std::to_string(items[i]);
  return out + "]";
}

}  // namespace tocsin::sql
