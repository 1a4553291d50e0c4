#include "policies/replies.h"

#include <algorithm>
#include <cctype>

#include "common/base/text.h"

namespace tocsin::policy {
namespace {

struct Marking {
  const char* language;
  const char* test;
  const char* exercise;
  const char* noAction;
};

constexpr Marking kMarkings[] = {
    {"en", "TEST", "EXERCISE", "No action is needed."},
    {"fr", "TEST", "EXERCICE", "Aucune action n'est requise."},
    {"de", "PROBEWARNUNG", "\xC3\x9C" "BUNG", "Es besteht keine Gefahr."},
    {"it", "TEST", "ESERCITAZIONE", "Nessuna azione richiesta."},
    {"pl", "TEST", "\xC4\x86WICZENIE", "Nie musisz nic robi\xC4\x87."},
    {"es", "PRUEBA", "SIMULACRO", "No se requiere ninguna acci\xC3\xB3n."},
};

// Upper-case ASCII letters and digits; common Latin accented letters folded; the rest spaces.
std::string fold(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char32_t c = 0;
    if (!nextUtf8(text, i, c)) {
      ++i;
      out += ' ';
      continue;
    }
    if (c >= 0xC0 && c <= 0xFF) {  // Latin-1 letters: strip the accent
      static const char kBase[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
      c = static_cast<unsigned char>(kBase[c - 0xC0]);
    } else if (c == 0x0141 || c == 0x0142) {
      c = 'L';
    } else if (c == 0x0106 || c == 0x0107) {
      c = 'C';
    }
    if (c < 0x80 && std::isalnum(static_cast<int>(c))) out += static_cast<char>(std::toupper(static_cast<int>(c)));
    else out += ' ';
  }
  return out;
}

std::vector<std::string> words(const std::string& folded) {
  std::vector<std::string> out;
  std::string w;
  for (char c : folded) {
    if (c == ' ') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) out.push_back(w);
  return out;
}

bool isCode(const std::string& w) {
  return w.size() >= 4 && w.size() <= 8 && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string markAlertText(const std::string& text, AlertMode mode, const std::string& language) {
  if (mode == AlertMode::kLive) return text;
  const Marking* m = &kMarkings[0];
  for (const auto& k : kMarkings)
    if (language.rfind(k.language, 0) == 0) m = &k;
  const std::string marker = std::string(mode == AlertMode::kTest ? m->test : m->exercise) + ": ";
  if (text.rfind(marker, 0) == 0) return text;
  return marker + text + " " + m->noAction;
}

ReplyIntent classifyReply(const std::string& text, const std::vector<std::string>& extraStopWords) {
  static const std::vector<std::string> kStop = {"STOP",    "STOPP",     "STOPALL", "ARRET",      "ARRETER", "BASTA",
                                                 "END",     "QUIT",      "CANCEL",  "REVOKE",     "UNSUBSCRIBE",
                                                 "DESINSCRIRE", "DESABONNER", "ALTO", "PARAR", "KONIEC", "STOPSMS"};
  static const std::vector<std::string> kStart = {"START", "UNSTOP", "RESUME"};
  static const std::vector<std::string> kHelp = {"HELP", "AIDE", "HILFE", "AIUTO", "POMOC", "AYUDA", "INFO"};
  const auto w = words(fold(text));
  ReplyIntent r;
  if (w.empty()) return r;
  auto in = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  std::vector<std::string> extra;
  for (const auto& e : extraStopWords) {
    const auto f = words(fold(e));
    if (f.size() == 1) extra.push_back(f[0]);
  }
  const std::string& first = w[0];
  if (in(kStop, first) || in(extra, first) || (first == "OPT" && w.size() > 1 && w[1] == "OUT")) {
    r.kind = ReplyIntent::Kind::kStop;
    r.keyword = first == "OPT" ? "OPT OUT" : first;
    return r;
  }
  if (in(kStart, first)) {
    r.kind = ReplyIntent::Kind::kStart;
    r.keyword = first;
    return r;
  }
  if (in(kHelp, first)) {
    r.kind = ReplyIntent::Kind::kHelp;
    r.keyword = first;
    return r;
  }
  // "123456", "YES 123456", "OUI 123456", "code 123456".
  for (size_t i = 0; i < std::min<size_t>(w.size(), 2); ++i)
    if (isCode(w[i]) && w.size() <= 2) {
      r.kind = ReplyIntent::Kind::kConfirmationCode;
      r.code = w[i];
      return r;
    }
  return r;
}

}  // namespace tocsin::policy
