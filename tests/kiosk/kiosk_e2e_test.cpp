// The real tocsin-kiosk under Xvfb against a real tocsin-broadcaster on loopback HTTPS, driven
// like a person would: xdotool taps on the touch targets the kiosk reports (--ui-map) and
// typing. Pairing from the staff screen and with --pair; sign-ups, a wrong code, the idle
// question and withdrawals in every language; larger text; the appliance stopped mid sign-ups
// (the outbox); the kiosk's own token tried against every other call. The consent records are
// checked in the appliance's store, and a screenshot of every screen (portrait, landscape,
// larger text) is written to build/kiosk-screenshots/ for review. Every process is started here
// and stopped by its PID.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cctype>
#include <fstream>
#include <set>
#include <thread>

#include <Poco/JSON/Parser.h>

#include "tests/support/child_process.h"
#include "tests/support/daemon_rig.h"
#include "tests/support/https_client.h"
#include "tests/support/raw_sql.h"
#include "tests/support/route_sets.h"
#include "tests/support/temp_dir.h"

using namespace tocsin::testing;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

const std::string kBin = TOCSIN_BIN_DIR;
const std::string kShots = TOCSIN_SCREENSHOT_DIR;

struct Target {
  std::string id;
  int x, y, w, h;
};

struct Map {
  int64_t actions = -1;
  std::string screen, language, error;
  std::vector<Target> targets;
};

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

class Screen {
 public:
  Screen(int width, int height) {
    for (display_ = 90 + ::getpid() % 100;; ++display_)
      if (!exists("/tmp/.X11-unix/X" + std::to_string(display_)) && !exists("/tmp/.X" + std::to_string(display_) + "-lock")) break;
    xvfb_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"Xvfb", ":" + std::to_string(display_), "-screen", "0",
                                 std::to_string(width) + "x" + std::to_string(height) + "x24", "-nolisten", "tcp"},
        ChildProcess::Options{dir.path(), {}, false, dir.file("xvfb.log"), dir.file("xvfb.log")});
    const auto end = std::chrono::steady_clock::now() + seconds(10);
    while (!exists("/tmp/.X11-unix/X" + std::to_string(display_)) && std::chrono::steady_clock::now() < end)
      std::this_thread::sleep_for(milliseconds(50));
    REQUIRE(exists("/tmp/.X11-unix/X" + std::to_string(display_)));
  }
  ~Screen() { xvfb_->stop(); }
  std::string display() const { return ":" + std::to_string(display_); }

  int run(std::vector<std::string> argv) {
    ChildProcess p(std::move(argv), ChildProcess::Options{dir.path(), {"DISPLAY=" + display()}, false, dir.file("tool.log"), dir.file("tool.log")});
    return p.wait(seconds(30)).value_or(-1);
  }

  TempDir dir;

 private:
  int display_ = 0;
  std::unique_ptr<ChildProcess> xvfb_;
};

struct Kiosk {
  // With the given options (the appliance, the state folder, ...) besides the window's.
  Kiosk(Screen& screen, std::vector<std::string> options, const std::string& geometry) : x(screen), window(geometry) {
    map = x.dir.file("ui-map-" + window + ".json");
    ::unlink(map.c_str());
    const auto started = std::chrono::steady_clock::now();
    std::vector<std::string> argv{kBin + "/tocsin-kiosk"};
    argv.insert(argv.end(), options.begin(), options.end());
    for (const std::string& a : {std::string("--window"), window, std::string("--ui-map"), map, std::string("--allow-exit")})
      argv.push_back(a);
    std::vector<std::string> env{"DISPLAY=" + x.display()};
#ifdef TOCSIN_SANITIZED
    // The software GL driver is unloaded at exit with allocations LeakSanitizer can no longer
    // name (so no suppression can match them); the kiosk's own code is leak-checked by
    // kiosk_tests, and every other sanitizer check stays on here.
    env.push_back("ASAN_OPTIONS=detect_leaks=0");
#endif
    process = std::make_unique<ChildProcess>(
        argv, ChildProcess::Options{x.dir.path(), env, false, x.dir.file("kiosk.out"), x.dir.file("kiosk.err")});
    waitScreen("attract");
    startup = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  ~Kiosk() {
    if (process) process->stop();
  }

  Map read() const {
    Map m;
    if (!exists(map)) return m;
    std::string text;
    try {
      text = readFile(map);
    } catch (const std::exception&) {
      return m;  // replaced while being read
    }
    if (text.empty()) return m;
    try {
      auto o = Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
      m.actions = o->getValue<int64_t>("actions");
      m.screen = o->getValue<std::string>("screen");
      m.language = o->getValue<std::string>("language");
      m.error = o->getValue<std::string>("error");
      auto t = o->getArray("targets");
      for (size_t i = 0; i < t->size(); ++i) {
        auto e = t->getObject(static_cast<unsigned>(i));
        m.targets.push_back({e->getValue<std::string>("id"), e->getValue<int>("x"), e->getValue<int>("y"),
                             e->getValue<int>("w"), e->getValue<int>("h")});
      }
    } catch (const Poco::Exception&) {
      m.actions = -1;  // caught mid-rename: read again
    }
    return m;
  }

  Map waitFor(const std::function<bool(const Map&)>& done, const std::string& what) {
    const auto end = std::chrono::steady_clock::now() + seconds(20);
    Map m;
    while (std::chrono::steady_clock::now() < end) {
      m = read();
      if (m.actions >= 0 && done(m)) {
        // Every touch target at least 48 px at 1x.
        for (const auto& t : m.targets) {
          INFO(m.screen << " " << t.id << " " << t.w << "x" << t.h);
          CHECK(std::min(t.w, t.h) >= 48);
        }
        return m;
      }
      std::this_thread::sleep_for(milliseconds(30));
    }
    FAIL("the kiosk never showed " << what << " (last: " << m.screen << ")");
    return m;
  }
  Map waitScreen(const std::string& screen) {
    return waitFor([&](const Map& m) { return m.screen == screen; }, screen);
  }

  void tap(const std::string& id) {
    const Map before = read();
    const Target* t = nullptr;
    for (const auto& e : before.targets)
      if (e.id == id) t = &e;
    INFO("screen " << before.screen);
    REQUIRE(t);
    REQUIRE(x.run({"xdotool", "mousemove", std::to_string(t->x + t->w / 2), std::to_string(t->y + t->h / 2), "click", "1"}) == 0);
    waitFor([&](const Map& m) { return m.actions > before.actions; }, "the tap on " + id);
  }
  void tapDigits(const std::string& digits) {
    for (char c : digits) tap(std::string("key-") + c);
  }
  void type(const std::string& text) {
    const Map before = read();
    REQUIRE(x.run({"xdotool", "type", "--delay", "80", text}) == 0);
    waitFor([&](const Map& m) { return m.actions >= before.actions + static_cast<int64_t>(text.size()); }, "typing " + text);
  }
  void shot(const std::string& language, const std::string& name) {
    ::mkdir(kShots.c_str(), 0755);
    const auto [w, h] = size();
    const std::string file = kShots + "/" + window + "-" + language + "-" + name + ".png";
    REQUIRE(x.run({"import", "-window", "root", "-crop", std::to_string(w) + "x" + std::to_string(h) + "+0+0", file}) == 0);
    CHECK(exists(file));
  }
  std::pair<int, int> size() const {
    int w = 0, h = 0;
    std::sscanf(window.c_str(), "%dx%d", &w, &h);
    return {w, h};
  }

  Screen& x;
  std::string window, map;
  std::unique_ptr<ChildProcess> process;
  double startup = 0;
};

// The kiosk's own configuration: what its screens say and the staff PIN.
std::string writeConfig(Screen& x) {
  const std::string path = x.dir.file("kiosk.json");
  std::ofstream(path) << "{\"kiosk\": {\"shop_name\": \"Boulangerie Martin\", \"town_name\": \"Saint-Tocsin\",\n"
                      << "   \"default_region\": \"FR\", \"default_language\": \"fr\", \"age_of_consent\": 15,\n"
                      << "   \"idle\": \"4s\", \"countdown\": \"20s\", \"admin_pin\": \"2468\"}}\n";
  return path;
}

// The consent texts the town and the bakery approved, in the kiosk's four languages.
const std::map<std::string, std::pair<std::string, std::string>> kTexts = {
    {"en",
     {"I want to receive emergency alerts from Saint-Tocsin by SMS (flood, fire, public safety). Free of charge. "
      "My number is used for nothing else. I can stop at any time by replying STOP or at this kiosk.",
      "I agree to receive offers from Boulangerie Martin by SMS, at most 4 per month, between 8:00 and 20:00. "
      "I can stop at any time by replying STOP or at this kiosk."}},
    {"fr",
     {"Je souhaite recevoir par SMS les alertes d'urgence de Saint-Tocsin (inondation, incendie, s\u00e9curit\u00e9 "
      "publique). Gratuit. Je peux arr\u00eater \u00e0 tout moment en r\u00e9pondant STOP ou \u00e0 cette borne.",
      "J'accepte de recevoir par SMS les offres de la Boulangerie Martin, au plus 4 par mois, entre 8 h et 20 h. "
      "Je peux arr\u00eater \u00e0 tout moment en r\u00e9pondant STOP ou \u00e0 cette borne."}},
    {"it",
     {"Desidero ricevere via SMS gli avvisi di emergenza di Saint-Tocsin (alluvione, incendio). Gratuito. Posso "
      "smettere in qualsiasi momento rispondendo STOP o a questo chiosco.",
      "Accetto di ricevere via SMS le offerte di Boulangerie Martin, al massimo 4 al mese. Posso smettere in "
      "qualsiasi momento rispondendo STOP o a questo chiosco."}},
    {"pl",
     {"Chc\u0119 otrzymywa\u0107 SMS-em alerty alarmowe Saint-Tocsin (pow\u00f3d\u017a, po\u017car). "
      "Bezp\u0142atnie. Mog\u0119 zrezygnowa\u0107 w ka\u017cdej chwili, odpowiadaj\u0105c STOP.",
      "Zgadzam si\u0119 na otrzymywanie SMS-em ofert Boulangerie Martin, najwy\u017cej 4 miesi\u0119cznie. "
      "Mog\u0119 zrezygnowa\u0107 w ka\u017cdej chwili, odpowiadaj\u0105c STOP."}},
};

// The appliance: the real broadcaster with its HTTPS API on loopback and a simulated SMSC, the
// texts above registered, kiosks enrolled for the bakery ("martin").
struct Appliance : DaemonRig {
  Appliance() : DaemonRig(kBin) {
    for (const auto& [language, texts] : kTexts) {
      writeFile(dir.file("alerts-" + language + ".txt"), texts.first);
      writeFile(dir.file("martin-" + language + ".txt"), texts.second);
      REQUIRE(tocsinctl({"consent", "text", "add", "--id", "kiosk-alerts", "--purpose", "alerts", "--language", language,
                         "--file", dir.file("alerts-" + language + ".txt")}).status == 0);
      REQUIRE(tocsinctl({"consent", "text", "add", "--id", "kiosk-martin", "--purpose", "promotions:martin", "--language",
                         language, "--file", dir.file("martin-" + language + ".txt")}).status == 0);
    }
    startBroadcaster();
  }
  // The one-time pairing code printed by `tocsinctl kiosk add` (alone on its line: XXXXX-XXXXX).
  std::string enrol(const std::string& id) {
    const ToolResult added = tocsinctl({"kiosk", "add", "--shop", "martin", "--id", id});
    REQUIRE(added.status == 0);
    std::string code;
    for (const auto& line : lines(added.out))
      if (line.size() == 11 && line[5] == '-') code = line;
    INFO(added.out);
    REQUIRE_FALSE(code.empty());
    return code;
  }
  // How a tablet reaches this appliance, with its state in `state`.
  std::vector<std::string> kioskOptions(const std::string& state, const std::string& config, const std::string& id) const {
    return {"--url", url, "--ca", ca, "--state", state, "--config", config, "--kiosk-id", id};
  }
};

// Pairs a kiosk once with --pair (no screen needed).
void pairWithFlag(Screen& x, const std::vector<std::string>& options, const std::string& code) {
  std::vector<std::string> argv{kBin + "/tocsin-kiosk"};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"--pair", code});
  const int paired = x.run(argv);
  INFO("pairing said: " << readFile(x.dir.file("tool.log")));
  REQUIRE(paired == 0);
}

bool hasTarget(const Map& m, const std::string& id) {
  for (const auto& t : m.targets)
    if (t.id == id) return true;
  return false;
}

// A sign-up from the first screen to "Sign up" pressed: the town's alerts, and the shop's offers
// when `offers` (which needs the age answered yes).
void signUp(Kiosk& k, const std::string& lang, const std::string& national, bool adult, bool offers) {
  k.tap("signup");
  k.waitScreen("language");
  k.tap("lang-" + lang);
  k.waitScreen("phone");
  k.tapDigits(national);
  k.tap("key-action");
  k.waitScreen("name");
  k.tap("next");
  k.waitScreen("age");
  k.tap(adult ? "age-yes" : "age-no");
  k.waitScreen("consent");
  k.tap("toggle-alerts");
  if (offers) k.tap("toggle-promotions");
  k.tap("submit");
}

// "Stop my messages" from the first screen to the code screen.
void startWithdrawal(Kiosk& k, const std::string& lang, const std::string& national) {
  k.tap("stop");
  k.waitScreen("language");
  k.tap("lang-" + lang);
  k.waitScreen("phone");
  k.tapDigits(national);
  k.tap("key-action");
  k.waitScreen("withdraw");
  k.tap("withdraw-confirm");
  k.waitScreen("code");
}

// Staff: five taps in the corner, the PIN.
void openStaffScreen(Kiosk& k) {
  k.waitScreen("attract");
  for (int i = 0; i < 5; ++i) k.tap("admin-corner");
  k.waitScreen("admin-pin");
  k.tapDigits("2468");
  k.tap("key-action");
  k.waitScreen("admin");
}

std::string codeFor(const std::string& db, const std::string& e164) {
  const std::string body = rawQuery(db, "SELECT j.body FROM jobs j JOIN messages m ON m.job_id = j.id WHERE j.title = "
                                        "'sign-up code' AND m.destination = '" + e164 + "' ORDER BY j.id DESC LIMIT 1");
  const auto at = body.find_first_of("0123456789");
  REQUIRE(at != std::string::npos);
  return body.substr(at, 6);
}

}  // namespace


TEST_CASE("kiosk end to end: paired from its staff screen, then sign-ups, a wrong code, the idle question and withdrawals in every language") {
  Appliance rig;
  const std::string code = rig.enrol("K-E2E");
  Screen x(800, 1280);
  const std::string db = rig.db();
  Kiosk k(x, rig.kioskOptions(x.dir.file("state"), writeConfig(x), "K-E2E"), "800x1280");
  WARN("tocsin-kiosk showed its first screen " << k.startup << " s after it was started");

  // Not paired: out of service, nothing to tap but the staff corner.
  CHECK_FALSE(hasTarget(k.read(), "signup"));
  k.shot("staff", "00-not-in-service");
  openStaffScreen(k);
  k.shot("staff", "16-admin");
  k.tap("pair");
  k.waitScreen("pair-code");
  for (char c : std::string("ABCDE23456")) k.tap(std::string("key-") + c);  // a wrong code first
  k.tap("key-action");
  CHECK_FALSE(k.read().error.empty());
  k.shot("staff", "17-pair-refused");
  for (char c : code)
    if (c != '-') k.tap(std::string("key-") + c);
  k.shot("staff", "18-pair-code");
  k.tap("key-action");
  // Paired: the kiosk starts again with its token and the appliance's texts.
  k.waitFor([](const Map& m) { return m.screen == "attract" && hasTarget(m, "signup"); }, "the paired attract screen");
  struct stat sb {};
  REQUIRE(::stat(x.dir.file("state/credential").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);

  const std::vector<std::string> langs = {"en", "fr", "it", "pl"};
  std::string numbers;
  for (size_t i = 0; i < langs.size(); ++i) {
    const std::string& lang = langs[i];
    const std::string national = "061234567" + std::to_string(i), e164 = "+3361234567" + std::to_string(i);
    numbers += (i ? ",'" : "'") + e164 + "'";
    const bool adult = lang != "pl";  // the Polish run takes the under-age path
    k.waitScreen("attract");
    k.shot(lang, "01-attract");
    k.tap("signup");
    k.waitScreen("language");
    k.shot(lang, "02-language");
    k.tap("lang-" + lang);
    CHECK(k.waitScreen("phone").language == lang);
    k.tapDigits("0612");
    k.tap("key-action");
    CHECK_FALSE(k.read().error.empty());  // a number too short is refused on the spot
    k.shot(lang, "03-phone-invalid");
    for (int d = 0; d < 4; ++d) k.tap("key-backspace");
    k.tapDigits(national);
    k.shot(lang, "04-phone");
    // Left alone: the question and its countdown; "Continue" keeps what was typed.
    k.waitScreen("still-there");
    k.shot(lang, "05-still-there");
    k.tap("still-here");
    k.waitScreen("phone");
    k.tap("key-action");
    k.waitScreen("name");
    k.type("Marie");  // typing on a keyboard, when there is one
    k.shot(lang, "06-name");
    k.tap("next");
    k.waitScreen("age");
    k.shot(lang, "07-age");
    k.tap(adult ? "age-yes" : "age-no");
    k.waitScreen("consent");
    k.shot(lang, "08-consent");
    k.tap("toggle-alerts");
    if (adult && lang != "it") k.tap("toggle-promotions");
    k.shot(lang, "09-consent-chosen");
    k.tap("submit");
    k.waitScreen("code");
    k.shot(lang, "10-code");
    k.tapDigits("000000");
    k.tap("key-action");
    CHECK_FALSE(k.read().error.empty());
    k.shot(lang, "11-code-wrong");
    k.tapDigits(codeFor(db, e164));
    k.tap("key-action");
    k.waitScreen("done");
    k.shot(lang, "12-done");
    k.tap("finish");
    k.waitScreen("attract");

    // What the appliance holds: one confirmed consent per purpose chosen, with the kiosk, the
    // language and the exact text shown.
    const std::string contact = rawQuery(db, "SELECT id FROM contacts WHERE phone = '" + e164 + "'");
    REQUIRE_FALSE(contact.empty());
    CHECK(rawQuery(db, "SELECT name || '|' || language || '|' || source FROM contacts WHERE id = " + contact) == "Marie|" + lang + "|kiosk");
    CHECK(rawQuery(db, "SELECT count(*) FROM consent_events e JOIN consent_texts t ON t.text_id = e.text_id AND "
                       "t.language = e.language AND t.version = e.text_version AND t.sha256 = e.text_sha256 "
                       "WHERE e.contact_id = " + contact + " AND e.action = 'granted' AND e.channel = 'kiosk:kiosk-K-E2E' "
                       "AND e.language = '" + lang + "'") == (adult && lang != "it" ? "2" : "1"));
    CHECK(rawQuery(db, "SELECT group_concat(purpose || '=' || state) FROM (SELECT * FROM consent_state WHERE contact_id = " +
                           contact + " ORDER BY purpose)") ==
          (adult && lang != "it" ? "alerts=confirmed,promotions:martin=confirmed" : "alerts=confirmed"));

    // Withdrawal of the shop's offers: as easy as signing up. The town's alerts stay: a number
    // typed at a kiosk proves nothing about who typed it.
    k.tap("stop");
    k.waitScreen("language");
    k.tap("lang-" + lang);
    k.waitScreen("phone");
    k.tapDigits(national);
    k.tap("key-action");
    k.waitScreen("withdraw");
    k.shot(lang, "13-withdraw");
    k.tap("withdraw-confirm");
    // The withdrawal waits for the code sent to the number.
    k.waitScreen("code");
    k.tapDigits(codeFor(db, e164));
    k.tap("key-action");
    k.waitScreen("withdrawn");
    k.shot(lang, "14-withdrawn");
    k.tap("finish");
    CHECK(rawQuery(db, "SELECT group_concat(purpose || '=' || state) FROM (SELECT * FROM consent_state WHERE contact_id = " +
                           contact + " ORDER BY purpose)") ==
          (adult && lang != "it" ? "alerts=confirmed,promotions:martin=withdrawn" : "alerts=confirmed"));
  }
  // Every change is audited under the kiosk's token; the code SMS (four sign-ups, four
  // withdrawals) and the confirmations of the offers stopped (en and fr) went to the numbers.
  CHECK(std::stoi(rawQuery(db, "SELECT count(*) FROM audit_log WHERE actor LIKE '%kiosk-K-E2E%'")) >= 16);
  CHECK(rawQuery(db, "SELECT count(*) FROM messages WHERE destination IN (" + numbers + ")") == "10");

  // The staff screen, behind the PIN, closes the kiosk (started with --allow-exit).
  openStaffScreen(k);
  k.shot("staff", "15-admin-pin-then-admin");
  const Map before = k.read();
  for (const auto& t : before.targets)
    if (t.id == "exit")
      REQUIRE(x.run({"xdotool", "mousemove", std::to_string(t.x + t.w / 2), std::to_string(t.y + t.h / 2), "click", "1"}) == 0);
  const int exitStatus = k.process->wait(seconds(10)).value_or(-1);
  INFO("the kiosk said: " << readFile(x.dir.file("kiosk.err")));
  CHECK(exitStatus == 0);
  k.process.reset();
}

TEST_CASE("kiosk end to end: landscape screens in every language") {
  Appliance rig;
  Screen x(1280, 800);
  const auto options = rig.kioskOptions(x.dir.file("state"), writeConfig(x), "K-LAND");
  pairWithFlag(x, options, rig.enrol("K-LAND"));
  Kiosk k(x, options, "1280x800");
  for (const std::string lang : {"en", "fr", "it", "pl"}) {
    k.waitScreen("attract");
    k.shot(lang, "01-attract");
    k.tap("signup");
    k.waitScreen("language");
    k.shot(lang, "02-language");
    k.tap("lang-" + lang);
    k.waitScreen("phone");
    k.shot(lang, "04-phone");
    k.tapDigits("0698765432");
    k.tap("key-action");
    k.waitScreen("name");
    k.shot(lang, "06-name");
    k.tap("skip");
    k.waitScreen("age");
    k.shot(lang, "07-age");
    k.tap("age-yes");
    k.waitScreen("consent");
    k.shot(lang, "08-consent");
    k.tap("no-thanks");
  }
  k.waitScreen("attract");
  // "No thanks" sends and stores nothing.
  CHECK(rawQuery(rig.db(), "SELECT count(*) FROM signups") == "0");
  CHECK(rawQuery(rig.db(), "SELECT count(*) FROM contacts") == "0");
}

// Every screen with larger text, in portrait and in landscape: a sign-up with a wrong code, a
// withdrawal, the staff screens.
TEST_CASE("kiosk end to end: larger text on every screen, portrait and landscape") {
  Appliance rig;
  for (const std::string window : {"800x1280", "1280x800"}) {
    const bool portrait = window == "800x1280";
    Screen x(portrait ? 800 : 1280, portrait ? 1280 : 800);
    const std::string id = portrait ? "K-BIG-P" : "K-BIG-L";
    const auto options = rig.kioskOptions(x.dir.file("state"), writeConfig(x), id);
    pairWithFlag(x, options, rig.enrol(id));
    Kiosk k(x, options, window);
    const std::string lang = "fr", shots = "large";
    const std::string national = portrait ? "0612300201" : "0612300202", e164 = "+33" + national.substr(1);
    k.tap("large-text");
    k.shot(shots, "01-attract");
    k.tap("signup");
    k.waitScreen("language");
    k.shot(shots, "02-language");
    k.tap("lang-" + lang);
    k.waitScreen("phone");
    k.tapDigits(national);
    k.shot(shots, "04-phone");
    k.waitScreen("still-there");
    k.shot(shots, "05-still-there");
    k.tap("still-here");
    k.waitScreen("phone");
    k.tap("key-action");
    k.waitScreen("name");
    k.shot(shots, "06-name");
    k.tap("next");
    k.waitScreen("age");
    k.shot(shots, "07-age");
    k.tap("age-yes");
    k.waitScreen("consent");
    k.tap("toggle-alerts");
    k.shot(shots, "08-consent");
    k.tap("submit");
    k.waitScreen("code");
    k.tapDigits("000000");
    k.tap("key-action");
    k.shot(shots, "11-code-wrong");
    k.tapDigits(codeFor(rig.db(), e164));
    k.tap("key-action");
    k.waitScreen("done");
    k.shot(shots, "12-done");
    k.tap("finish");
    k.waitScreen("attract");
    k.tap("large-text");  // the next person's choice
    k.tap("stop");
    k.waitScreen("language");
    k.tap("lang-" + lang);
    k.waitScreen("phone");
    k.tapDigits(national);
    k.tap("key-action");
    k.waitScreen("withdraw");
    k.shot(shots, "13-withdraw");
    k.tap("withdraw-confirm");
    k.waitScreen("code");
    k.tap("reply-instead");
    k.waitScreen("withdrawn");
    k.shot(shots, "14-withdrawn");
    k.tap("finish");
    k.waitScreen("attract");
    k.tap("large-text");
    openStaffScreen(k);
    k.shot(shots, "16-admin");
    k.tap("pair");
    k.waitScreen("pair-code");
    k.shot(shots, "18-pair-code");
    k.tap("back");
    k.waitScreen("admin");
    CHECK(rawQuery(rig.db(), "SELECT state FROM consent_state s JOIN contacts c ON c.id = s.contact_id WHERE c.phone = '" +
                                 e164 + "'") == "confirmed");
  }
}
TEST_CASE("kiosk on its own tablet: paired through the API, signs up and withdraws through the real broadcaster") {
  DaemonRig rig(kBin);
  writeFile(rig.dir.file("alerts-fr.txt"), "Je veux recevoir les alertes de la ville par SMS.");
  writeFile(rig.dir.file("promo-fr.txt"), "Je veux les offres de la Boulangerie Martin par SMS. STOP pour arr\u00eater.");
  REQUIRE(rig.tocsinctl({"consent", "text", "add", "--id", "tablet-alerts", "--purpose", "alerts", "--language", "fr",
                         "--file", rig.dir.file("alerts-fr.txt")}).status == 0);
  REQUIRE(rig.tocsinctl({"consent", "text", "add", "--id", "tablet-martin", "--purpose", "promotions:martin", "--language",
                         "fr", "--file", rig.dir.file("promo-fr.txt")}).status == 0);
  rig.startBroadcaster();
  const ToolResult added = rig.tocsinctl({"kiosk", "add", "--shop", "martin", "--id", "K-TAB"});
  REQUIRE(added.status == 0);
  std::string code;  // the line alone on stdout: XXXXX-XXXXX
  for (const auto& line : lines(added.out))
    if (line.size() == 11 && line[5] == '-') code = line;
  INFO(added.out);
  REQUIRE_FALSE(code.empty());

  Screen x(720, 1280);
  const std::string state = x.dir.file("tablet-state");
  // Pairing: once; the same code again is refused.
  const std::vector<std::string> client = {"--url", rig.url, "--ca", rig.ca, "--state", state, "--kiosk-id", "K-TAB"};
  auto withArgs = [&](std::vector<std::string> more) {
    std::vector<std::string> argv{kBin + "/tocsin-kiosk"};
    argv.insert(argv.end(), client.begin(), client.end());
    argv.insert(argv.end(), more.begin(), more.end());
    return argv;
  };
  const int paired = x.run(withArgs({"--pair", code}));
  INFO("pairing said: " << readFile(x.dir.file("tool.log")) << " (code " << code << ")");
  REQUIRE(paired == 0);
  struct stat sb {};
  REQUIRE(::stat((state + "/credential").c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  CHECK(x.run(withArgs({"--pair", code})) != 0);

  Kiosk k(x, client, "720x1280");
  const std::string db = rig.db();
  const std::string national = "0612300077", e164 = "+33612300077";
  signUp(k, "fr", national, /*adult=*/true, /*offers=*/true);
  k.waitScreen("code");
  REQUIRE(eventually([&] { return !rawQuery(db, "SELECT count(*) FROM signups WHERE phone = '" + e164 + "'").empty(); },
                     seconds(5)));
  k.tapDigits(codeFor(db, e164));
  k.tap("key-action");
  k.waitScreen("done");
  k.shot("tablet", "01-done");
  k.tap("finish");
  k.waitScreen("attract");
  // Recorded by the appliance with the exact texts the tablet showed, under the kiosk's token.
  CHECK(rawQuery(db, "SELECT group_concat(e.text_id, ',') FROM consent_events e JOIN consent_texts t ON "
                     "t.text_id = e.text_id AND t.version = e.text_version AND t.sha256 = e.text_sha256 WHERE "
                     "e.action = 'granted' AND e.channel = 'kiosk:kiosk-K-TAB' ORDER BY e.id") ==
        "tablet-alerts,tablet-martin");
  CHECK(rawQuery(db, "SELECT group_concat(purpose || '=' || state) FROM (SELECT * FROM consent_state ORDER BY purpose)") ==
        "alerts=confirmed,promotions:martin=confirmed");

  // A second person confirms by replying to the SMS instead.
  const std::string other = "+33612300088";
  signUp(k, "fr", "0612300088", /*adult=*/false, /*offers=*/false);
  k.waitScreen("code");
  const std::string replied = codeFor(db, other);
  rig.smsc->writeLine("mo " + other + " TOWNHALL " + replied);
  CHECK(eventually([&] {
    return rawQuery(db, "SELECT count(*) FROM consent_events e JOIN contacts c ON c.id = e.contact_id WHERE c.phone = '" +
                            other + "' AND e.action = 'confirmed' AND e.method = 'sms-reply-code'") == "1";
  }, seconds(20)));
  k.tap("reply-instead");
  k.waitScreen("done");
  k.tap("finish");
  k.waitScreen("attract");

  // Stopping the shop's offers waits for the code sent to the number.
  startWithdrawal(k, "fr", national);
  CHECK(rawQuery(db, "SELECT state FROM consent_state WHERE purpose = 'promotions:martin'") == "confirmed");
  k.tapDigits(codeFor(db, e164));
  k.tap("key-action");
  k.waitScreen("withdrawn");
  k.tap("finish");
  CHECK(rawQuery(db, "SELECT group_concat(purpose || '=' || state) FROM (SELECT * FROM consent_state c JOIN contacts p "
                     "ON p.id = c.contact_id WHERE p.phone = '" + e164 + "' ORDER BY purpose)") ==
        "alerts=confirmed,promotions:martin=withdrawn");
  // The appliance knows the kiosk's last contact and version.
  const ToolResult list = rig.tocsinctl({"kiosk", "list"});
  CHECK(list.out.find("K-TAB  martin  paired  last contact") != std::string::npos);

  // The appliance goes away in the middle of sign-ups: they wait in the tablet's outbox, and
  // reach the store exactly once when it is back (on the same address).
  const int port = rig.port;
  rig.broadcaster->stop();
  rig.broadcaster.reset();
  const std::vector<std::string> waiting = {"0612300101", "0612300102"};
  for (const auto& n : waiting) {
    signUp(k, "fr", n, /*adult=*/false, /*offers=*/false);
    k.waitScreen("done");  // the code will come by SMS, to be answered by reply
    k.shot("tablet", "02-done-offline");
    k.tap("finish");
    k.waitScreen("attract");
  }
  struct stat outboxStat {};
  REQUIRE(::stat((state + "/outbox.db").c_str(), &outboxStat) == 0);
  CHECK((outboxStat.st_mode & 0777) == 0600);
  CHECK(rawQuery(db, "SELECT count(*) FROM signups WHERE phone IN ('+33612300101', '+33612300102')") == "0");
  rig.startBroadcaster({}, "127.0.0.1:" + std::to_string(port));
  REQUIRE(rig.port == port);
  CHECK(eventually([&] {
    return rawQuery(db, "SELECT count(*) FROM signups WHERE phone IN ('+33612300101', '+33612300102')") == "2";
  }, seconds(30)));
  std::this_thread::sleep_for(seconds(4));  // another round of the sender: nothing is sent twice
  CHECK(rawQuery(db, "SELECT group_concat(phone) FROM (SELECT phone FROM signups WHERE phone IN "
                     "('+33612300101', '+33612300102') ORDER BY id)") == "+33612300101,+33612300102");
  // Answered by reply, as the kiosk said.
  const std::string late = "+33612300101";
  rig.smsc->writeLine("mo " + late + " TOWNHALL " + codeFor(db, late));
  CHECK(eventually([&] {
    return rawQuery(db, "SELECT state FROM consent_state s JOIN contacts c ON c.id = s.contact_id WHERE c.phone = '" +
                            late + "'") == "confirmed";
  }, seconds(20)));
  CHECK(rig.tocsinctl({"audit", "verify"}).status == 0);

  // The tablet's own token, as a thief who took the tablet would find it, against every other
  // call of the real daemon: refused, each one.
  std::string token = readFile(state + "/credential");
  while (!token.empty() && token.back() == '\n') token.pop_back();
  const std::set<std::string>& own = tocsin::testing::kioskRoutes();
  const std::set<std::string>& open = tocsin::testing::openRoutes();
  const Reply doc = https(rig, "GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  int refused = 0;
  for (const auto& [path, item] : *doc.json->getObject("paths")) {
    for (const auto& [method, op] : *item.extract<Poco::JSON::Object::Ptr>()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (own.count(upper + " " + path) || open.count(upper + " " + path)) continue;
      std::string concrete = path;
      for (size_t at; (at = concrete.find('{')) != std::string::npos;)
        concrete.replace(at, concrete.find('}', at) - at + 1, "1");
      const Reply r = https(rig, upper, concrete, token, "{}");
      INFO(upper << " " << path << " answered " << r.status << " " << r.body);
      CHECK(r.status == 403);
      ++refused;
    }
  }
  CHECK(refused > 20);
  CHECK(https(rig, "GET", "/v1/consent/texts", token).status == 200);
  // Revoked by an admin on the box, the token is dead within a second.
  REQUIRE(rig.tocsinctl({"kiosk", "revoke", "K-TAB"}).status == 0);
  CHECK(eventually([&] { return https(rig, "GET", "/v1/consent/texts", token).status == 401; }, seconds(3)));
}
