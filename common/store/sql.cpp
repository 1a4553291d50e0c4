#include "common/store/sql.h"

namespace tocsin::sql {

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
