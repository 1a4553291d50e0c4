// tocsin-kiosk: the sign-up kiosk on a shop's stand, a client of the appliance's API.
//
//   tocsin-kiosk --url https://APPLIANCE:PORT [--ca CERT.pem] [--state DIR] [--config FILE] --kiosk-id ID
//                [--pair CODE] [--window WxH] [--ui-map FILE] [--allow-exit]
//
// The kiosk is paired once, from its staff screen or with --pair CODE (which exits): the
// one-time code from the appliance's admin is exchanged for the kiosk's own token, kept in
// DIR/credential (0600). Unpaired, the kiosk says it is not in service. Paired, it fetches the
// consent texts in force (cached in DIR/texts.json for a start while the appliance is away) and
// signs people up through the kiosk calls alone; sign-ups taken while the appliance cannot be
// reached wait in DIR/outbox.db. It opens no store and holds no key of the appliance.
//
// Full screen on the primary monitor unless --window is given. The loop sleeps until a touch
// or the flow's next deadline (idle question, countdown, end of a thank-you screen), so an
// idle kiosk uses no CPU. --ui-map writes where each touch target is, after every change, for
// the end-to-end test and for checking target sizes.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <thread>
#include <cstring>
#include <fstream>
#include <iostream>

#include "common/base/clock.h"
#include "common/base/json_text.h"
#include "common/base/files.h"
#include "kiosk/api_signups.h"
#include "kiosk/draw.h"
#include "kiosk/outbox.h"
#include "kiosk/settings.h"

namespace {

using namespace tocsin;

int usage(const std::string& problem) {
  std::cerr << "tocsin-kiosk: " << problem << "\n"
            << "usage: tocsin-kiosk --url URL [--ca CERT] [--state DIR] [--pair CODE] [--config FILE] --kiosk-id ID\n"
            << "                    [--window WxH] [--ui-map FILE] [--allow-exit]\n";
  return 2;
}

const char* kFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

void writeUiMap(const std::string& path, const kiosk::Snapshot& s, const kiosk::UiState& ui, uint64_t actions) {
  std::string out = "{\"actions\":" + std::to_string(actions) + ",\"screen\":";
  appendJsonString(out, s.countdownSeconds ? "still-there" : kiosk::screenName(s.screen));
  out += ",\"language\":";
  appendJsonString(out, s.language);
  out += ",\"error\":";
  appendJsonString(out, s.error);
  out += ",\"targets\":[";
  for (size_t i = 0; i < ui.targets.size(); ++i) {
    const auto& t = ui.targets[i];
    char box[160];
    std::snprintf(box, sizeof box, ",\"x\":%.0f,\"y\":%.0f,\"w\":%.0f,\"h\":%.0f}", t.x, t.y, t.w, t.h);
    out += (i ? ",{\"id\":" : "{\"id\":") + jsonString(t.id) + box;
  }
  out += "]}\n";
  const std::string tmp = path + ".tmp";
  std::ofstream(tmp) << out;
  std::rename(tmp.c_str(), path.c_str());
}

struct Options {
  std::optional<std::string> configPath, url, caFile, pairCode;
  std::string stateDir = "var/kiosk";
  std::string kioskId, uiMap;
  int width = 0, height = 0;  // 0: full screen
  bool allowExit = false;
};

// Parses argv; a usage mistake gives its message.
std::optional<std::string> parseOptions(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--allow-exit") {
      o.allowExit = true;
      continue;
    }
    if (i + 1 >= argc) return a + " needs a value";
    const std::string v = argv[++i];
    if (a == "--url") o.url = v;
    else if (a == "--ca") o.caFile = v;
    else if (a == "--pair") o.pairCode = v;
    else if (a == "--state") o.stateDir = v;
    else if (a == "--config") o.configPath = v;
    else if (a == "--kiosk-id") o.kioskId = v;
    else if (a == "--ui-map") o.uiMap = v;
    else if (a == "--window") {
      if (std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 320 || o.height < 320)
        return std::string("--window is WIDTHxHEIGHT, at least 320x320");
    } else {
      return "unknown option " + a;
    }
  }
  if (o.kioskId.empty()) return std::string("--kiosk-id is required");
  if (!o.url) return std::string("--url is required: the appliance the kiosk signs people up with");
  return std::nullopt;
}

// The kiosk's own files: the token it was given when paired and the texts last fetched.
struct ClientState {
  std::unique_ptr<kiosk::KioskApi> api;
  std::string token;                      // read once, from DIR/credential
  std::unique_ptr<kiosk::Outbox> outbox;  // the UI thread's connection to it
  std::unique_ptr<kiosk::ApiSignups> signups;
};

// Delivers what waits in the outbox every few seconds, on its own connection and client.
class OutboxSender {
 public:
  OutboxSender(const Options& o, std::string token, Clock& clock) : options_(o), token_(std::move(token)), clock_(clock) {
    thread_ = std::thread([this] { run(); });
  }
  ~OutboxSender() {
    stop_.trigger();
    thread_.join();
  }

 private:
  void run() {
    auto api = kiosk::KioskApi::connect(*options_.url, options_.caFile.value_or(""));
    auto outbox = kiosk::Outbox::open(options_.stateDir + "/outbox.db", clock_);
    if (!api.ok() || !outbox.ok()) return;
    (*api)->setToken(token_);
    while (!stop_.triggered()) {
      (*api)->setWaiting((*outbox)->size());
      if ((*outbox)->size() > 0) {
        const auto d = (*outbox)->deliver(**api);
        if (d.delivered + d.refused > 0)
          std::cerr << "tocsin-kiosk: outbox: " << d.delivered << " sign-ups delivered, " << d.refused << " refused\n";
      }
      clock_.sleepFor(std::chrono::seconds(3), stop_);
    }
  }

  const Options& options_;
  std::string token_;
  Clock& clock_;
  Interrupt stop_;
  std::thread thread_;
};

Status ensurePrivateDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Status::ioError("cannot create " + dir);
  ::chmod(dir.c_str(), 0700);
  return Status::okStatus();
}

std::string credentialPath(const Options& o) { return o.stateDir + "/credential"; }

// Exchanges a one-time pairing code for the kiosk's token, kept in DIR/credential (0600).
Status pairWith(const Options& o, const std::string& code) {
  TOCSIN_RETURN_IF_ERROR(ensurePrivateDir(o.stateDir));
  TOCSIN_ASSIGN_OR_RETURN(auto api, kiosk::KioskApi::connect(*o.url, o.caFile.value_or("")));
  TOCSIN_ASSIGN_OR_RETURN(const std::string token, kiosk::pairKiosk(*api, o.kioskId, code));
  return writeFileAtomically(credentialPath(o), token + "\n", 0600);
}

// The staff screen's pairing.
class ApiPairing final : public kiosk::PairingPort {
 public:
  explicit ApiPairing(const Options& o) : options_(o) {}
  Status pair(const std::string& code) override {
    const Status st = pairWith(options_, code);
    if (!st.ok()) std::cerr << "tocsin-kiosk: pairing: " << st.message() << "\n";
    return st;
  }

 private:
  const Options& options_;
};

// An unpaired kiosk signs nobody up (its screen says it is not in service).
class Unpaired final : public kiosk::SignupPort {
 public:
  Result<PhoneNumber> checkPhone(const std::string&, const std::string&) const override { return refused(); }
  Result<kiosk::PendingSignup> signUp(const kiosk::SignupRequest&) override { return refused(); }
  Result<kiosk::CodeOutcome> confirm(int64_t, const std::string&, int&) override { return refused(); }
  Result<kiosk::PendingSignup> withdraw(const std::string&, const std::string&, const std::string&) override {
    return refused();
  }

 private:
  static Status refused() { return Status::failedPrecondition("this kiosk is not paired"); }
};

// A paired kiosk: its token, the texts in force (or those fetched last) and its outbox. Nullopt
// when it is not paired yet.
Result<std::optional<ClientState>> openClient(const Options& o, kiosk::FlowSettings& flow, Clock& clock) {
  TOCSIN_RETURN_IF_ERROR(ensurePrivateDir(o.stateDir));
  const std::string credential = credentialPath(o);
  struct stat sb {};
  if (::stat(credential.c_str(), &sb) != 0) return std::optional<ClientState>();
  if (sb.st_mode & 077) return Status::permissionDenied(credential + " is readable by others: chmod 600 " + credential);
  ClientState c;
  TOCSIN_ASSIGN_OR_RETURN(c.api, kiosk::KioskApi::connect(*o.url, o.caFile.value_or("")));
  TOCSIN_ASSIGN_OR_RETURN(c.token, readWholeFile(credential));
  while (!c.token.empty() && (c.token.back() == '\n' || c.token.back() == '\r')) c.token.pop_back();
  c.api->setToken(c.token);
  TOCSIN_ASSIGN_OR_RETURN(const kiosk::ServedTexts texts, kiosk::textsInForce(*c.api, o.stateDir + "/texts.json"));
  // The screen shows exactly the texts served (their hash is what a sign-up records).
  flow.consentTexts.clear();
  for (const auto& [key, t] : texts) flow.consentTexts[key] = t.body;
  TOCSIN_ASSIGN_OR_RETURN(c.outbox, kiosk::Outbox::open(o.stateDir + "/outbox.db", clock));
  c.api->setWaiting(c.outbox->size());
  c.signups = std::make_unique<kiosk::ApiSignups>(*c.api, texts, c.outbox.get());
  return std::optional<ClientState>(std::move(c));
}

GLFWwindow* openWindow(int width, int height) {
  if (!glfwInit()) {
    std::cerr << "tocsin-kiosk: no display (GLFW could not start)\n";
    return nullptr;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  GLFWmonitor* monitor = nullptr;
  if (!width) {
    monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = glfwGetVideoMode(monitor);
    width = mode->width;
    height = mode->height;
  }
  GLFWwindow* window = glfwCreateWindow(width, height, "Tocsin", monitor, nullptr);
  if (!window) {
    std::cerr << "tocsin-kiosk: cannot open a window\n";
    glfwTerminate();
    return nullptr;
  }
  glfwMakeContextCurrent(window);
  glfwFocusWindow(window);
  glfwSwapInterval(1);
  return window;
}

// Dear ImGui with the kiosk's fonts and style; false when the font is missing.
bool setUpImGui(GLFWwindow* window, const std::string& defaultRegion, kiosk::UiState& ui) {
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing written to disk
  io.LogFilename = nullptr;
  float sx = 1, sy = 1;
  glfwGetWindowContentScale(window, &sx, &sy);
  ui.scale = std::max(1.0f, std::max(sx, sy));
  ui.countries = kiosk::countries(defaultRegion);
  // Latin-1, Latin Extended-A (Polish), punctuation, arrows, the erase key, ballot boxes.
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0100, 0x017F, 0x2010, 0x2027, 0x25B8, 0x25B8,
                                   0x2326, 0x232B, 0x2610, 0x2612, 0};
  // Body text 26 px at 1x; "Larger text" a third larger.
  auto load = [&](float factor, kiosk::FontSet& set) {
    set.body = io.Fonts->AddFontFromFileTTF(kFont, 26.0f * factor * ui.scale, nullptr, ranges);
    set.large = io.Fonts->AddFontFromFileTTF(kFont, 34.0f * factor * ui.scale, nullptr, ranges);
    set.huge = io.Fonts->AddFontFromFileTTF(kFont, 46.0f * factor * ui.scale, nullptr, ranges);
    return set.body && set.large && set.huge;
  };
  if (!load(1.0f, ui.normal) || !load(1.35f, ui.bigger)) {
    std::cerr << "tocsin-kiosk: cannot load " << kFont << " (install fonts-dejavu-core)\n";
    return false;
  }
  kiosk::applyStyle(ui.scale);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  // The kiosk is the only application on its screen: keyboard focus moving (or never being
  // given, without a window manager) must not make Dear ImGui drop a touch in progress.
  glfwSetWindowFocusCallback(window, nullptr);
  ImGui_ImplOpenGL3_Init("#version 130");
  return true;
}

// One frame: draw the flow's snapshot and return what the person did.
std::vector<kiosk::Action> drawFrame(GLFWwindow* window, const kiosk::Flow& flow, kiosk::UiState& ui) {
  ImGuiIO& io = ImGui::GetIO();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  // The kiosk is the only thing on the screen: follow the touch even when the window manager
  // (or its absence) has not given the window focus.
  double cx = 0, cy = 0;
  glfwGetCursorPos(window, &cx, &cy);
  io.MousePos = ImVec2(static_cast<float>(cx), static_cast<float>(cy));
  ImGui::NewFrame();
  auto actions = kiosk::draw(flow.snapshot(), ui);
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window, &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.06f, 0.08f, 0.10f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  glfwSwapBuffers(window);
  return actions;
}

// Until the window closes or staff exit: sleeps until a touch or the flow's next deadline.
void runLoop(GLFWwindow* window, kiosk::Flow& flow, kiosk::UiState& ui, const std::string& uiMap) {
  int framesToDraw = 3;  // a touch needs a few frames (press, release, redraw)
  std::string lastMap;
  uint64_t& applied = ui.actionsApplied;
  while (!glfwWindowShouldClose(window) && !flow.exitRequested() && !flow.pairedNow()) {
    if (framesToDraw > 0) {
      glfwPollEvents();
    } else if (auto next = flow.nextTick()) {
      glfwWaitEventsTimeout(std::max(0.01, std::chrono::duration<double>(*next).count()));
      framesToDraw = 2;
    } else {
      glfwWaitEvents();
      framesToDraw = 3;
    }
    flow.tick();
    const auto actions = drawFrame(window, flow, ui);
    // A touch in progress (pressed, held, just released) needs the next frames to complete.
    if (ImGui::IsAnyMouseDown() || ImGui::GetIO().MouseReleased[0] || ImGui::IsAnyItemActive())
      framesToDraw = std::max(framesToDraw, 3);
    for (const auto& a : actions) flow.apply(a);
    applied += actions.size();
    if (!actions.empty()) framesToDraw = 3;
    else --framesToDraw;
    if (!uiMap.empty() && framesToDraw <= 0) {
      // Written once the screen has settled.
      const auto& s = flow.snapshot();
      std::string key = std::string(kiosk::screenName(s.screen)) + s.language + s.error +
                        std::to_string(s.countdownSeconds.value_or(-1)) + std::to_string(ui.targets.size()) + "/" +
                        std::to_string(applied);
      if (key != lastMap) {
        writeUiMap(uiMap, s, ui, applied);
        lastMap = key;
      }
    }
  }
}

// One run of the kiosk with what it has (paired or not) until it closes or staff pair it.
enum class Ended { kClosed, kPaired, kFailed };

Ended runSession(const Options& o, kiosk::FlowSettings settings, GLFWwindow* window, kiosk::UiState& ui, Clock& clock) {
  auto opened = openClient(o, settings, clock);
  if (!opened.ok()) {
    std::cerr << "tocsin-kiosk: " << opened.status().message() << "\n";
    return Ended::kFailed;
  }
  std::optional<ClientState> client = std::move(*opened);
  std::unique_ptr<OutboxSender> sender;
  Unpaired unpaired;
  ApiPairing pairing(o);
  settings.paired = client.has_value();
  settings.allowExit = o.allowExit;
  settings.staffStatus = "Kiosk " + o.kioskId + " \u00B7 " + *o.url + " \u00B7 " +
                         (client ? "paired, " + std::to_string(client->outbox->size()) + " sign-ups waiting"
                                 : std::string("not paired"));
  if (client) sender = std::make_unique<OutboxSender>(o, client->token, clock);
  kiosk::Flow flow(clock, client ? static_cast<kiosk::SignupPort&>(*client->signups) : unpaired, settings, &pairing);
  runLoop(window, flow, ui, o.uiMap);
  return flow.pairedNow() ? Ended::kPaired : Ended::kClosed;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (auto problem = parseOptions(argc, argv, o)) return usage(*problem);
  Poco::JSON::Object::Ptr document;
  if (o.configPath) {
    auto c = kiosk::readSettingsFile(*o.configPath);
    if (!c.ok()) {
      std::cerr << "tocsin-kiosk: " << c.status().message() << "\n";
      return 2;
    }
    document = *c;
  }
  auto settings = kiosk::parseKioskSettings(document, o.kioskId);
  if (!settings.ok()) {
    std::cerr << "tocsin-kiosk: configuration: " << settings.status().message() << "\n";
    return 2;
  }
  if (o.pairCode) {
    if (Status st = pairWith(o, *o.pairCode); !st.ok()) {
      std::cerr << "tocsin-kiosk: " << st.message() << "\n";
      return 1;
    }
    std::cout << "kiosk " << o.kioskId << " paired; its token is in " << credentialPath(o) << "\n";
    return 0;
  }
  SystemClock clock;
  GLFWwindow* window = openWindow(o.width, o.height);
  if (!window) return 1;
  kiosk::UiState ui;
  if (!setUpImGui(window, settings->flow.defaultRegion, ui)) return 1;
  Ended ended = Ended::kPaired;
  while (ended == Ended::kPaired) ended = runSession(o, settings->flow, window, ui, clock);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return ended == Ended::kFailed ? 1 : 0;
}
