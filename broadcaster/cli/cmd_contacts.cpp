// tocsinctl contacts add|show|import.
#include <algorithm>
#include <charconv>
#include <iostream>
#include <thread>

#include "broadcaster/cli/cli.h"
#include "common/consent/consent.h"
#include "common/contacts/import.h"
#include "common/crypto/key_files.h"

namespace tocsin::cli {
namespace {

std::optional<double> parseCoordinate(const std::optional<std::string>& text, const char* name) {
  if (!text) return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size())
    throw UsageError(std::string("option --") + name + " must be a number");
  return v;
}

Status contactsAdd(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"name"}, {"zone"}, {"language"}, {"time-zone"}, {"lat"}, {"lon"}});
  args.expectPositionals(1, 1, "contacts add PHONE [--name N] [--zone Z] [--language L] [--time-zone TZ] "
                               "[--lat X --lon Y]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  ContactDetails d;
  d.name = args.get("name");
  d.zone = args.get("zone");
  d.language = args.get("language");
  d.timeZone = args.get("time-zone");
  d.latitude = parseCoordinate(args.get("lat"), "lat");
  d.longitude = parseCoordinate(args.get("lon"), "lon");
  UpsertResult result;
  TOCSIN_RETURN_IF_ERROR(e->audit->write(*e->store, ctx.actor(), [&](StoreTx& tx, AuditRecorder& rec) {
    TOCSIN_ASSIGN_OR_RETURN(result, e->book->upsert(tx, rec, phone, d, "cli", /*personSignedUp=*/false));
    return Status::okStatus();
  }));
  const char* what = result.outcome == UpsertResult::Outcome::kCreated   ? "created"
                     : result.outcome == UpsertResult::Outcome::kUpdated ? "updated"
                                                                          : "unchanged";
  ctx.out << "contact #" << result.id << " " << phone.e164 << " (" << phone.numberType << ", " << phone.region
          << "): " << what << "\n";
  return Status::okStatus();
}

void printConsentState(std::ostream& out, StoreTx& tx, const Contact& c, Timestamp now) {
  std::vector<std::string> purposes;
  for (const auto& ev : tx.consent().history(c.id))
    if (std::find(purposes.begin(), purposes.end(), ev.purpose) == purposes.end()) purposes.push_back(ev.purpose);
  if (purposes.empty()) out << "  consent:     none recorded\n";
  for (const auto& p : purposes) {
    const auto latest = tx.consent().latest(c.id, p);
    const bool valid = tx.consent().hasValidConsent(c.id, p, now);
    out << "  consent:     " << p << ": " << (valid ? "valid" : "not valid") << " (last event "
        << consentActionName(latest->action) << " " << formatUtc(latest->recordedAt) << ")\n";
  }
}

Status contactsShow(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "contacts show PHONE");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  return e->store->read([&](StoreTx& tx) {
    auto c = tx.contacts().findByPhone(phone.e164);
    if (!c) {
      if (e->book->isSuppressed(tx, phone.e164))
        return Status::notFound(phone.e164 + " is not a contact; it is suppressed (erased or opted out)");
      return Status::notFound("no contact with number " + phone.e164);
    }
    auto show = [&](const char* label, const std::optional<std::string>& v) {
      ctx.out << "  " << label << v.value_or("-") << "\n";
    };
    ctx.out << "contact #" << c->id << "\n  phone:       " << c->phone << " (" << c->numberType << ", " << c->region
            << ")\n";
    show("name:        ", c->details.name);
    show("language:    ", c->details.language);
    show("time zone:   ", c->details.timeZone);
    show("zone:        ", c->details.zone);
    if (c->details.latitude)
      ctx.out << "  position:    " << *c->details.latitude << "," << *c->details.longitude << "\n";
    ctx.out << "  source:      " << c->source << "\n  created:     " << formatUtc(c->createdAt)
            << "\n  updated:     " << formatUtc(c->updatedAt) << "\n";
    printConsentState(ctx.out, tx, *c, ctx.clock.now());
    return Status::okStatus();
  });
}

Status contactsImport(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"workers"}});
  args.expectPositionals(1, 1, "contacts import FILE.csv [--workers N]");
  const std::string path = args.positionals()[0];
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(std::string text, readWholeFile(path));
  ImportOptions opts;
  opts.label = path;
  // Numbers are normalised by copies of this program ("internal phone-worker"), one per core.
  const auto workers = static_cast<unsigned>(
      args.getInt("workers", 0, 64).value_or(std::max(1u, std::thread::hardware_concurrency())));
  const PhoneWorkerPool pool({selfExecutable(), "internal", "phone-worker", "--region", e->phones->defaultRegion()},
                             workers);
  if (workers > 1) opts.workers = &pool;
  ContactImporter importer(*e->phones, *e->book);
  TOCSIN_ASSIGN_OR_RETURN(ImportReport r, importer.run(*e->store, *e->audit, ctx.actor(), text, opts));
  if (!r.committed) {
    ctx.err << path << ": import refused, nothing was written. " << r.problems.size() << " bad row"
            << (r.problems.size() == 1 ? "" : "s") << ":\n";
    for (const auto& p : r.problems) ctx.err << "  line " << p.line << ": " << p.reason << "\n";
    ctx.failedVerdict = true;
    return Status::okStatus();
  }
  ctx.out << path << ": imported " << r.rows << " rows: " << r.created << " created, " << r.updated << " updated, "
          << r.unchanged << " unchanged, " << r.duplicatesMerged << " duplicate rows merged\n";
  return Status::okStatus();
}

// Hidden: the worker process behind contacts import (see common/phone/phone_workers.h).
Status phoneWorker(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"region"}});
  args.expectPositionals(0, 0, "internal phone-worker --region R");
  const PhoneNormalizer phones(args.require("region"));
  if (runPhoneWorker(phones, std::cin, ctx.out) != 0) return Status::ioError("phone worker could not write");
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& contactCommands() {
  static const std::vector<Command> kCommands = {
      {"contacts add", "contacts add PHONE [--name N] [--zone Z] ...", "add a contact or update its details",
       contactsAdd},
      {"contacts show", "contacts show PHONE", "show a contact and the state of each consent", contactsShow},
      {"contacts import", "contacts import FILE.csv", "import contacts (header phone,name,zone,language), all or nothing",
       contactsImport},
      {"internal phone-worker", "internal phone-worker --region R", "", phoneWorker},
  };
  return kCommands;
}

}  // namespace tocsin::cli
