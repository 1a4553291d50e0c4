#include "broadcaster/engine/inbound.h"

#include "broadcaster/engine/webhooks.h"
#include "common/consent/codes.h"
#include "common/consent/consent.h"
#include "common/jobs/transactional.h"
#include "policies/replies.h"

namespace tocsin::engine {
namespace {

const char* kIntentNames[] = {"stop", "start", "help", "code", "other"};

// Channel ids are [A-Za-z0-9._-]; bearer names are configured that way, but be safe.
std::string channelFor(const std::string& bearer) {
  std::string id;
  for (char c : bearer) id += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-';
  return "sms:" + (id.empty() ? std::string("unknown") : id.substr(0, 64));
}

}  // namespace

std::string replyLanguage(const std::optional<Contact>& contact, const std::string& region) {
  if (contact && contact->details.language) return primaryLanguage(*contact->details.language);
  static const std::pair<const char*, const char*> kByRegion[] = {
      {"FR", "fr"}, {"BE", "fr"}, {"LU", "fr"}, {"MC", "fr"}, {"IT", "it"}, {"PL", "pl"},
      {"DE", "de"}, {"AT", "de"}, {"ES", "es"}, {"CH", "fr"}};
  for (const auto& [r, l] : kByRegion)
    if (region == r) return l;
  return "en";
}

Result<InboundOutcome> InboundHandler::handle(StoreTx& tx, AuditRecorder& audit, const IncomingMessage& m) const {
  InboundOutcome out;
  std::string from = m.from;
  std::string region;
  if (auto n = phones_.normalize(m.from); n.ok()) {
    from = n->e164;
    region = n->region;
  }
  const std::optional<Contact> contact = tx.contacts().findByPhone(from);
  const std::string language = replyLanguage(contact, region);
  const policy::ReplyTexts& texts = policies_.repliesFor(language);
  const policy::ReplyIntent intent = policy::classifyReply(m.text, policies_.extraStopWords);
  out.intent = kIntentNames[static_cast<int>(intent.kind)];
  const std::string object = contact ? "contact:" + std::to_string(contact->id) : std::string("unknown-number");
  auto reply = [&](const std::string& text, const std::string& title) -> Status {
    if (text.empty()) return Status::okStatus();
    out.replied = true;
    const TransactionalMessage message{title, from, contact ? std::optional<ContactId>(contact->id) : std::nullopt, text,
                                     language, m.bearer};
    return queueTransactional(tx, audit, message).status();
  };
  const ConsentChange base{"", language, channelFor(m.bearer), "sms-keyword", "keyword " + intent.keyword};

  switch (intent.kind) {
    case policy::ReplyIntent::Kind::kStop: {
      if (!contact) {
        out.outcome = "not a known number; nothing to withdraw";
        break;
      }
      std::vector<std::string> withdrawn;
      for (const auto& [purpose, standing] : tx.consent().standings(contact->id)) {
        if (purpose.rfind("promotions:", 0) != 0 || standing.state == ConsentAction::kWithdrawn) continue;
        ConsentChange change = base;
        change.purpose = purpose;
        TOCSIN_ASSIGN_OR_RETURN(auto event, consent::withdraw(tx, audit, contact->id, change));
        if (event) withdrawn.push_back(purpose);
      }
      if (withdrawn.empty()) {
        out.outcome = "nothing to withdraw (already opted out)";
        break;
      }
      out.outcome = "withdrew";
      for (const auto& p : withdrawn) out.outcome += " " + p;
      // One confirmation, without advertising, as the regulators ask.
      TOCSIN_RETURN_IF_ERROR(reply(texts.stop, "reply to STOP"));
      break;
    }
    case policy::ReplyIntent::Kind::kStart:
      out.outcome = "answered: consent is given again only by signing up";
      TOCSIN_RETURN_IF_ERROR(reply(texts.start, "reply to START"));
      break;
    case policy::ReplyIntent::Kind::kHelp:
      out.outcome = "answered";
      TOCSIN_RETURN_IF_ERROR(reply(texts.help, "reply to HELP"));
      break;
    case policy::ReplyIntent::Kind::kConfirmationCode: {
      if (!contact) {
        out.outcome = "code from an unknown number: ignored";
        break;
      }
      const auto codes = tx.inbox().openCodes(contact->id, audit.now());
      const std::string hash = confirmationCodeHash(contact->id, intent.code);
      const ConfirmationCode* match = nullptr;
      for (const auto& c : codes)
        if (c.codeHash == hash) match = &c;
      if (!match) {
        if (!codes.empty()) {
          tx.inbox().countCodeAttempt(codes.front().id);
          if (codes.front().attempts + 1 >= kCodeMaxAttempts) tx.inbox().markCodeUsed(codes.front().id, audit.now());
        }
        out.outcome = codes.empty() ? "no sign-up waiting for a code" : "wrong code";
        break;
      }
      std::vector<std::string> confirmed;
      for (const auto& purpose : match->purposes) {
        ConsentChange change = base;
        change.purpose = purpose;
        change.method = "sms-reply-code";
        change.evidence = "code #" + std::to_string(match->id) + " sent through " + match->channel;
        auto event = consent::confirm(tx, audit, contact->id, change);
        if (event.ok()) confirmed.push_back(purpose);
        else if (event.status().code() != StatusCode::kFailedPrecondition) return event.status();
      }
      tx.inbox().markCodeUsed(match->id, audit.now());
      out.outcome = confirmed.empty() ? "code right, but nothing was waiting for it" : "confirmed";
      for (const auto& p : confirmed) out.outcome += " " + p;
      if (!confirmed.empty()) TOCSIN_RETURN_IF_ERROR(reply(texts.confirmed, "sign-up confirmed"));
      break;
    }
    case policy::ReplyIntent::Kind::kOther:
      out.outcome = "stored";
      break;
  }
  IncomingRecord record;
  record.contact = contact ? std::optional<ContactId>(contact->id) : std::nullopt;
  record.sender = from;
  record.recipient = m.to;
  record.body = m.text;
  record.bearer = m.bearer;
  record.intent = out.intent;
  record.outcome = out.outcome;
  record.receivedAt = m.receivedAt;
  const int64_t id = tx.inbox().addIncoming(record);
  tx.webhooks().enqueue("incoming", incomingEventJson(record, id), m.receivedAt);
  audit.record("sms.incoming", object, out.intent + " through " + m.bearer + ": " + out.outcome + " (incoming #" +
                                           std::to_string(id) + ")");
  return out;
}

}  // namespace tocsin::engine
