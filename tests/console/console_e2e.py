#!/usr/bin/python3
"""The console end to end in a real headless Chromium, against a running tocsin-broadcaster.

Called by console_e2e_test.cpp with a JSON file that says where the appliance is, who may sign
in, and where to put screenshots, downloads and the results. Each step asserts what the people
see; the C++ side then checks the store, the export and the CAP feed.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

SETUP = json.load(open(sys.argv[1]))
URL = SETUP["url"]
SHOTS = SETUP["screenshots"]
DOWNLOADS = SETUP["downloads"]
SIZES = [(1366, 768), (768, 1024)]
RESULTS = {}


def step(text):
    print("step:", text, flush=True)


def totp(uri):
    """The current code of an otpauth:// URI (RFC 6238, SHA-1, 6 digits, 30 s), computed here."""
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def browser():
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,768",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-sync",
              "--disable-background-networking", "--disable-component-update", "--disable-domain-reliability",
              "--disable-client-side-phishing-detection", "--metrics-recording-only", "--lang=en-GB",
              # Loopback only: any other name resolves to nothing.
              "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--proxy-server=direct://"]:
        o.add_argument(a)
    o.accept_insecure_certs = True  # the appliance's own self-signed certificate
    o.add_experimental_option("prefs", {"download.default_directory": DOWNLOADS, "download.prompt_for_download": False,
                                        "profile.default_content_setting_values.automatic_downloads": 1})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(30)
    d.set_script_timeout(30)
    return d


# Pages redraw as they poll: an element found a moment ago may be gone, and is looked up again.
TRANSIENT = (NoSuchElementException, StaleElementReferenceException)


def find(d, css, timeout=20):
    return WebDriverWait(d, timeout, ignored_exceptions=TRANSIENT).until(lambda x: x.find_element(By.CSS_SELECTOR, css))


def wait_text(d, css, text, timeout=30):
    try:
        WebDriverWait(d, timeout, ignored_exceptions=TRANSIENT).until(
            lambda x: text in x.find_element(By.CSS_SELECTOR, css).text)
    except TimeoutException:
        raise AssertionError("waited for %r in %s; it says %r" % (text, css, d.find_element(By.CSS_SELECTOR, css).text))


def wait_hash(d, prefix, timeout=20):
    WebDriverWait(d, timeout).until(lambda x: x.execute_script("return location.hash").startswith(prefix))
    return d.execute_script("return location.hash")


# WCAG 2.1 contrast of every visible piece of text on the page (the map's own labels aside):
# at least 4.5:1, or 3:1 for large text. Returns the failures.
CONTRAST = """
const parse = c => { const m = /rgba?\\(([\\d.]+), ([\\d.]+), ([\\d.]+)(?:, ([\\d.]+))?\\)/.exec(c);
  return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
const background = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
  if (c && c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
const out = [];
for (const el of document.querySelectorAll('body *')) {
  if (el.closest('.leaflet-container') || el.closest('[hidden]')) continue;
  const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length) continue;
  const st = getComputedStyle(el);
  if (st.visibility === 'hidden' || st.display === 'none') continue;
  const fg = parse(st.color), bg = background(el);
  const a = lum(fg), b = lum(bg);
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need) out.push(el.tagName + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
}
return out;
"""


def shoot(d, name, top=True):
    """The page at both sizes, from its top unless the part shown matters more (a drawing)."""
    if top:
        d.execute_script("window.scrollTo(0, 0)")
    failures = d.execute_script(CONTRAST)
    assert not failures, "page %s: text below WCAG AA contrast: %s" % (name, failures)
    RESULTS.setdefault("contrast_checked", []).append(name)
    for w, h in SIZES:
        d.set_window_size(w, h)
        time.sleep(0.4)
        d.save_screenshot(os.path.join(SHOTS, "%s-%dx%d.png" % (name, w, h)))
    d.set_window_size(*SIZES[0])


def no_phone_numbers(d, who):
    page = d.page_source
    for number in SETUP["phones"]:
        for form in (number, number[3:], "0" + number[3:]):
            assert form not in page, "%s's page %s shows a phone number" % (who, d.current_url)


def sign_in(d, name, screenshots=False):
    d.get(URL + "/#/sign-in")
    find(d, "#username").send_keys(name)
    find(d, "#password").send_keys(SETUP["passwords"][name])
    if screenshots:
        shoot(d, "sign-in")
    find(d, "#sign-in").click()
    code = find(d, "#code")
    uri = find(d, "#otpauth").text
    assert uri.startswith("otpauth://totp/"), uri
    qr = d.find_element(By.CSS_SELECTOR, "img.qr")
    WebDriverWait(d, 10).until(lambda x: x.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr))
    if screenshots:
        shoot(d, "enrol-totp")
    code.send_keys(totp(uri))
    find(d, "#verify-code").click()
    wait_text(d, "#who", name)
    return uri


def sign_in_by_keyboard(d, name):
    """Signing in with the keyboard alone: the page puts the focus where the typing goes."""
    d.get(URL + "/#/sign-in")
    find(d, "#username")
    ActionChains(d).send_keys(name + Keys.TAB + SETUP["passwords"][name] + Keys.ENTER).perform()
    find(d, "#code")
    uri = find(d, "#otpauth").text
    ActionChains(d).send_keys(totp(uri) + Keys.ENTER).perform()
    wait_text(d, "#who", name)


def sign_out(d):
    find(d, "#sign-out").click()
    find(d, "#username")


def main():
    one, two = browser(), browser()
    try:
        # The admin uploads the zones' boundaries and sees the people and settings.
        step("admin signs in and uploads the zones")
        sign_in(one, "adam", screenshots=True)
        shoot(one, "dashboard")
        one.get(URL + "/#/zones")
        find(one, "#zones-file").send_keys(SETUP["zones"])
        find(one, "#upload-zones").click()
        wait_text(one, "#zone-messages", "2 zones uploaded")
        wait_text(one, "#zone-list", "north")
        shoot(one, "zones")
        one.get(URL + "/#/admin")
        wait_text(one, "#people", "olivia")
        find(one, "#sender-shop").send_keys("martin")
        find(one, "#sender-id").send_keys("MARTIN")
        find(one, "#senders button[type=submit]").click()
        wait_text(one, "#sender-list", "MARTIN")
        wait_text(one, "#token-list", "active since")
        shoot(one, "admin")
        sign_out(one)

        # Operator A drafts from a CAP file, edits a language, draws a polygon.
        step("operator A signs in with TOTP and uploads a CAP file")
        sign_in(one, "olivia")
        one.get(URL + "/#/compose")
        find(one, "#cap-file")
        shoot(one, "compose")
        one.find_element(By.CSS_SELECTOR, "#cap-file").send_keys(SETUP["cap"])
        one.find_element(By.CSS_SELECTOR, "#upload-cap").click()
        alert_hash = wait_hash(one, "#/alert/")
        alert_id = int(alert_hash.split("/")[-1])
        RESULTS["alert"] = alert_id
        wait_text(one, "#status", "Draft")
        wait_text(one, "#banner", "LIVE")
        shoot(one, "alert-draft")

        step("A edits the English text and draws a polygon")
        find(one, "#edit").click()
        wait_hash(one, "#/compose/")
        WebDriverWait(one, 20).until(lambda x: len(x.find_elements(By.CSS_SELECTOR, ".lang-code")) >= 2)
        edited = None
        for i, code in enumerate(one.find_elements(By.CSS_SELECTOR, ".lang-code")):
            if code.get_attribute("value").startswith("en"):
                area = one.find_element(By.CSS_SELECTOR, "#text-%d" % i)
                area.clear()
                area.send_keys(SETUP["edited_text"])
                edited = i
        assert edited is not None, "no English text in the draft"
        wait_text(one, "#counter-%d" % edited, "GSM-7")
        find(one, "#draw-polygon").click()
        map_el = one.find_element(By.CSS_SELECTOR, "#map")
        one.execute_script("arguments[0].scrollIntoView({block: 'center'})", map_el)
        for dx, dy in [(-60, -40), (60, -40), (60, 40), (-60, 40)]:
            ActionChains(one).move_to_element_with_offset(map_el, dx, dy).click().perform()
            time.sleep(0.2)
        find(one, "#finish-polygon").click()
        wait_text(one, "#shapes", "1 polygon(s)")
        shoot(one, "compose-edit", top=False)
        find(one, "#save-draft").click()
        wait_hash(one, "#/alert/%d" % alert_id)
        wait_text(one, "#texts", SETUP["edited_text"])
        wait_text(one, "#reach", "polygon 1")
        assert not one.find_elements(By.CSS_SELECTOR, "#approve"), "A is offered to approve A's own draft"

        step("A's own approval is refused")
        refused = one.execute_async_script("""
            const done = arguments[arguments.length - 1];
            (async () => {
              const s = await (await fetch('/v1/session')).json();
              const a = await (await fetch('/v1/alerts/%d')).json();
              const r = await fetch('/v1/alerts/%d/approve', {method: 'POST', headers: {'Content-Type': 'application/json',
                'X-CSRF-Token': s.csrf}, body: JSON.stringify({digest: a.digest})});
              done({status: r.status, body: await r.text()});
            })();""" % (alert_id, alert_id))
        assert refused["status"] == 403, refused
        RESULTS["own_approval"] = refused
        no_phone_numbers(one, "olivia")

        # Approver B, in a second browser session, approves what will leave.
        step("approver B approves in a second browser")
        sign_in(two, "bruno")
        two.get(URL + "/#/approvals")
        wait_text(two, "#alert-list", "Crue au nord")
        shoot(two, "approvals")
        two.find_element(By.CSS_SELECTOR, "#alert-list a").click()
        find(two, "#approve")
        wait_text(two, "#texts", SETUP["edited_text"])
        shoot(two, "approve")
        find(two, "#approve").click()
        # While it is being sent, every page says so, this one and A's.
        wait_text(two, "#live-banner", "LIVE ALERT IN PROGRESS", timeout=10)
        wait_text(one, "#live-banner", "LIVE ALERT IN PROGRESS", timeout=10)
        shoot(two, "live-alert-sending")
        wait_text(two, "#status", "All sent", timeout=90)
        wait_text(two, "#per-zone", "north")
        wait_text(two, "#per-bearer", "carrier")
        shoot(two, "alert-sent")
        no_phone_numbers(two, "bruno")
        two.get(URL + "/#/dashboard")
        find(two, "#dashboard table")
        shoot(two, "dashboard-approver")

        # A false alarm drafts its correction, for approval.
        step("A declares a false alarm")
        one.get(URL + "/#/alert/%d" % alert_id)
        one.refresh()
        wait_text(one, "#status", "All sent")
        find(one, "#false-alarm").click()
        WebDriverWait(one, 10).until(lambda x: x.switch_to.alert)
        one.switch_to.alert.accept()
        WebDriverWait(one, 20).until(lambda x: x.execute_script("return location.hash") != "#/alert/%d" % alert_id)
        correction = int(one.execute_script("return location.hash").split("/")[-1])
        RESULTS["correction"] = correction
        wait_text(one, "#status", "Draft")
        wait_text(one, "#alert-messages, main", "#%d" % correction)
        shoot(one, "false-alarm-correction")
        one.get(URL + "/#/alerts")
        find(one, "#alert-list")
        shoot(one, "alerts")
        sign_out(one)

        # A shop runs a campaign.
        step("a shop runs a campaign")
        sign_in(one, "martine")
        one.get(URL + "/#/campaign/new")
        find(one, "#campaign-title").send_keys("Winter sale")
        find(one, "#campaign-text").send_keys("Hello {name}, 20% off coats at Martin's until Sunday.")
        Select(find(one, "#campaign-sender")).select_by_value("MARTIN")
        find(one, "#campaign-everyone").click()
        find(one, "#preview-campaign").click()
        wait_text(one, "#consent-counts", "people with confirmed consent")
        shoot(one, "campaign-compose")
        find(one, "#start-campaign").click()
        WebDriverWait(one, 20).until(lambda x: re.match(r"#/campaign/\d+$", x.execute_script("return location.hash")))
        campaign_hash = one.execute_script("return location.hash")
        RESULTS["campaign"] = int(campaign_hash.split("/")[-1])
        find(one, "#campaign-state")
        shoot(one, "campaign")
        no_phone_numbers(one, "martine")
        one.get(URL + "/#/campaigns")
        wait_text(one, "#campaign-list", "Winter sale")
        shoot(one, "campaigns")
        sign_out(one)

        # An auditor verifies the audit log and downloads a consent export.
        step("an auditor verifies the log and downloads an export")
        sign_out(two)
        sign_in_by_keyboard(two, "aude")
        two.get(URL + "/#/audit")
        wait_text(two, "#audit-log", "console.sign_in")
        find(two, "#verify").click()
        wait_text(two, "#verdict", "Verdict: intact")
        find(two, "#export").click()
        for link in ["#export-file", "#export-signature", "#export-key"]:
            find(two, link).click()
            time.sleep(0.3)
        for name in ["consent.json", "consent.json.sig", "signing-key.pub.txt"]:
            path = os.path.join(DOWNLOADS, name)
            WebDriverWait(two, 20).until(lambda x: os.path.exists(path) and os.path.getsize(path) > 0)
        shoot(two, "audit")

        # The public page, with no sign-in.
        step("the public page shows the alert")
        sign_out(two)
        two.get(URL + "/public")
        assert "Flood" in two.page_source or "Crue" in two.page_source, "the public page does not show the alert"
        no_phone_numbers(two, "the public")
        shoot(two, "public")
    except Exception:
        # What each browser showed when it failed, for the test's log.
        for name, d in (("browser one", one), ("browser two", two)):
            try:
                print("%s at %s shows:\n%s" % (name, d.current_url, d.find_element(By.TAG_NAME, "main").text), flush=True)
            except Exception:
                pass
        raise
    finally:
        one.quit()
        two.quit()
    with open(SETUP["results"], "w") as f:
        json.dump(RESULTS, f)
    print("console end to end: passed", flush=True)


if __name__ == "__main__":
    main()
