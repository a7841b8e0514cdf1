"""Issue 15 in real Chromium: a projector you can read, scores you cannot game, a host
who cannot slip, phones, anonymity and look-alike names."""

import re

from playwright.sync_api import expect

from e2e.test_live import PACK, join_by_url, rate_all, stage

FITS = "document.documentElement.scrollHeight <= window.innerHeight"


def px(page, selector, prop="font-size"):
    return float(page.locator(selector).first.evaluate(
        f"el => getComputedStyle(el).getPropertyValue('{prop}')").rstrip("px"))


def press(host, key):
    """A host's deliberate key: stage keys rest for a second after a new stage."""
    host.wait_for_timeout(1100)
    host.keyboard.press(key)


def make_room(host, live_server, count=2, timer=None, auto_reveal=False):
    host.goto(live_server.url + "/live/")
    host.select_option("#live-pack", PACK)
    host.fill("#live-count", str(count))
    host.check("input[name=show_answers]")
    if timer is not None:
        host.fill("#live-timer", str(timer))
    if auto_reveal:
        host.check("input[name=auto_reveal]")
    host.get_by_role("button", name="Create session").click()
    return host.locator(".join-code").get_attribute("data-code")


def test_every_host_stage_fits_a_projector(browser, live_server):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    host = context.new_page()
    code = make_room(host, live_server)
    errors = []
    url = f"{live_server.url}/live/{code}"
    people = [join_by_url(browser, url, f"Person {i}", errors) for i in range(4)]
    expect(host.locator("html")).to_have_class(re.compile("live-present"))  # wide: on
    assert host.evaluate(FITS)  # lobby
    host.keyboard.press("s")
    expect(stage(host)).to_have_attribute("data-state", "question")
    for i, person in enumerate(people):
        person.locator("#answer-text").fill(f"A long answer number {i}. " * 40)
        person.locator("#answer-text").press("Control+Enter")
        expect(person.locator(".answer-sent")).to_be_visible()
    expect(host.locator(".answered-count")).to_have_text("4")
    assert host.evaluate(FITS)
    assert px(host, "h1.question") >= 40 and px(host, "body") >= 24
    assert px(host, ".host-bar .timer, .host-bar .tally") >= 24
    host.keyboard.press("r")
    expect(stage(host)).to_have_attribute("data-state", "revealed")
    assert host.evaluate(FITS)
    expect(host.locator(".graded-count")).to_be_in_viewport()
    expect(host.locator(".host-next")).to_be_in_viewport()
    expect(host.locator(".key-points")).to_be_visible()  # key points first
    for _ in range(3):  # M turns the pages; every page fits
        host.keyboard.press("m")
        assert host.evaluate(FITS)
    expect(host.locator(".team-answers")).to_be_visible()
    host.wait_for_timeout(1100)  # stage keys rest for a second after a new stage
    host.keyboard.press("n")  # people still grade: arms only
    expect(host.locator(".still-grading")).to_contain_text("4 still grading")
    host.wait_for_timeout(1100)
    host.keyboard.press("n")
    expect(stage(host)).to_have_attribute("data-state", "scoreboard")
    assert host.evaluate(FITS)
    host.once("dialog", lambda d: d.accept())
    host.get_by_role("button", name="End session").click()
    expect(stage(host)).to_have_attribute("data-state", "finished")
    assert host.evaluate(FITS)
    expect(host.locator("img.qr")).to_have_count(0)  # no join QR once finished
    host.get_by_role("link", name="Team summary").click()
    assert host.evaluate(FITS)
    # 1280x720 stays readable.
    small = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    small.add_init_script("localStorage.setItem('live-present', '1')")
    code2 = make_room(small, live_server)
    # live.js (deferred) turns presentation on once the page has loaded: wait for it.
    expect(small.locator("html.live-present")).to_have_count(1)
    assert small.evaluate(FITS) and px(small, "body") >= 16
    assert code2


def test_a_double_press_of_n_never_skips_the_scoreboard(page, browser, live_server):
    host = page
    code = make_room(host, live_server, count=2)
    errors = []
    ann = join_by_url(browser, f"{live_server.url}/live/{code}", "Ann", errors)
    host.keyboard.press("s")
    expect(stage(ann)).to_have_attribute("data-state", "question")
    press(host, "r")
    expect(stage(ann)).to_have_attribute("data-state", "revealed")
    ann.keyboard.press("3")
    expect(host.locator(".graded-count")).to_have_text("1")
    host.wait_for_timeout(1100)
    host.keyboard.press("n")
    host.wait_for_timeout(100)
    host.keyboard.press("n")  # 100 ms later: dropped
    expect(stage(host)).to_have_attribute("data-state", "scoreboard")
    host.wait_for_timeout(1500)
    expect(stage(host)).to_have_attribute("data-state", "scoreboard")
    assert host.locator(".position").inner_text() == "Question 1 / 2"


def test_time_is_up_on_a_phone(browser, live_server):
    host = browser.new_context().new_page()
    code = make_room(host, live_server, count=1, timer=3, auto_reveal=True)
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                has_touch=True).new_page()
    phone.goto(f"{live_server.url}/live/{code}")
    phone.fill("#live-name", "Pat")
    phone.get_by_role("button", name="Join").tap()
    expect(stage(phone)).to_have_attribute("data-state", "lobby")
    expect(phone.locator(".topbar")).to_have_count(0)  # the live layout: no app menu
    host.keyboard.press("s")
    expect(stage(phone)).to_have_attribute("data-state", "question")
    send = phone.locator(".send-answer")
    box = send.bounding_box()
    assert box["height"] >= 44
    expect(phone.locator(".send-answer kbd").first).to_be_hidden()  # no key hints on touch
    phone.locator("#answer-text").fill("too slow")
    expect(phone.locator(".times-up")).to_be_visible(timeout=10_000)
    expect(send).to_have_attribute("aria-disabled", "true")
    send.tap(force=True)  # it looks disabled; a person taps it anyway
    expect(phone.locator(".answer-notice")).to_contain_text("Time's up")
    expect(stage(phone)).to_have_attribute("data-state", "revealed", timeout=10_000)  # auto
    assert not phone.evaluate("document.documentElement.scrollWidth > screen.width")


def test_the_peer_round_with_four(page, browser, live_server):
    host = page
    code = make_room(host, live_server, count=1)
    errors = []
    url = f"{live_server.url}/live/{code}"
    names = ["Ann", "Bob", "Cy", "Dee"]
    people = {n: join_by_url(browser, url, n, errors) for n in names}
    host.keyboard.press("s")
    texts = {"Ann": "good: Ann's", "Bob": "good: Bob's", "Cy": "meh", "Dee": "weak"}
    for name, person in people.items():
        expect(stage(person)).to_have_attribute("data-state", "question")
        person.locator("#answer-text").fill(texts[name])
        person.locator("#answer-text").press("Control+Enter")
        expect(person.locator(".answer-sent")).to_be_visible()
    press(host, "r")
    for name, person in people.items():
        expect(stage(person)).to_have_attribute("data-state", "revealed")
        person.keyboard.press("4")  # everyone claims Easy
        expect(person.locator(".peer-answer")).to_have_count(2)
        assert texts[name] not in person.locator(".peer-round").inner_text()
    # Peers rate by what they read: "weak" and "meh" get nothing, good answers all.
    for person in people.values():
        forms = person.locator(".peer-answer:has(.peer-rating)")
        while forms.count():
            first = forms.first
            text = first.locator(".peer-text").inner_text()
            label = "All of them" if text.startswith("good") else "Misses the key points"
            left = forms.count()
            first.get_by_role("button", name=label).click()
            expect(forms).to_have_count(left - 1)
    expect(host.locator(".still-grading-names")).to_have_count(0)
    press(host, "n")
    expect(stage(host)).to_have_attribute("data-state", "scoreboard")
    board = host.locator(".live-scoreboard tbody tr")
    top = {board.nth(i).locator(".name").inner_text() for i in range(2)}
    assert top == {"Ann", "Bob"}  # pressing Easy on a weak answer does not win
    expect(host.locator(".live-scoreboard")).to_contain_text("0")
    assert errors == []


def test_no_participant_id_reaches_a_participant(page, browser, live_server):
    host = page
    code = make_room(host, live_server, count=1)
    errors = []
    url = f"{live_server.url}/live/{code}"
    ann = join_by_url(browser, url, "Ann", errors)
    bob = join_by_url(browser, url, "Bob", errors)
    expect(host.locator(".roster li[data-pid]")).to_have_count(2)
    pids = host.locator(".roster li[data-pid]").evaluate_all(
        "els => els.map(e => e.dataset.pid)")
    assert len(pids) == 2
    seen = []
    host.keyboard.press("s")
    for person, text in [(ann, "first"), (bob, "second")]:
        expect(stage(person)).to_have_attribute("data-state", "question")
        person.locator("#answer-text").fill(text)
        person.locator("#answer-text").press("Control+Enter")
        expect(person.locator(".answer-sent")).to_be_visible()
        seen.append(person.content())
    press(host, "r")
    for person in (ann, bob):
        expect(stage(person)).to_have_attribute("data-state", "revealed")
        person.keyboard.press("2")
        rate_all(person, "Some of them")
        seen.append(person.content())
    host.wait_for_timeout(1100)
    host.keyboard.press("n")
    for person in (ann, bob):
        expect(stage(person)).to_have_attribute("data-state", "scoreboard")
        seen.append(person.content())
        attrs = person.evaluate("[...document.querySelectorAll('*')].flatMap(e => "
                                "[...e.attributes].map(a => a.value)).join(' ')")
        seen.append(attrs)
    for html in seen:
        for pid in pids:
            assert pid not in html


def test_look_alike_names_cannot_come_back(page, browser, live_server):
    host = page
    code = make_room(host, live_server, count=1)
    errors = []
    url = f"{live_server.url}/live/{code}"
    join_by_url(browser, url, "Ann", errors)
    host.once("dialog", lambda d: d.accept())
    host.get_by_role("button", name="Remove Ann").click()
    expect(host.locator(".removed-people")).to_contain_text("Ann")
    for variant in ["\u0410nn", "A\u200bnn", "\uff21nn", "\u0391\u03bd\u03bd".replace(
            "\u03bd", "n")]:
        other = browser.new_context().new_page()
        other.goto(url)
        other.fill("#live-name", variant)
        other.keyboard.press("Enter")
        expect(other.locator(".flash-error")).to_be_visible()
        other.context.close()
    # Undo brings Ann back until the next question.
    host.get_by_role("button", name="Undo: bring Ann back").click()
    expect(host.locator(".roster li[data-pid]")).to_have_count(1)
