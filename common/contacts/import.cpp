#include "common/contacts/import.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "common/base/text.h"
#include "common/csv/csv.h"

namespace tocsin {
namespace {

struct Columns {
  int phone = -1, name = -1, zone = -1, language = -1, timeZone = -1, latitude = -1, longitude = -1;
  size_t count = 0;
};

Result<Columns> readHeader(const CsvRecord& header) {
  Columns c;
  c.count = header.fields.size();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = toLower(trim(header.fields[i]));
    int* slot = nullptr;
    if (name == "phone") slot = &c.phone;
    else if (name == "name") slot = &c.name;
    else if (name == "zone") slot = &c.zone;
    else if (name == "language") slot = &c.language;
    else if (name == "time_zone" || name == "timezone") slot = &c.timeZone;
    else if (name == "latitude") slot = &c.latitude;
    else if (name == "longitude") slot = &c.longitude;
    if (!slot) continue;  // other columns are allowed and ignored
    if (*slot >= 0) return Status::invalid("column '" + name + "' appears twice in the header");
    *slot = static_cast<int>(i);
  }
  if (c.phone < 0) return Status::invalid("the header has no 'phone' column (expected phone,name,zone,language)");
  return c;
}

std::optional<std::string> optionalField(const CsvRecord& r, int col) {
  if (col < 0) return std::nullopt;
  std::string v = trim(r.fields[static_cast<size_t>(col)]);
  if (v.empty()) return std::nullopt;
  return v;
}

Result<std::optional<double>> coordinate(const CsvRecord& r, int col, const char* what) {
  auto text = optionalField(r, col);
  if (!text) return std::optional<double>();
  double v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size())
    return Status::invalid(std::string(what) + " '" + *text + "' is not a number");
  return std::optional<double>(v);
}

// One data row after validation.
struct Row {
  size_t line = 0;
  PhoneNumber phone;
  ContactDetails details;
  Digest fingerprint{};
  std::string problem;  // empty when the row is good
};

// Checks everything but the number, which is normalised in bulk beforehand.
Status checkFields(const CsvRecord& rec, const Columns& cols) {
  if (rec.fields.size() != cols.count)
    return Status::invalid("has " + std::to_string(rec.fields.size()) + " fields but the header has " +
                           std::to_string(cols.count));
  for (const auto& f : rec.fields)
    if (!isValidUtf8(f)) return Status::invalid("is not valid UTF-8");
  return Status::okStatus();
}

Row buildRow(const CsvRecord& rec, const Columns& cols, Result<PhoneNumber> phone, const ContactBook& book) {
  Row row;
  row.line = rec.line;
  auto problem = [&](const Status& st) {
    row.problem = st.message();
    return row;
  };
  if (Status st = checkFields(rec, cols); !st.ok()) return problem(st);
  if (!phone.ok()) return problem(phone.status());
  if (Status st = checkSmsCapable(*phone); !st.ok()) return problem(st);
  row.phone = std::move(*phone);
  row.details.name = optionalField(rec, cols.name);
  row.details.zone = optionalField(rec, cols.zone);
  row.details.language = optionalField(rec, cols.language);
  row.details.timeZone = optionalField(rec, cols.timeZone);
  auto lat = coordinate(rec, cols.latitude, "latitude");
  if (!lat.ok()) return problem(lat.status());
  auto lon = coordinate(rec, cols.longitude, "longitude");
  if (!lon.ok()) return problem(lon.status());
  row.details.latitude = *lat;
  row.details.longitude = *lon;
  if (Status st = validateDetails(row.details); !st.ok()) return problem(st);
  row.fingerprint = book.fingerprint(row.phone);
  return row;
}

// Normalising numbers dominates the cost of an import. With a worker pool it runs in
// separate processes on every core (see phone_workers.h for why not threads), while this
// thread validates the rest of each row as its number comes back.
Result<std::vector<Row>> parseRows(const std::vector<CsvRecord>& records, const Columns& cols,
                                   const PhoneNormalizer& phones, const ContactBook& book,
                                   const PhoneWorkerPool* workers) {
  std::vector<Row> rows(records.size());
  auto build = [&](size_t i, Result<PhoneNumber> phone) { rows[i] = buildRow(records[i], cols, std::move(phone), book); };
  if (workers && records.size() >= 4096) {
    std::vector<std::string> numbers;
    numbers.reserve(records.size());
    for (const auto& rec : records)
      numbers.push_back(rec.fields.size() == cols.count ? trim(rec.fields[static_cast<size_t>(cols.phone)]) : "");
    TOCSIN_RETURN_IF_ERROR(workers->normalizeEach(numbers, build));
  } else {
    for (size_t i = 0; i < records.size(); ++i) {
      const auto& rec = records[i];
      build(i, rec.fields.size() == cols.count ? phones.normalize(trim(rec.fields[static_cast<size_t>(cols.phone)]))
                                               : Result<PhoneNumber>(Status::invalid("wrong field count")));
    }
  }
  return rows;
}

std::string basename(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void sortByLine(std::vector<ImportProblem>& problems) {
  std::sort(problems.begin(), problems.end(),
            [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
}

}  // namespace

Result<ImportReport> ContactImporter::run(Store& store, AuditLog& audit, const std::string& actor,
                                          std::string_view csvText, const ImportOptions& options) const {
  ImportReport report;
  CsvReader reader(csvText);
  std::optional<Columns> cols;
  std::vector<CsvRecord> records;
  while (true) {
    auto rec = reader.next();
    if (!rec.ok()) {
      report.problems.push_back({reader.errorLine(), rec.status().message()});
      if (!cols) break;  // a broken header leaves nothing to interpret
      ++report.rows;
      continue;
    }
    if (!*rec) break;
    if (!cols) {
      auto header = readHeader(**rec);
      if (!header.ok()) {
        report.problems.push_back({(*rec)->line, header.status().message()});
        return report;
      }
      cols = *header;
      continue;
    }
    records.push_back(std::move(**rec));
  }
  if (!cols && report.problems.empty()) report.problems.push_back({1, "the file is empty (expected a header line)"});
  if (!cols) return report;
  report.rows += records.size();

  TOCSIN_ASSIGN_OR_RETURN(std::vector<Row> rows, parseRows(records, *cols, phones_, book_, options.workers));
  records.clear();
  records.shrink_to_fit();

  // Merge rows that name the same number: later non-empty fields win.
  std::unordered_map<std::string, size_t> firstByPhone;
  firstByPhone.reserve(rows.size());
  std::vector<size_t> unique;
  for (size_t i = 0; i < rows.size(); ++i) {
    Row& r = rows[i];
    if (!r.problem.empty()) {
      report.problems.push_back({r.line, r.problem});
      continue;
    }
    auto [it, inserted] = firstByPhone.emplace(r.phone.e164, i);
    if (inserted) {
      unique.push_back(i);
    } else {
      Row& first = rows[it->second];
      first.details = mergeDetails(first.details, r.details);
      ++report.duplicatesMerged;
    }
  }
  if (!report.problems.empty()) {
    sortByLine(report.problems);
    return report;
  }
  // Writing in number order keeps the phone index's B-tree inserts local: several times faster
  // than file order for a large file.
  std::sort(unique.begin(), unique.end(), [&](size_t a, size_t b) { return rows[a].phone.e164 < rows[b].phone.e164; });

  ImportReport counts;
  std::vector<ImportProblem> refused;
  const std::string& source = options.source;
  Status st = audit.write(store, actor, [&](StoreTx& tx, AuditRecorder& rec) {
    for (size_t i : unique) {
      const Row& r = rows[i];
      if (!options.updateExisting) {
        if (auto known = tx.contacts().findByPhone(r.phone.e164)) {
          if (options.each) options.each(tx, known->id);
          ++counts.unchanged;
          continue;
        }
      }
      auto outcome = book_.applyUnaudited(tx, r.phone, r.details, source, rec.now(), &r.fingerprint);
      if (!outcome.ok()) {
        refused.push_back({r.line, outcome.status().message()});
        continue;
      }
      if (options.each) options.each(tx, outcome->id);
      switch (outcome->outcome) {
        case UpsertResult::Outcome::kCreated: ++counts.created; break;
        case UpsertResult::Outcome::kUpdated: ++counts.updated; break;
        case UpsertResult::Outcome::kUnchanged: ++counts.unchanged; break;
      }
    }
    if (!refused.empty()) return Status::refused("import refused");  // rolls everything back
    rec.record("contacts.import", "file:" + basename(options.label),
               "rows=" + std::to_string(report.rows) + " created=" + std::to_string(counts.created) +
                   " updated=" + std::to_string(counts.updated) + " unchanged=" + std::to_string(counts.unchanged) +
                   " duplicates_merged=" + std::to_string(report.duplicatesMerged) +
                   (options.into.empty() ? "" : " into " + options.into));
    return Status::okStatus();
  });
  if (!refused.empty()) {
    report.problems = std::move(refused);
    sortByLine(report.problems);
    return report;
  }
  TOCSIN_RETURN_IF_ERROR(st);
  report.created = counts.created;
  report.updated = counts.updated;
  report.unchanged = counts.unchanged;
  report.committed = true;
  return report;
}

}  // namespace tocsin
