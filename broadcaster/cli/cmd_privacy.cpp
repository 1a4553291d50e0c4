// tocsinctl retention sweep, erase.
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "common/privacy/erasure.h"
#include "common/privacy/person_export.h"
#include "common/setup/store_keys.h"
#include "common/privacy/retention.h"
#include "policies/retention.h"

namespace tocsin::cli {
namespace {

Status retentionSweep(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "retention sweep");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  RetentionSweeper sweeper(*e->store, *e->audit, *e->suppressor);
  TOCSIN_ASSIGN_OR_RETURN(SweepReport r,
                          sweeper.sweep(policy::retentionCutoffs(e->config.retention, ctx.clock.now()), ctx.actor()));
  ctx.out << "retention sweep: " << r.summary() << "\n";
  return Status::okStatus();
}

Status erase(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "erase PHONE");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  TOCSIN_ASSIGN_OR_RETURN(ErasureReport r, eraseNumber(*e->store, *e->audit, *e->suppressor, ctx.actor(), phone));
  if (r.contactFound)
    ctx.out << "erased contact #" << r.contactId << ": " << r.counts.consentEvents << " consent events deleted, "
            << r.counts.messagesScrubbed << " messages scrubbed\n";
  else
    ctx.out << "no contact had this number; " << r.counts.messagesScrubbed << " messages scrubbed\n";
  ctx.out << "also removed: " << r.counts.incoming << " incoming messages, " << r.counts.deliveryReports
          << " delivery reports, " << r.counts.signups << " pending sign-ups, " << r.counts.webhookDeliveries
          << " webhook posts, " << r.counts.jobTargets << " job targets; the write-ahead log is emptied\n";
  ctx.out << (r.suppressionAdded ? "the number is now suppressed: it will not be imported or messaged again\n"
                                 : "the number was already suppressed\n");
  return Status::okStatus();
}

Status personExport(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"out"}});
  args.expectPositionals(1, 1, "person export PHONE --out FILE");
  const std::string out = args.require("out");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber phone, e->phones->normalize(args.positionals()[0]));
  TOCSIN_ASSIGN_OR_RETURN(auto key, e->keys.signingKey(kExportSigningKeyName));
  TOCSIN_ASSIGN_OR_RETURN(PersonExport x, exportPerson(*e->store, *e->audit, *key, *e->suppressor, ctx.actor(), phone));
  TOCSIN_RETURN_IF_ERROR(writePersonExport(x, out));
  ctx.out << (x.found ? "" : "the store holds nothing about this number; the copy says so\n") << "wrote " << out
          << " (signed JSON, check with: tocsinctl consent verify " << out << "), " << out << ".sig and " << out
          << ".html (readable)\n";
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& privacyCommands() {
  static const std::vector<Command> kCommands = {
      {"retention sweep", "retention sweep", "delete what is past its retention period", retentionSweep},
      {"erase", "erase PHONE", "erase a person everywhere, keep a suppression fingerprint", erase},
      {"person export", "person export PHONE --out FILE", "a person's own copy of their data, signed (art. 15)",
       personExport},
  };
  return kCommands;
}

}  // namespace tocsin::cli
