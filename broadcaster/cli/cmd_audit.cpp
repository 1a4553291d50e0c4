// tocsinctl audit verify|list.
#include <ostream>

#include "broadcaster/cli/cli.h"
#include "common/base/text.h"

namespace tocsin::cli {
namespace {

Status auditVerify(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(0, 0, "audit verify");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(AuditVerification v, e->audit->verify(*e->store));
  if (v.intact()) {
    ctx.out << "audit chain intact: " << v.entries << " entries; " << v.provenRows
            << " consent events, consent texts and suppressions match it\n";
    return Status::okStatus();
  }
  ctx.out << v.explanation << "\n";
  ctx.failedVerdict = true;
  return Status::okStatus();
}

Status auditList(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"after"}, {"limit"}});
  args.expectPositionals(0, 0, "audit list [--after SEQ] [--limit N]");
  const auto after = args.getInt("after", 0, INT64_MAX).value_or(0);
  const auto limit = args.getInt("limit", 1, 1000000).value_or(100);
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  return e->store->read([&](StoreTx& tx) {
    tx.audit().page(after, limit, [&](const AuditEntry& a) {
      // Every field escaped: a stored reason cannot print as a line of its own.
      ctx.out << "#" << a.seq << "  " << formatUtc(a.recordedAt) << "  " << printable(a.actor) << "  "
              << printable(a.action) << "  " << printable(a.object) << "  " << printable(a.reason) << "\n";
    });
    return Status::okStatus();
  });
}

}  // namespace

const std::vector<Command>& auditCommands() {
  static const std::vector<Command> kCommands = {
      {"audit verify", "audit verify", "check the audit chain, its anchor, and the consent history, texts and suppressions against it", auditVerify},
      {"audit list", "audit list [--after SEQ] [--limit N]", "print audit entries", auditList},
  };
  return kCommands;
}

}  // namespace tocsin::cli
