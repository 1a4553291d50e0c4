#include "broadcaster/engine/expander.h"

#include "broadcaster/engine/job_texts.h"
#include "broadcaster/engine/shops.h"
#include "common/consent/consent.h"
#include "policies/message_class.h"
#include "policies/promotion.h"

namespace tocsin::engine {

Result<ExpansionStep> Expander::step(StoreTx& tx, const Job& job, ScanCursor from, int64_t batch, Timestamp now) const {
  const Texts& texts = job.texts;
  if (texts.empty()) return Status::dataLoss(job.label() + " has no text to send (removed by retention)");
  const Target& target = job.target;
  const MessageClass cls = job.messageClass;
  const bool campaign = job.kind == JobKind::kCampaign;
  const std::string purpose = campaign ? job.purpose.value_or("") : kAlertsPurpose;
  const int rank = tocsin::rank(cls);
  // Zones alone can be filtered by the store; shapes need each contact's coordinates.
  const bool zonesOnly = !target.all && target.circles.empty() && target.polygons.empty();
  const std::vector<std::string> zones = zonesOnly ? target.zones : std::vector<std::string>{};

  ExpansionStep step;
  if (!campaign && target.circles.empty() && target.polygons.empty()) {
    // Zones or everyone: the store applies the same rule in a few statements per batch.
    AlertFanOut f;
    f.job = job.id;
    f.rank = rank;
    f.national = cls == MessageClass::kNational;
    f.everyone = target.all;
    f.zones = target.zones;
    for (const auto& t : texts) f.languages.push_back(t.first);
    f.from = from;
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
  // A campaign's shop: its reply route per country and whether its links are tracked.
  std::optional<Shop> shop;
  if (campaign) shop = tx.shops().findShop(job.purpose->substr(std::string("promotions:").size()));
  if (!shop && campaign) {
    shop.emplace();
    shop->id = shop->name = job.purpose->substr(std::string("promotions:").size());
  }
  static const std::vector<BearerEntry> kNoBearers;
  const std::vector<BearerEntry>& bearers = bearers_ ? *bearers_ : kNoBearers;
  const bool tracked = campaign && shop->tracking && shops_ && !shops_->publicUrl.empty();
  std::map<std::pair<std::string, std::string>, std::string> footers;  // (language, country) -> footer
  Status linkFailure;
  auto visit = [&](const AudienceMember& c) {
    if (!zonesOnly && !policy::inTarget(target, c.zone, c.latitude, c.longitude)) return;
    policy::AudienceVerdict verdict;
    if (campaign) {
      const bool suppressed = c.standing && tx.suppressions().contains(suppressor_.fingerprint(c.phone));
      verdict = policy::campaignAudience(purpose, c.standing, suppressed);
    } else {
      verdict = policy::alertAudience(cls, c.source, c.standing);
    }
    if (verdict.kind == policy::AudienceVerdict::Kind::kOutside) return;
    const auto& [language, text] = textFor(texts, c.language.value_or(""));
    m.contact = c.id;
    m.sequence = c.id;
    m.destination = c.phone;
    m.language = language;
    m.body.reset();
    m.lastError.reset();
    const bool refused = verdict.kind == policy::AudienceVerdict::Kind::kRefused;
    if (campaign) {
      auto key = std::make_pair(language, c.region);
      auto f = footers.find(key);
      if (f == footers.end())
        f = footers.emplace(key, policy::stopFooterFor(policies_, language,
                                                       stopRouteFor(*shop, job.sender, bearers, job.bearers, c.region)))
                .first;
      std::function<std::string(const std::string&)> shorten;
      if (tracked && !refused)
        shorten = [&](const std::string& url) -> std::string {
          for (int attempt = 0; attempt < 3; ++attempt) {
            auto code = newLinkCode(shops_->linkCodeLength);
            if (!code.ok()) {
              linkFailure = code.status();
              return url;
            }
            if (tx.shops().linkTarget(*code)) continue;  // taken: draw again
            tx.shops().insertLink(LinkRecord{*code, job.id, c.id, url, now});
            return shops_->publicUrl + "/l/" + *code;
          }
          linkFailure = Status::internal("no free short-link code after 3 draws");
          return url;
        };
      m.body = campaignMessage(text, c.name, f->second, shorten);
    }
    if (refused) {
      m.state = MessageState::kRefused;
      m.lastError = verdict.reason;
      ++step.refused;
    } else {
      m.state = MessageState::kQueued;
      ++step.queued;
    }
    tx.messages().insert(m);
  };
  ScanStep scan;
  if (campaign && (!target.lists.empty() || !target.tags.empty())) {
    const ScanStep s = tx.shops().scanShopAudience(from, batch, target.lists, shop->id, target.tags, target.zones, target.all,
                                                   purpose, visit);
    scan = s;
  } else {
    scan = tx.contacts().scanAudience(from, batch, zones, purpose, visit);
  }
  TOCSIN_RETURN_IF_ERROR(linkFailure.withContext(job.label() + ": a short link"));
  tx.messages().countInserted(job.id, MessageState::kQueued, step.queued);
  tx.messages().countInserted(job.id, MessageState::kRefused, step.refused);
  step.scanned = scan.scanned;
  step.finished = scan.finished;
  tx.jobs().advanceExpansion(job.id, scan.next, step.queued + step.refused, now);
  return step;
}

}  // namespace tocsin::engine
