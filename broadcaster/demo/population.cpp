#include <filesystem>
#include <ostream>
#include <random>
#include <vector>

#include "broadcaster/demo/demo.h"
#include "common/consent/consent.h"
#include "common/contacts/import.h"
#include "common/privacy/erasure.h"
#include "common/setup/store_keys.h"

namespace tocsin::demo {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const char* const kZones[] = {"CENTRE", "RIVERSIDE", "HILLSIDE", "OLD-TOWN", "HARBOUR", "INDUSTRIAL"};
// Rough centres of the zones (a fictional town by the Loire).
const double kZoneCentre[][2] = {{47.3941, 0.6848}, {47.3990, 0.6700}, {47.3850, 0.7000},
                                 {47.3960, 0.6890}, {47.4040, 0.6600}, {47.3800, 0.7200}};
const char* const kFirstNames[] = {"Zoé", "Léa", "Hugo", "Chloé", "Louis", "Emma", "Jules", "Inès", "Noé", "Lina",
                                   "Marco", "Giulia", "Anna", "Piotr", "Zofia", "Tom", "Sarah", "Yanis", "Maël", "Rose"};
const char* const kLastNames[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
                                  "Leroy", "Moreau", "Rossi", "Ferrari", "Nowak", "Kowalski", "Smith", "Girard"};
const char* const kLanguages[] = {"fr", "fr", "fr", "fr", "en", "it", "pl"};

struct TextSet {
  const char* language;
  const char* alerts;
  const char* promotions;
};

// The consent texts exactly as the kiosk shows them, one version per language.
const TextSet kTexts[] = {
    {"fr",
     "Je souhaite recevoir par SMS les alertes de la Ville de Saint-Tocsin (inondation, incendie, "
     "sécurité). Gratuit. Je peux arrêter à tout moment en répondant STOP ou à cette borne.",
     "J'accepte de recevoir par SMS les offres de la Boulangerie Martin, au plus 4 par mois. "
     "Gratuit hors coût de votre opérateur. Répondez STOP pour ne plus en recevoir."},
    {"en",
     "I want to receive emergency alerts from the Town of Saint-Tocsin by SMS (flood, fire, safety). "
     "Free. I can stop at any time by replying STOP or at this kiosk.",
     "I agree to receive offers from Boulangerie Martin by SMS, at most 4 per month. Msg & data rates "
     "may apply. Reply STOP to opt out, HELP for help."},
    {"it",
     "Desidero ricevere via SMS gli avvisi di emergenza del Comune di Saint-Tocsin (alluvione, incendio, "
     "sicurezza). Gratuito. Posso smettere in qualsiasi momento rispondendo STOP o a questo chiosco.",
     "Accetto di ricevere via SMS le offerte della Boulangerie Martin, al massimo 4 al mese. Rispondi "
     "STOP per non riceverle più."},
    {"pl",
     "Chcę otrzymywać SMS-em alerty miasta Saint-Tocsin (powódź, pożar, bezpieczeństwo). Bezpłatnie. "
     "Mogę zrezygnować w każdej chwili, odpowiadając STOP lub przy tym kiosku.",
     "Zgadzam się na otrzymywanie SMS-em ofert Boulangerie Martin, najwyżej 4 miesięcznie. Odpowiedz "
     "STOP, aby zrezygnować."},
};

std::string phoneFor(uint64_t n) {
  // 0610 00 00 00 .. 0629 99 99 99: mobile ranges libphonenumber accepts.
  return "06" + std::to_string(10'000'000 + (n * 7'919) % 20'000'000);
}

Status registerTexts(DemoStore& d) {
  return d.audit->write(*d.store, "demo:setup", [&](StoreTx& tx, AuditRecorder& rec) {
    for (const auto& t : kTexts) {
      TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "town-alerts", kAlertsPurpose, t.language, t.alerts).status());
      TOCSIN_RETURN_IF_ERROR(consent::registerText(tx, rec, "martin-offers", "promotions:" + std::string(kShop), t.language, t.promotions).status());
    }
    return Status::okStatus();
  });
}

}  // namespace

std::string maskPhone(const std::string& e164) {
  if (e164.size() < 8) return "••••";
  // The first four characters (country code and the start of the number) and the last two.
  std::string out = e164.substr(0, 4) + " ";
  for (size_t i = 4; i + 2 < e164.size(); ++i) out += "•";
  return out + e164.substr(e164.size() - 2);
}

Result<DemoStore> openFreshStore(const std::string& dir, Timestamp now) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::ioError("cannot create " + dir + ": " + ec.message());
  DemoStore d;
  d.dir = dir;
  d.dbPath = dir + "/tocsin.db";
  // The month of history ends a day or so before now, so the live stage's times follow it.
  d.clock = std::make_unique<ManualClock>(now - days(33));
  TOCSIN_ASSIGN_OR_RETURN(d.store, SqliteStore::open(d.dbPath));
  d.keys = std::make_unique<KeyDirectory>(dir + "/keys");
  TOCSIN_RETURN_IF_ERROR(bindStoreKeys(*d.store, *d.keys, *d.clock));
  TOCSIN_ASSIGN_OR_RETURN(AuditLog log, AuditLog::open(*d.keys, d.dbPath, *d.clock));
  d.audit = std::make_unique<AuditLog>(std::move(log));
  TOCSIN_ASSIGN_OR_RETURN(Suppressor sup, Suppressor::open(*d.keys));
  d.suppressor = std::make_unique<Suppressor>(std::move(sup));
  d.phones = std::make_unique<PhoneNormalizer>("FR");
  d.book = std::make_unique<ContactBook>(*d.suppressor);
  return d;
}

Status seedPopulation(DemoStore& d, std::ostream& out) {
  std::mt19937_64 rng(2026);
  auto pick = [&](auto& array) { return array[rng() % std::size(array)]; };
  TOCSIN_RETURN_IF_ERROR(registerTexts(d));
  out << "  consent texts: town alerts and Boulangerie Martin offers, in fr, en, it, pl\n";

  // The town's register of residents who asked for alerts at the town hall, as a CSV file.
  constexpr int kResidents = 2400;
  std::string csv = "phone,name,zone,language,latitude,longitude\n";
  for (int i = 0; i < kResidents; ++i) {
    const int z = static_cast<int>(rng() % std::size(kZones));
    char pos[64];
    std::snprintf(pos, sizeof pos, "%.5f,%.5f", kZoneCentre[z][0] + (static_cast<double>(rng() % 2000) - 1000) / 1e5,
                  kZoneCentre[z][1] + (static_cast<double>(rng() % 2000) - 1000) / 1e5);
    csv += phoneFor(static_cast<uint64_t>(i)) + "," + pick(kFirstNames) + " " + pick(kLastNames) + "," + kZones[z] +
           "," + pick(kLanguages) + "," + (i % 5 == 0 ? std::string(",") : std::string(pos)) + "\n";
  }
  const std::string csvPath = d.dir + "/town-register.csv";
  {
    std::FILE* f = std::fopen(csvPath.c_str(), "w");
    if (!f) return Status::ioError("cannot write " + csvPath);
    std::fwrite(csv.data(), 1, csv.size(), f);
    std::fclose(f);
  }
  ContactImporter importer(*d.phones, *d.book);
  ImportOptions opts;
  opts.label = csvPath;
  TOCSIN_ASSIGN_OR_RETURN(ImportReport report, importer.run(*d.store, *d.audit, "demo:town-hall", csv, opts));
  if (!report.committed) return Status::internal("the demo register did not import");
  out << "  town register imported: " << report.created << " residents in " << std::size(kZones) << " zones ("
      << csvPath << ")\n";

  // A month of kiosk sign-ups at the bakery: alerts and/or offers, confirmed by SMS code.
  int signups = 0, confirmed = 0, pending = 0;
  std::vector<std::pair<std::string, std::string>> laterStops;  // (number, language)
  const Timestamp monthStart = d.clock->now();
  for (int day = 0; day < 30; ++day) {
    // The shop opens at 08:00 and the kiosk sees 15 to 29 people a day.
    const Timestamp opening = std::chrono::floor<days>(monthStart) + days(day) + hours(8);
    if (opening > d.clock->now()) d.clock->advance(opening - d.clock->now());
    const int today = 15 + static_cast<int>(rng() % 15);
    for (int k = 0; k < today; ++k) {
      d.clock->advance(minutes(10 + static_cast<int>(rng() % 25)));
      // A third of the people at the kiosk are already in the register.
      const uint64_t who = rng() % 3 == 0 ? rng() % kResidents : kResidents + static_cast<uint64_t>(signups);
      const auto& text = kTexts[rng() % std::size(kTexts)];
      const bool wantsAlerts = rng() % 10 < 8, wantsOffers = rng() % 10 < 5 || !wantsAlerts;
      const bool confirms = rng() % 100 < 88, stops = rng() % 100 < 7;
      const PhoneNumber phone = *d.phones->normalize(phoneFor(who));
      ContactDetails details;
      details.language = text.language;
      const std::string kiosk = "kiosk:MARTIN-1";
      TOCSIN_RETURN_IF_ERROR(d.audit->write(*d.store, kiosk, [&](StoreTx& tx, AuditRecorder& rec) {
        TOCSIN_ASSIGN_OR_RETURN(UpsertResult c, d.book->upsert(tx, rec, phone, details, "kiosk", true));
        for (const auto& [want, purpose, textId] : {std::tuple{wantsAlerts, kAlertsPurpose, "town-alerts"},
                                                    std::tuple{wantsOffers, kPromotions, "martin-offers"}}) {
          if (!want) continue;
          GrantRequest g{purpose, textId, std::nullopt, text.language, kiosk, "checkbox", std::nullopt, std::nullopt};
          TOCSIN_RETURN_IF_ERROR(consent::grant(tx, rec, c.id, g).status());
        }
        return Status::okStatus();
      }));
      ++signups;
      if (!confirms) {
        ++pending;
        continue;
      }
      d.clock->advance(seconds(40 + static_cast<int>(rng() % 200)));
      TOCSIN_RETURN_IF_ERROR(d.audit->write(*d.store, kiosk, [&](StoreTx& tx, AuditRecorder& rec) {
        const ContactId id = tx.contacts().findByPhone(phone.e164)->id;
        for (const char* purpose : {kAlertsPurpose, kPromotions}) {
          auto latest = tx.consent().latest(id, purpose);
          if (!latest || latest->action != ConsentAction::kGranted) continue;
          const ConsentChange c{purpose, text.language, kiosk, "confirmation-code",
                                std::string("sms-code-") + std::to_string(signups)};
          TOCSIN_RETURN_IF_ERROR(consent::confirm(tx, rec, id, c).status());
        }
        return Status::okStatus();
      }));
      ++confirmed;
      if (stops && wantsOffers) laterStops.emplace_back(phone.e164, text.language);
    }
  }
  // Some people replied STOP to the offers afterwards.
  for (const auto& stop : laterStops) {
    const auto& [e164, language] = stop;
    d.clock->advance(minutes(5 + static_cast<int>(rng() % 30)));
    TOCSIN_RETURN_IF_ERROR(d.audit->write(*d.store, "sms:inbound", [&, &e164 = e164, &language = language](StoreTx& tx, AuditRecorder& rec) {
      const ContactId id = tx.contacts().findByPhone(e164)->id;
      return consent::withdraw(tx, rec, id, {kPromotions, language, "sms:STOP", "sms-keyword", std::nullopt}).status();
    }));
  }
  const size_t withdrawn = laterStops.size();
  out << "  a month of kiosk sign-ups: " << signups << " people, " << confirmed << " confirmed by SMS code, "
      << pending << " never confirmed, " << withdrawn << " later replied STOP to the offers\n";

  // Three people asked to be forgotten.
  for (uint64_t who : {uint64_t(7), uint64_t(8), uint64_t(kResidents + 3)}) {
    d.clock->advance(hours(3));
    TOCSIN_RETURN_IF_ERROR(
        eraseNumber(*d.store, *d.audit, *d.suppressor, "cli:dpo", *d.phones->normalize(phoneFor(who))).status());
  }
  out << "  3 people erased on request: only a keyed fingerprint of each number remains\n";
  return Status::okStatus();
}

}  // namespace tocsin::demo
