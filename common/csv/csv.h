// An RFC 4180 CSV reader over text in memory: quoted fields, doubled quotes, separators and
// line breaks inside quotes, CRLF or LF, a UTF-8 byte order mark. After a malformed record it
// resynchronises at the next line, so a caller can report every bad row, not just the first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"

namespace tocsin {

struct CsvRecord {
  size_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view text, char separator = ',');

  // The next record; nullopt at the end. A malformed record yields an error (its line is
  // errorLine()), and the following call continues after it. Blank lines are skipped.
  Result<std::optional<CsvRecord>> next();
  size_t errorLine() const { return errorLine_; }

 private:
  Status error(size_t line, const std::string& reason) {
    errorLine_ = line;
    return Status::invalid(reason);
  }
  size_t errorLine_ = 0;
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
  char separator_;
};

// One cell of a CSV file meant to be opened in a spreadsheet, made inert as OWASP's
// CSV-injection guidance describes: a cell starting with = + - @, a tab or a carriage return
// gets a leading single quote (so "=HYPERLINK(...)" shows as text, never runs as a formula),
// and every cell is quoted with inner quotes doubled.
std::string csvSafeCell(std::string_view value);

}  // namespace tocsin
