#include "policies/policy_config.h"

#include <tuple>

#include "common/config/json_reader.h"

namespace tocsin::policy {
namespace {

// The defaults, as the configuration would write them. French promotional hours follow the
// industry rule (Monday-Saturday 08:00-20:00, never Sundays or public holidays); the United
// States follow the TCPA (08:00-21:00 at the recipient's location). Public holidays are computed
// for any year (policies/holidays.h); "holidays" adds regional or exceptional days.
constexpr const char* kDefaults = R"json({
  "sending_hours": {
    "FR": {"time_zone": "Europe/Paris", "windows": {"mon-sat": "08:00-20:00"}, "closed_on_holidays": true},
    "BE": {"time_zone": "Europe/Brussels", "windows": {"mon-sat": "08:00-20:00"}, "closed_on_holidays": true},
    "IT": {"time_zone": "Europe/Rome", "windows": {"mon-sat": "09:00-20:00"}, "closed_on_holidays": true},
    "PL": {"time_zone": "Europe/Warsaw", "windows": {"mon-sat": "08:00-20:00"}, "closed_on_holidays": true},
    "DE": {"time_zone": "Europe/Berlin", "windows": {"mon-sat": "08:00-20:00"}, "closed_on_holidays": true},
    "GB": {"time_zone": "Europe/London", "windows": {"mon-sat": "08:00-20:00"}, "closed_on_holidays": true},
    "US": {"time_zone": "America/New_York", "windows": {"mon-sun": "08:00-21:00"}, "closed_on_holidays": false}
  },
  "holidays": {},
  "sender_ids": {
    "FR": {"alphanumeric": true, "max_length": 11, "needs_letter": true},
    "BE": {"alphanumeric": false},
    "CH": {"alphanumeric": true, "max_length": 11, "custom_required": true},
    "DE": {"alphanumeric": true, "max_length": 11},
    "IT": {"alphanumeric": true, "max_length": 11},
    "PL": {"alphanumeric": true, "max_length": 11},
    "GB": {"alphanumeric": true, "max_length": 11, "needs_letter": true},
    "US": {"alphanumeric": false},
    "CA": {"alphanumeric": false}
  },
  "stop_footers": {
    "en": "Reply STOP to opt out",
    "fr": "STOP: repondez STOP",
    "de": "Abmelden: STOP antworten",
    "it": "Rispondi STOP per disiscriverti",
    "pl": "Odpowiedz STOP aby zrezygnowac",
    "es": "Responde STOP para darte de baja"
  },
  "stop_number_footers": {
    "en": "STOP to {number}",
    "fr": "STOP au {number}",
    "de": "Abmelden: STOP an {number}",
    "it": "STOP al {number}",
    "pl": "STOP na {number}",
    "es": "Baja: STOP al {number}"
  },
  "stop_kiosk_footers": {
    "en": "To stop: kiosk of {shop}",
    "fr": "Stop: borne de {shop}",
    "de": "Abmelden: Terminal von {shop}",
    "it": "Stop: totem di {shop}",
    "pl": "Rezygnacja: kiosk {shop}",
    "es": "Baja: quiosco de {shop}"
  },
  "stop_words": [],
  "reserved_senders": [],
  "max_parts": {"promotional": 3, "alert": 6},
  "frequency_cap": {"messages": 4, "window": "7d"},
  "alert_validity": "6h",
  "replies": {
    "en": {"stop": "You will receive no more promotional messages. Public alerts are not affected.",
           "start": "To receive offers again, sign up at the shop's kiosk.",
           "help": "Tocsin messages. Reply STOP to stop promotional messages.",
           "confirmed": "Thank you, your sign-up is confirmed. Reply STOP at any time to stop.",
           "code": "Your sign-up code: {code}. Type it where you signed up, or reply with it to confirm. Not you? Ignore this SMS.",
           "withdrawn": "You will no longer receive offers from {shop} by SMS. Town alerts are not affected."},
    "fr": {"stop": "Vous ne recevrez plus de messages promotionnels. Les alertes publiques ne sont pas concernees.",
           "start": "Pour recevoir a nouveau les offres, inscrivez-vous a la borne du magasin.",
           "help": "Messages Tocsin. Repondez STOP pour ne plus recevoir de promotions.",
           "confirmed": "Merci, votre inscription est confirmee. Repondez STOP a tout moment pour arreter.",
           "code": "Votre code d'inscription : {code}. Tapez-le la ou vous vous etes inscrit, ou repondez avec ce code pour confirmer. Pas vous ? Ignorez ce SMS.",
           "withdrawn": "Vous ne recevrez plus d'offres de {shop} par SMS. Les alertes de la ville ne changent pas."},
    "it": {"stop": "Non riceverai piu messaggi promozionali. Gli avvisi pubblici non cambiano.",
           "start": "Per ricevere di nuovo le offerte, iscriviti al chiosco del negozio.",
           "help": "Messaggi Tocsin. Rispondi STOP per non ricevere piu promozioni.",
           "confirmed": "Grazie, la tua iscrizione e confermata. Rispondi STOP in qualsiasi momento per smettere.",
           "code": "Il tuo codice di iscrizione: {code}. Scrivilo dove ti sei iscritto o rispondi con il codice per confermare. Non sei tu? Ignora questo SMS.",
           "withdrawn": "Non riceverai piu offerte da {shop} via SMS. Gli avvisi del Comune non cambiano."},
    "pl": {"stop": "Nie bedziesz juz otrzymywac wiadomosci promocyjnych. Alerty publiczne sie nie zmieniaja.",
           "start": "Aby znow otrzymywac oferty, zapisz sie w kiosku sklepu.",
           "help": "Wiadomosci Tocsin. Odpowiedz STOP, aby zrezygnowac z promocji.",
           "confirmed": "Dziekujemy, zapis potwierdzony. Odpowiedz STOP w dowolnej chwili, aby zrezygnowac.",
           "code": "Twoj kod zapisu: {code}. Wpisz go tam, gdzie sie zapisales, lub odpowiedz nim, aby potwierdzic. To nie Ty? Zignoruj tego SMS-a.",
           "withdrawn": "Nie bedziesz juz otrzymywac ofert od {shop} SMS-em. Alerty miasta sie nie zmieniaja."}
  }
})json";

Status readHours(JsonReader& r, const std::string& country, CountryHours& h) {
  TOCSIN_RETURN_IF_ERROR(r.getString("time_zone", h.timeZone));
  TOCSIN_RETURN_IF_ERROR(r.getBool("closed_on_holidays", h.closedOnHolidays));
  TOCSIN_ASSIGN_OR_RETURN(auto windows, r.object("windows"));
  TOCSIN_RETURN_IF_ERROR(r.checkNoUnknownKeys());
  if (h.timeZone.empty()) return Status::invalid("configuration key '" + r.pathOf("time_zone") + "' is required");
  if (!windows) return Status::invalid("configuration key '" + r.pathOf("windows") + "' is required");
  h.week = {};
  for (const auto& days : windows->keys()) {
    std::string window;
    TOCSIN_RETURN_IF_ERROR(windows->getString(days, window));
    auto d = parseDays(days);
    if (!d.ok()) return d.status().withContext("configuration key '" + windows->pathOf(days) + "'");
    auto w = parseWindow(window);
    if (!w.ok()) return w.status().withContext("configuration key '" + windows->pathOf(days) + "'");
    for (int day : *d) h.week[static_cast<size_t>(day)].push_back(*w);
  }
  (void)country;
  return Status::okStatus();
}

Status merge(JsonReader& r, PolicyConfig& c) {
  TOCSIN_ASSIGN_OR_RETURN(auto hours, r.object("sending_hours"));
  if (hours)
    for (const auto& country : hours->keys()) {
      TOCSIN_ASSIGN_OR_RETURN(auto entry, hours->object(country));
      CountryHours h = c.hours.countries[country];
      TOCSIN_RETURN_IF_ERROR(readHours(*entry, country, h));
      c.hours.countries[country] = std::move(h);
    }
  TOCSIN_ASSIGN_OR_RETURN(auto holidays, r.object("holidays"));
  if (holidays)
    for (const auto& country : holidays->keys()) {
      std::vector<std::string> dates;
      TOCSIN_RETURN_IF_ERROR(holidays->getStringList(country, dates));
      for (const auto& d : dates)
        if (!parseTimestamp(d).ok() || d.size() != 10)
          return Status::invalid("configuration key '" + holidays->pathOf(country) + "': '" + d + "' is not a date like 2026-12-25");
      c.hours.countries[country].holidays = std::set<std::string>(dates.begin(), dates.end());
    }
  TOCSIN_ASSIGN_OR_RETURN(auto senders, r.object("sender_ids"));
  if (senders)
    for (const auto& country : senders->keys()) {
      TOCSIN_ASSIGN_OR_RETURN(auto entry, senders->object(country));
      SenderRules s = c.senders[country];
      int64_t len = s.maxAlphanumericLength;
      TOCSIN_RETURN_IF_ERROR(entry->getBool("alphanumeric", s.alphanumericAllowed));
      TOCSIN_RETURN_IF_ERROR(entry->getInt("max_length", len, 1, 11));
      TOCSIN_RETURN_IF_ERROR(entry->getBool("needs_letter", s.needsLetter));
      TOCSIN_RETURN_IF_ERROR(entry->getBool("custom_required", s.customRequired));
      TOCSIN_RETURN_IF_ERROR(entry->checkNoUnknownKeys());
      s.maxAlphanumericLength = static_cast<int>(len);
      c.senders[country] = s;
    }
  TOCSIN_ASSIGN_OR_RETURN(auto footers, r.object("stop_footers"));
  if (footers)
    for (const auto& language : footers->keys()) TOCSIN_RETURN_IF_ERROR(footers->getString(language, c.stopFooters[language]));
  for (const auto& [key, placeholder, target] :
       {std::tuple<const char*, const char*, std::map<std::string, std::string>*>{"stop_number_footers", "{number}",
                                                                                  &c.stopNumberFooters},
        {"stop_kiosk_footers", "{shop}", &c.stopKioskFooters}}) {
    TOCSIN_ASSIGN_OR_RETURN(auto section, r.object(key));
    if (!section) continue;
    for (const auto& language : section->keys()) {
      std::string& text = (*target)[language];
      TOCSIN_RETURN_IF_ERROR(section->getString(language, text));
      if (text.find(placeholder) == std::string::npos)
        return Status::invalid("configuration key '" + section->pathOf(language) + "' must hold " + placeholder);
    }
  }
  TOCSIN_RETURN_IF_ERROR(r.getStringList("stop_words", c.extraStopWords));
  TOCSIN_RETURN_IF_ERROR(r.getStringList("reserved_senders", c.reservedSenders));
  TOCSIN_ASSIGN_OR_RETURN(auto parts, r.object("max_parts"));
  if (parts) {
    int64_t promo = c.maxPromotionalParts, alert = c.maxAlertParts;
    TOCSIN_RETURN_IF_ERROR(parts->getInt("promotional", promo, 1, 10));
    TOCSIN_RETURN_IF_ERROR(parts->getInt("alert", alert, 1, 10));
    TOCSIN_RETURN_IF_ERROR(parts->checkNoUnknownKeys());
    c.maxPromotionalParts = static_cast<int>(promo);
    c.maxAlertParts = static_cast<int>(alert);
  }
  TOCSIN_ASSIGN_OR_RETURN(auto cap, r.object("frequency_cap"));
  if (cap) {
    int64_t n = c.frequencyCap.maxMessages;
    TOCSIN_RETURN_IF_ERROR(cap->getInt("messages", n, 0, 1000));
    TOCSIN_RETURN_IF_ERROR(cap->getDuration("window", c.frequencyCap.window));
    TOCSIN_RETURN_IF_ERROR(cap->checkNoUnknownKeys());
    c.frequencyCap.maxMessages = static_cast<int>(n);
  }
  TOCSIN_RETURN_IF_ERROR(r.getDuration("alert_validity", c.alertValidity));
  TOCSIN_ASSIGN_OR_RETURN(auto replies, r.object("replies"));
  if (replies)
    for (const auto& language : replies->keys()) {
      TOCSIN_ASSIGN_OR_RETURN(auto entry, replies->object(language));
      ReplyTexts& t = c.replies[language];
      TOCSIN_RETURN_IF_ERROR(entry->getString("stop", t.stop));
      TOCSIN_RETURN_IF_ERROR(entry->getString("start", t.start));
      TOCSIN_RETURN_IF_ERROR(entry->getString("help", t.help));
      TOCSIN_RETURN_IF_ERROR(entry->getString("confirmed", t.confirmed));
      TOCSIN_RETURN_IF_ERROR(entry->getString("code", t.code));
      TOCSIN_RETURN_IF_ERROR(entry->getString("withdrawn", t.withdrawn));
      if (!t.code.empty() && t.code.find("{code}") == std::string::npos)
        return Status::invalid("configuration key '" + entry->pathOf("code") + "' must hold {code}, where the code goes");
      TOCSIN_RETURN_IF_ERROR(entry->checkNoUnknownKeys());
    }
  return r.checkNoUnknownKeys();
}

}  // namespace

const std::string& PolicyConfig::stopFooter(const std::string& language) const {
  auto it = stopFooters.find(language);
  if (it == stopFooters.end()) it = stopFooters.find("en");
  static const std::string kNone;
  return it == stopFooters.end() ? kNone : it->second;
}

namespace {
const std::string& byLanguage(const std::map<std::string, std::string>& texts, const std::string& language) {
  auto it = texts.find(language);
  if (it == texts.end()) it = texts.find("en");
  static const std::string kNone;
  return it == texts.end() ? kNone : it->second;
}
}  // namespace

const std::string& PolicyConfig::stopNumberFooter(const std::string& language) const {
  return byLanguage(stopNumberFooters, language);
}
const std::string& PolicyConfig::stopKioskFooter(const std::string& language) const {
  return byLanguage(stopKioskFooters, language);
}

const ReplyTexts& PolicyConfig::repliesFor(const std::string& language) const {
  auto it = replies.find(language);
  if (it == replies.end()) it = replies.find("en");
  static const ReplyTexts kNone;
  return it == replies.end() ? kNone : it->second;
}

Result<PolicyConfig> parsePolicyConfig(const Poco::JSON::Object::Ptr& document) {
  PolicyConfig c;
  TOCSIN_ASSIGN_OR_RETURN(auto defaults, parseJsonObject(kDefaults, "embedded policy defaults"));
  JsonReader base(defaults, "policies");
  TOCSIN_RETURN_IF_ERROR(merge(base, c));
  if (document && document->has("policies")) {
    JsonReader root(document, "");
    TOCSIN_ASSIGN_OR_RETURN(auto section, root.object("policies"));
    if (section) TOCSIN_RETURN_IF_ERROR(merge(*section, c));
  }
  return c;
}

}  // namespace tocsin::policy
