#include "broadcaster/engine/expander.h"

#include "broadcaster/cap/cap_alert.h"
#include "common/consent/consent.h"
#include "policies/message_class.h"
#include "policies/promotion.h"

namespace tocsin::engine {

Result<ExpansionStep> Expander::step(StoreTx& tx, const Job& job, int64_t batch, Timestamp now) const {
  TOCSIN_ASSIGN_OR_RETURN(const Texts texts, parseTexts(job.texts.value_or("[]")));
  TOCSIN_ASSIGN_OR_RETURN(const policy::Target target, policy::parseTarget(job.target));
  const auto cls = policy::parseClass(job.messageClass);
  if (!cls) return Status::dataLoss("job " + std::to_string(job.id) + " has an unknown class '" + job.messageClass + "'");
  const bool campaign = job.kind == "campaign";
  const std::string purpose = campaign ? job.purpose.value_or("") : kAlertsPurpose;
  const int rank = policy::rank(*cls);
  // Zones alone can be filtered by the store; shapes need each contact's coordinates.
  const bool zonesOnly = !target.all && target.circles.empty() && target.polygons.empty();
  const std::vector<std::string> zones = zonesOnly ? target.zones : std::vector<std::string>{};

  ExpansionStep step;
  if (!campaign && target.circles.empty() && target.polygons.empty()) {
    // Zones or everyone: the store applies the same rule in a few statements per batch.
    AlertFanOut f;
    f.job = job.id;
    f.rank = rank;
    f.national = *cls == policy::MessageClass::kNational;
    f.everyone = target.all;
    f.zones = target.zones;
    for (const auto& t : texts) f.languages.push_back(t.first);
    f.from = job.expandCursor;
    f.batch = batch;
    f.at = now;
    const FanOutStep s = tx.messages().fanOutAlert(f);
    step.scanned = s.scan.scanned;
    step.queued = s.queued;
    step.refused = s.refused;
    step.finished = s.scan.finished;
    tx.jobs().advanceExpansion(job.id, s.scan.next, s.queued + s.refused, now);
    return step;
  }
  NewMessage m;
  m.job = job.id;
  m.rank = rank;
  m.at = now;
  const ScanStep scan = tx.contacts().scanAudience(job.expandCursor, batch, zones, purpose, [&](const AudienceMember& c) {
    if (!zonesOnly && !policy::inTarget(target, c.zone, c.latitude, c.longitude)) return;
    policy::AudienceVerdict verdict;
    if (campaign) {
      const bool suppressed = c.standing && tx.suppressions().contains(suppressor_.fingerprint(c.phone));
      verdict = policy::campaignAudience(purpose, c.standing, suppressed);
    } else {
      verdict = policy::alertAudience(*cls, c.source, c.standing);
    }
    if (verdict.kind == policy::AudienceVerdict::Kind::kOutside) return;
    const auto& [language, text] = textFor(texts, c.language.value_or(""));
    m.contact = c.id;
    m.sequence = c.id;
    m.destination = c.phone;
    m.language = language;
    m.body.reset();
    m.lastError.reset();
    if (campaign) m.body = policy::withStopFooter(personalise(text, c.name), policies_.stopFooter(language));
    if (verdict.kind == policy::AudienceVerdict::Kind::kRefused) {
      m.state = MessageState::kRefused;
      m.lastError = verdict.reason;
      ++step.refused;
    } else {
      m.state = MessageState::kQueued;
      ++step.queued;
    }
    tx.messages().insert(m);
  });
  tx.messages().countInserted(job.id, MessageState::kQueued, step.queued);
  tx.messages().countInserted(job.id, MessageState::kRefused, step.refused);
  step.scanned = scan.scanned;
  step.finished = scan.finished;
  tx.jobs().advanceExpansion(job.id, scan.next, step.queued + step.refused, now);
  return step;
}

}  // namespace tocsin::engine
