#include "common/csv/csv.h"

namespace tocsin {

CsvReader::CsvReader(std::string_view text, char separator) : text_(text), separator_(separator) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

Result<std::optional<CsvRecord>> CsvReader::next() {
  // Skip blank lines.
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return std::optional<CsvRecord>();

  CsvRecord rec;
  rec.line = line_;
  std::string field;
  auto skipRestOfLine = [&] {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    if (pos_ < text_.size()) {
      ++pos_;
      ++line_;
    }
  };
  while (true) {
    field.clear();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      const size_t openLine = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < text_.size()) {
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < text_.size() && text_[pos_] == '"') {
            field += '"';
            ++pos_;
          } else {
            closed = true;
            break;
          }
        } else {
          if (c == '\n') ++line_;
          field += c;
        }
      }
      if (!closed)
        return error(openLine, "a quoted field is never closed");
      if (pos_ < text_.size() && text_[pos_] != separator_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        const size_t bad = line_;
        skipRestOfLine();
        return error(bad, "unexpected text after a closing quote");
      }
    } else {
      while (pos_ < text_.size() && text_[pos_] != separator_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        if (text_[pos_] == '"') {
          const size_t bad = line_;
          skipRestOfLine();
          return error(bad, "a quote inside an unquoted field (quote the whole field and double the quote)");
        }
        field += text_[pos_++];
      }
    }
    rec.fields.push_back(field);
    if (pos_ >= text_.size()) break;
    if (text_[pos_] == separator_) {
      ++pos_;
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    if (text_[pos_] == '\r') ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
    ++line_;
    break;
  }
  return std::optional<CsvRecord>(std::move(rec));
}

std::string csvSafeCell(std::string_view v) {
  std::string out = "\"";
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r'))
    out += '\'';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace tocsin
