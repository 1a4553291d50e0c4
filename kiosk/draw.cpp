#include "kiosk/draw.h"

#include <algorithm>

namespace tocsin::kiosk {
namespace {

const ImVec4 kBackground(0.06f, 0.08f, 0.10f, 1.0f);
const ImVec4 kText(1.0f, 1.0f, 1.0f, 1.0f);
const ImVec4 kPrimary(1.0f, 0.84f, 0.0f, 1.0f);     // yellow, black text: 14:1
const ImVec4 kSecondary(0.80f, 0.87f, 1.0f, 1.0f);  // light blue, black text
const ImVec4 kError(1.0f, 0.55f, 0.45f, 1.0f);

struct Frame {
  const Snapshot& s;
  UiState& ui;
  std::vector<Action> actions;
  float unit() const { return ui.scale; }
  const FontSet& fonts() const { return s.largeText ? ui.bigger : ui.normal; }
  float width() const { return ImGui::GetContentRegionAvail().x; }

  bool button(const std::string& id, const std::string& label, ImVec2 size, const ImVec4& color = kPrimary) {
    ImGui::PushStyleColor(ImGuiCol_Button, color);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, color);
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(color.x * 0.8f, color.y * 0.8f, color.z * 0.8f, 1.0f));
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0, 0, 0, 1));
    // Never smaller than 48 px at 1x.
    size.x = std::max(size.x, 48.0f * unit());
    size.y = std::max(size.y, 48.0f * unit());
    const bool pressed = ImGui::Button((label + "##" + id).c_str(), size);
    ImGui::PopStyleColor(4);
    const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    ui.targets.push_back({id, min.x, min.y, max.x - min.x, max.y - min.y});
    return pressed;
  }
  void act(Intent i, std::string value = "") { actions.push_back({i, std::move(value)}); }

  // "Step 2 of 6" above the title of each step of a sign-up or a withdrawal.
  void stepLine() {
    static const Screen signup[] = {Screen::kLanguage, Screen::kPhone, Screen::kName, Screen::kAge, Screen::kConsent, Screen::kCode};
    static const Screen withdrawal[] = {Screen::kLanguage, Screen::kPhone, Screen::kWithdraw, Screen::kCode};
    const Screen* steps = s.withdrawing ? withdrawal : signup;
    const int total = s.withdrawing ? 4 : 6;
    for (int i = 0; i < total; ++i)
      if (steps[i] == s.screen) paragraph(fill(s.text->stepOf, {{"n", std::to_string(i + 1)}, {"total", std::to_string(total)}}));
  }

  void title(const std::string& text) {
    stepLine();
    ImGui::PushFont(fonts().large);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::Dummy(ImVec2(0, 12 * unit()));
  }
  void paragraph(const std::string& text, const ImVec4& color = kText) {
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
  void error() {
    if (!s.error.empty()) paragraph(s.error, kError);
  }
  void gap(float h = 16) { ImGui::Dummy(ImVec2(0, h * unit())); }

  // Digits 1-9, then backspace, 0 and an action key.
  void keypad(const std::string& actionLabel, Intent actionIntent) {
    const float gapX = ImGui::GetStyle().ItemSpacing.x;
    // Fits the height left (landscape screens are short), never under 64 px at 1x.
    const float fit = (ImGui::GetContentRegionAvail().y - 100 * unit()) / 4 - ImGui::GetStyle().ItemSpacing.y;
    const float w = (width() - 2 * gapX) / 3, h = std::max(64.0f * unit(), std::min({w * 0.55f, 120.0f * unit(), fit}));
    // The keys' labels are large already; they keep their size with larger text, so they fit.
    const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
    for (int i = 0; i < 9; ++i) {
      if (i % 3) ImGui::SameLine();
      ImGui::PushFont(ui.normal.huge);
      if (button(std::string("key-") + keys[i], keys[i], ImVec2(w, h), kSecondary)) act(Intent::kKey, keys[i]);
      ImGui::PopFont();
    }
    ImGui::PushFont(ui.normal.huge);
    if (button("key-backspace", "\u232B", ImVec2(w, h), kSecondary)) act(Intent::kBackspace);
    ImGui::SameLine();
    if (button("key-0", "0", ImVec2(w, h), kSecondary)) act(Intent::kKey, "0");
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::PushFont(ui.normal.large);
    if (button("key-action", actionLabel, ImVec2(w, h))) act(actionIntent);
    ImGui::PopFont();
  }

  void backButton() {
    gap();
    if (button("back", s.text->back, ImVec2(width() * 0.4f, 64 * unit()), kSecondary)) act(Intent::kBack);
  }

  // Physical keys, when there is a keyboard (a technician, the test harness): digits and
  // letters become key presses, Backspace and Enter their buttons.
  void physicalKeys(bool letters, Intent enter) {
    ImGuiIO& io = ImGui::GetIO();
    for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
      const unsigned c = io.InputQueueCharacters[i];
      if (c < 0x20 || c == 0x7f) continue;
      if (!letters && (c < '0' || c > '9')) continue;
      std::string utf8;
      if (c < 0x80) utf8 = std::string(1, static_cast<char>(c));
      else if (c < 0x800) utf8 = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
      else utf8 = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
      act(Intent::kKey, utf8);
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace))) act(Intent::kBackspace);
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter))) act(enter);
  }

  std::string spacedDigits(const std::string& digits) const {
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) out += (i && i % 2 == (digits.size() % 2) ? " " : "") + std::string(1, digits[i]);
    return out;
  }

  // "A+ Larger text" / "A- Normal text", for the rest of the person's session.
  void textSizeToggle(float w) {
    ImGui::PushFont(ui.normal.large);
    if (button("large-text", s.largeText ? s.text->normalText : s.text->largeText, ImVec2(w, 64 * unit()), kSecondary))
      act(Intent::kLargeText);
    ImGui::PopFont();
  }

  void attract() {
    if (button("admin-corner", " ", ImVec2(48 * unit(), 48 * unit()), kBackground)) act(Intent::kAdminCorner);
    if (!s.inService) {
      gap(80);
      ImGui::PushFont(fonts().huge);
      paragraph(s.text->notInService);
      ImGui::PopFont();
      return;
    }
    const float toggle = std::min(width() * 0.5f, 360 * unit());
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - toggle);
    textSizeToggle(toggle);
    gap(24);
    ImGui::PushFont(fonts().huge);
    paragraph(s.text->touchToStart);
    ImGui::PopFont();
    // Who is asking and what one gets, before anything is asked.
    ImGui::PushFont(fonts().large);
    paragraph(fill(s.text->whatYouGet, {{"town", s.townName}, {"shop", s.shopName}}));
    ImGui::PopFont();
    gap(30);
    ImGui::PushFont(fonts().huge);
    if (button("signup", s.text->signUp, ImVec2(width(), 160 * unit()))) act(Intent::kSignUp);
    ImGui::PopFont();
    std::string others;
    for (const auto& l : languages())
      if (l.code != s.language) others += (others.empty() ? "" : "  \u00B7  ") + uiText(l.code).signUp;
    paragraph(others);
    gap(60);
    ImGui::PushFont(fonts().large);
    if (button("stop", s.text->stopMessages, ImVec2(width(), 110 * unit()), kSecondary)) act(Intent::kStopMessages);
    ImGui::PopFont();
    others.clear();
    for (const auto& l : languages())
      if (l.code != s.language) others += (others.empty() ? "" : "  \u00B7  ") + uiText(l.code).stopMessages;
    paragraph(others);
  }

  void language() {
    title(s.text->chooseLanguage);
    ImGui::PushFont(fonts().huge);
    for (const auto& l : languages()) {
      if (std::find(s.languagesOffered.begin(), s.languagesOffered.end(), l.code) == s.languagesOffered.end()) continue;
      if (button("lang-" + l.code, l.endonym, ImVec2(width(), 120 * unit()))) act(Intent::kLanguage, l.code);
      gap(8);
    }
    ImGui::PopFont();
    gap();
    textSizeToggle(width());
    backButton();
  }

  void phone() {
    physicalKeys(false, Intent::kNext);
    title(s.text->phoneTitle);
    paragraph(s.text->phoneHint);
    gap(8);
    const Country& c = ui.countries[ui.countryIndex % ui.countries.size()];
    ImGui::PushFont(fonts().large);
    if (button("country", s.text->country + ": " + c.region + " " + c.callingCode + "  \u25B8", ImVec2(width(), 80 * unit()), kSecondary)) {
      ui.countryIndex = (ui.countryIndex + 1) % ui.countries.size();
      act(Intent::kCountry, ui.countries[ui.countryIndex].region);
    }
    ImGui::PopFont();
    gap(8);
    ImGui::PushFont(fonts().huge);
    const std::string shown = s.callingCode + "  " + (s.phone.empty() ? std::string("_") : spacedDigits(s.phone));
    ImGui::TextUnformatted(shown.c_str());
    ImGui::PopFont();
    error();
    gap(8);
    keypad(s.text->next, Intent::kNext);
    backButton();
  }

  void name() {
    physicalKeys(true, Intent::kNext);
    title(s.text->nameTitle);
    paragraph(s.text->nameHint);
    ImGui::PushFont(fonts().huge);
    ImGui::TextUnformatted((s.name + "_").c_str());
    ImGui::PopFont();
    gap(8);
    const char* rows[] = {"AZERTYUIOP", "QSDFGHJKLM", "WXCVBN-'", nullptr};
    const char* accents[] = {"\u00C9", "\u00C8", "\u00C0", "\u00C7", "\u00CF", "\u0141", "\u015A", "\u017B", "\u0104", "\u0118", "\u00D3", "\u0143"};
    const float gapX = ImGui::GetStyle().ItemSpacing.x, w = (width() - 9 * gapX) / 10;
    const float fit = (ImGui::GetContentRegionAvail().y - 190 * unit()) / 5 - ImGui::GetStyle().ItemSpacing.y;
    const float h = std::max(56.0f * unit(), std::min(w, fit));
    ImGui::PushFont(ui.normal.large);  // ten keys to a row at any text size
    for (int r = 0; rows[r]; ++r) {
      for (size_t i = 0; rows[r][i]; ++i) {
        if (i) ImGui::SameLine();
        const std::string k(1, rows[r][i]);
        if (button("char-" + k, k, ImVec2(w, h), kSecondary)) act(Intent::kKey, k);
      }
      if (r == 2) {
        ImGui::SameLine();
        if (button("key-backspace", "\u232B", ImVec2(w * 2 + gapX, h), kSecondary)) act(Intent::kBackspace);
      }
    }
    for (size_t i = 0; i < std::size(accents); ++i) {
      if (i % 10) ImGui::SameLine();
      if (button(std::string("char-acc") + std::to_string(i), accents[i], ImVec2(w, h), kSecondary)) act(Intent::kKey, accents[i]);
    }
    ImGui::SameLine();
    if (button("char-space", " ", ImVec2(w * 8 + 7 * gapX, h), kSecondary)) act(Intent::kKey, " ");
    gap();
    const float half = (width() - gapX) / 2;
    if (button("skip", s.text->skip, ImVec2(half, 90 * unit()), kSecondary)) act(Intent::kSkip);
    ImGui::SameLine();
    if (button("next", s.text->next, ImVec2(half, 90 * unit()))) act(Intent::kNext);
    ImGui::PopFont();
    backButton();
  }

  void age() {
    const std::map<std::string, std::string> v = {{"age", std::to_string(s.ageOfConsent)}};
    title(fill(s.text->ageTitle, v));
    gap(30);
    ImGui::PushFont(fonts().large);
    if (button("age-yes", fill(s.text->ageYes, v), ImVec2(width(), 130 * unit()))) act(Intent::kAgeYes);
    gap(80);  // far apart, so that one is not pressed for the other
    if (button("age-no", fill(s.text->ageNo, v), ImVec2(width(), 130 * unit()))) act(Intent::kAgeNo);
    ImGui::PopFont();
    backButton();
  }

  void choice(const std::string& id, bool on, const std::string& label, const std::string& text, Intent intent) {
    ImGui::PushFont(fonts().large);
    if (button(id, std::string(on ? "\u2611  " : "\u2610  ") + label, ImVec2(width(), 96 * unit()), on ? kPrimary : kSecondary))
      act(intent);
    ImGui::PopFont();
    paragraph(text);
    gap(20);
  }

  void consent() {
    // The choices and their full texts scroll if the screen is short; the answer buttons stay
    // at the bottom, always visible.
    const float bar = 110 * unit();
    const float errorRoom = s.error.empty() ? 0 : 2.5f * ImGui::GetTextLineHeightWithSpacing();
    ImGui::BeginChild("consent-texts",
                      ImVec2(0, ImGui::GetContentRegionAvail().y - bar - errorRoom - ImGui::GetStyle().ItemSpacing.y));
    title(s.text->consentTitle);
    paragraph(s.text->consentIntro);
    gap();
    if (s.alertsOffered) choice("toggle-alerts", s.alerts, s.text->alertsLabel, s.alertsText, Intent::kToggleAlerts);
    if (s.promotionsOffered)
      choice("toggle-promotions", s.promotions, fill(s.text->promotionsLabel, {{"shop", s.shopName}}), s.promotionsText,
             Intent::kTogglePromotions);
    else
      paragraph(fill(s.text->noPromotionsUnderAge, {{"age", std::to_string(s.ageOfConsent)}}));
    paragraph(s.text->consentFooter);
    ImGui::EndChild();
    error();
    // Equal weight: same size, same row; "Back" smaller, at the side.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float back = std::max(48.0f * unit(), width() * 0.18f), half = (width() - back - 2 * spacing) / 2;
    ImGui::PushFont(fonts().body);
    if (button("back", s.text->back, ImVec2(back, bar), kSecondary)) act(Intent::kBack);
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::PushFont(fonts().large);
    if (button("submit", s.text->submit, ImVec2(half, bar))) act(Intent::kSubmit);
    ImGui::SameLine();
    if (button("no-thanks", s.text->noThanks, ImVec2(half, bar))) act(Intent::kNoThanks);
    ImGui::PopFont();
  }

  void code() {
    physicalKeys(false, Intent::kConfirm);
    title(fill(s.text->codeTitle, {{"phone", s.maskedPhone}}));
    paragraph(s.text->codeHint);
    std::string shown;
    for (size_t i = 0; i < 6; ++i) shown += (i ? " " : "") + (i < s.code.size() ? std::string(1, s.code[i]) : std::string("_"));
    ImGui::PushFont(fonts().huge);
    ImGui::TextUnformatted(shown.c_str());
    ImGui::PopFont();
    error();
    gap(8);
    keypad(s.text->confirm, Intent::kConfirm);
    gap();
    ImGui::PushFont(fonts().large);
    if (button("reply-instead", s.text->replyInstead, ImVec2(width(), 90 * unit()), kSecondary)) act(Intent::kReplyInstead);
    ImGui::PopFont();
  }

  void message(const std::string& text) {
    gap(60);
    ImGui::PushFont(fonts().huge);
    paragraph(text);
    ImGui::PopFont();
    gap(60);
    ImGui::PushFont(fonts().large);
    if (button("finish", s.text->finish, ImVec2(width(), 110 * unit()))) act(Intent::kFinish);
    ImGui::PopFont();
  }

  void withdraw() {
    title(s.text->withdrawTitle);
    ImGui::PushFont(fonts().huge);
    ImGui::TextUnformatted(s.maskedPhone.c_str());
    ImGui::PopFont();
    error();
    gap(40);
    ImGui::PushFont(fonts().large);
    if (button("withdraw-confirm", s.text->withdrawConfirm, ImVec2(width(), 130 * unit()))) act(Intent::kWithdrawConfirm);
    ImGui::PopFont();
    backButton();
  }

  void adminPin() {
    physicalKeys(false, Intent::kConfirm);
    title(s.text->adminPin);
    ImGui::PushFont(fonts().huge);
    ImGui::TextUnformatted((std::string(s.pin.size() * 3, ' ') + "_").c_str());
    ImGui::PopFont();
    error();
    keypad(s.text->confirm, Intent::kConfirm);
    backButton();
  }

  void admin() {
    title(s.text->adminTitle);
    if (!s.staffStatus.empty()) paragraph(s.staffStatus);
    gap();
    ImGui::PushFont(fonts().large);
    if (s.pairingOffered && button("pair", s.text->pairKiosk, ImVec2(width(), 110 * unit()))) act(Intent::kPair);
    gap();
    if (s.exitAllowed) {
      if (button("exit", s.text->exitApp, ImVec2(width(), 110 * unit()))) act(Intent::kExit);
    } else {
      ImGui::TextWrapped("%s", s.text->exitLocked.c_str());
    }
    ImGui::PopFont();
    backButton();
  }

  // The pairing code, XXXXX-XXXXX, from the appliance's alphabet: eight keys to a row.
  void pairCode() {
    physicalKeys(true, Intent::kConfirm);
    title(s.text->pairTitle);
    paragraph(s.text->pairHint);
    std::string shown;
    for (size_t i = 0; i < kPairingCodeLength; ++i)
      shown += std::string(i == 5 ? " - " : (i ? " " : "")) + (i < s.pairingCode.size() ? s.pairingCode.substr(i, 1) : "_");
    ImGui::PushFont(fonts().huge);
    ImGui::TextUnformatted(shown.c_str());
    ImGui::PopFont();
    error();
    gap(8);
    const std::string alphabet = kPairingAlphabet;
    const float gapX = ImGui::GetStyle().ItemSpacing.x, w = (width() - 7 * gapX) / 8;
    const float fit = (ImGui::GetContentRegionAvail().y - 200 * unit()) / 5 - ImGui::GetStyle().ItemSpacing.y;
    const float h = std::max(56.0f * unit(), std::min({w, fit, 100.0f * unit()}));
    ImGui::PushFont(ui.normal.large);
    for (size_t i = 0; i < alphabet.size(); ++i) {
      if (i % 8) ImGui::SameLine();
      const std::string k(1, alphabet[i]);
      if (button("key-" + k, k, ImVec2(w, h), kSecondary)) act(Intent::kKey, k);
    }
    ImGui::SameLine();
    if (button("key-backspace", "\u232B", ImVec2(w, h), kSecondary)) act(Intent::kBackspace);
    gap(8);
    if (button("key-action", s.text->confirm, ImVec2(width(), 90 * unit()))) act(Intent::kConfirm);
    ImGui::PopFont();
    backButton();
  }

  void stillThere() {
    ImGui::PushFont(fonts().huge);
    gap(80);
    paragraph(s.text->stillThere);
    ImGui::PopFont();
    gap(20);
    ImGui::PushFont(fonts().large);
    paragraph(fill(s.text->clearingIn, {{"seconds", std::to_string(*s.countdownSeconds)}}));
    gap(40);
    if (button("still-here", s.text->keepGoing, ImVec2(width(), 160 * unit()))) act(Intent::kStillHere);
    ImGui::PopFont();
  }

};

}  // namespace

void applyStyle(float scale) {
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  ImGui::StyleColorsDark(&style);
  style.Colors[ImGuiCol_WindowBg] = kBackground;
  style.Colors[ImGuiCol_Text] = kText;
  style.WindowPadding = ImVec2(28, 28);
  style.ItemSpacing = ImVec2(12, 12);
  style.FramePadding = ImVec2(16, 12);
  style.FrameRounding = 10;
  style.WindowBorderSize = 0;
  style.ScrollbarSize = 48;  // a scrollbar is a touch target too
  style.ScaleAllSizes(scale);
}

std::vector<Action> draw(const Snapshot& s, UiState& ui) {
  Frame f{s, ui, {}};
  ui.targets.clear();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->Pos);
  ImGui::SetNextWindowSize(vp->Size);
  ImGui::Begin("kiosk", nullptr,
               // A scroll bar (a 48 px touch target) appears only when a screen does not fit.
               ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  ImGui::PushFont(f.fonts().body);
  if (s.countdownSeconds) {
    f.stillThere();
  } else {
    switch (s.screen) {
      case Screen::kAttract: f.attract(); break;
      case Screen::kLanguage: f.language(); break;
      case Screen::kPhone: f.phone(); break;
      case Screen::kName: f.name(); break;
      case Screen::kAge: f.age(); break;
      case Screen::kConsent: f.consent(); break;
      case Screen::kCode: f.code(); break;
      case Screen::kDone: f.message(s.confirmed ? s.text->doneConfirmed : s.text->donePending); break;
      case Screen::kWithdraw: f.withdraw(); break;
      case Screen::kWithdrawn: f.message(s.text->withdrawDone); break;
      case Screen::kAdminPin: f.adminPin(); break;
      case Screen::kAdmin: f.admin(); break;
      case Screen::kPairCode: f.pairCode(); break;
    }
  }
  ImGui::PopFont();
  ImGui::End();
  return std::move(f.actions);
}

}  // namespace tocsin::kiosk
