#include <catch2/catch.hpp>

#include "common/csv/csv.h"

using namespace tocsin;

namespace {
std::vector<CsvRecord> readAll(std::string_view text, std::vector<std::pair<size_t, std::string>>* errors = nullptr) {
  CsvReader r(text);
  std::vector<CsvRecord> out;
  while (true) {
    auto rec = r.next();
    if (!rec.ok()) {
      if (errors) errors->push_back({r.errorLine(), rec.status().message()});
      continue;
    }
    if (!*rec) break;
    out.push_back(**rec);
  }
  return out;
}
}  // namespace

TEST_CASE("Plain records split on commas, with LF or CRLF, skipping blank lines") {
  auto recs = readAll("phone,name\r\n0612345678,Ann\n\n0756123456,\n");
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].fields == std::vector<std::string>{"phone", "name"});
  CHECK(recs[1].fields == std::vector<std::string>{"0612345678", "Ann"});
  CHECK(recs[2].line == 4);
  CHECK(recs[2].fields == std::vector<std::string>{"0756123456", ""});
}

TEST_CASE("Quoted fields keep commas, doubled quotes and line breaks, lines are counted") {
  auto recs = readAll("a,b\n\"x, \"\"y\"\"\",\"two\nlines\"\nlast,row");
  REQUIRE(recs.size() == 3);
  CHECK(recs[1].fields == std::vector<std::string>{"x, \"y\"", "two\nlines"});
  CHECK(recs[1].line == 2);
  CHECK(recs[2].line == 4);
  CHECK(recs[2].fields == std::vector<std::string>{"last", "row"});
}

TEST_CASE("A UTF-8 byte order mark is skipped") {
  auto recs = readAll("\xEF\xBB\xBFphone\n1\n");
  REQUIRE(recs.size() == 2);
  CHECK(recs[0].fields[0] == "phone");
}

TEST_CASE("Malformed records are reported with their line and the reader carries on") {
  std::vector<std::pair<size_t, std::string>> errors;
  auto recs = readAll("a,b\nbad\"quote,1\nok,2\n\"closed\"junk,3\nok,4\n\"never closed,5\n", &errors);
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].first == 2);
  CHECK(errors[0].second.find("quote inside an unquoted field") != std::string::npos);
  CHECK(errors[1].first == 4);
  CHECK(errors[2].first == 6);
  CHECK(errors[2].second.find("never closed") != std::string::npos);
  REQUIRE(recs.size() == 3);
  CHECK(recs[1].fields == std::vector<std::string>{"ok", "2"});
  CHECK(recs[2].fields == std::vector<std::string>{"ok", "4"});
}
