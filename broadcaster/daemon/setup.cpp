#include "broadcaster/daemon/setup.h"

#include <set>

#include "common/config/json_reader.h"
#include "hardware/modem/modem_bank.h"
#include "hardware/smpp/link.h"

namespace tocsin::daemon {

Result<std::vector<ConfiguredBearer>> makeBearers(const Poco::JSON::Object::Ptr& document, Clock& clock) {
  std::vector<ConfiguredBearer> out;
  if (!document || !document->has("bearers")) return out;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto entries, root.objectArray("bearers"));
  std::set<std::string> names;
  for (auto& r : entries) {
    std::string type, carries = "everything";
    int64_t outstanding = 0;
    TOCSIN_RETURN_IF_ERROR(r.getString("type", type));
    TOCSIN_RETURN_IF_ERROR(r.getString("carries", carries));
    TOCSIN_RETURN_IF_ERROR(r.getInt("outstanding", outstanding, 1, 1'000'000));
    ConfiguredBearer b;
    b.type = type;
    if (carries == "everything") b.minRank = 0;
    else if (carries == "alerts_and_transactional") b.minRank = 1;
    else if (carries == "alerts") b.minRank = 2;
    else
      return Status::invalid("configuration key '" + r.pathOf("carries") +
                             "' is everything, alerts_and_transactional or alerts; not '" + carries + "'");
    if (type == "smpp") {
      TOCSIN_ASSIGN_OR_RETURN(auto c, smpp::parseSmppLinkConfig(r));
      b.outstanding = outstanding ? static_cast<size_t>(outstanding) : c.window;
      b.bearer = std::make_unique<smpp::SmppLink>(std::move(c), clock);
    } else if (type == "modem_bank") {
      TOCSIN_ASSIGN_OR_RETURN(auto c, modem::parseBankConfig(r));
      b.outstanding = outstanding ? static_cast<size_t>(outstanding) : 2 * c.modems.size();
      b.bearer = std::make_unique<modem::ModemBank>(std::move(c), clock);
    } else {
      return Status::invalid("configuration key '" + r.pathOf("type") + "' is smpp or modem_bank; not '" + type + "'");
    }
    if (!names.insert(b.bearer->name()).second)
      return Status::invalid("two bearers are named '" + b.bearer->name() + "'; names must differ");
    out.push_back(std::move(b));
  }
  return out;
}

Result<BroadcasterSettings> parseBroadcasterSettings(const Poco::JSON::Object::Ptr& document) {
  BroadcasterSettings s;
  if (!document || !document->has("broadcaster")) return s;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("broadcaster"));
  int64_t batch = s.dispatcher.expansionBatch, campaignBatch = s.dispatcher.campaignBatch, attempts = s.dispatcher.maxAttempts;
  TOCSIN_RETURN_IF_ERROR(r->getDuration("idle_poll", s.dispatcher.idlePoll));
  TOCSIN_RETURN_IF_ERROR(r->getInt("expansion_batch", batch, 100, 10'000'000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("campaign_expansion_batch", campaignBatch, 10, 1'000'000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_attempts", attempts, 1, 100));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("retry_min", s.dispatcher.retryMin));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("retry_max", s.dispatcher.retryMax));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("status_interval", s.dispatcher.statusInterval));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("drain", s.drain));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("progress_interval", s.progressInterval));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  s.dispatcher.expansionBatch = batch;
  s.dispatcher.campaignBatch = campaignBatch;
  s.dispatcher.maxAttempts = static_cast<int>(attempts);
  if (s.dispatcher.idlePoll < std::chrono::milliseconds(1) || s.dispatcher.idlePoll > std::chrono::seconds(1))
    return Status::invalid("configuration key 'broadcaster.idle_poll' must be between 1ms and 1s");
  return s;
}

}  // namespace tocsin::daemon
