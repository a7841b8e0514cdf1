"""A whole team session in real Chromium: one host by keyboard, six participant browsers."""

import re

from playwright.sync_api import expect

PACK = "flask_core"


def stage(page):
    return page.locator("#stage")


def watch_errors(page, errors):
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))


def join_by_url(browser, url, name, errors, progress=False):
    context = browser.new_context()
    page = context.new_page()
    watch_errors(page, errors)
    page.goto(url)
    page.fill("#live-name", name)
    if progress:
        page.check("input[name=progress]")
    page.keyboard.press("Enter")
    expect(stage(page)).to_be_visible()
    expect(page.locator(".live-meta .me")).to_have_text(name)
    return page


def csrf_header(page):
    """The headers Bob's own page would send: his CSRF token, as htmx does."""
    token = page.evaluate(
        "JSON.parse(document.body.getAttribute('data-hx-headers'))['X-CSRF-Token']")
    return {"X-CSRF-Token": token, "HX-Request": "true"}


def rate_all(player, label):
    """Rate every anonymous answer this person was given, by tap or click."""
    forms = player.locator(".peer-rating")
    for left in range(forms.count(), 0, -1):
        forms.first.get_by_role("button", name=label).click()
        expect(forms).to_have_count(left - 1)


def test_a_whole_team_session(page, browser, live_server, console_errors):
    errors = []
    host = page
    host.goto(live_server.url + "/")
    host.get_by_role("link", name="Team session").click()
    host.select_option("#live-pack", PACK)
    host.fill("#live-count", "2")
    host.check("input[name=show_answers]")
    host.get_by_role("button", name="Create session").click()
    code = host.locator(".join-code").get_attribute("data-code")
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{9}", code)
    expect(host.locator(".join-code")).to_have_text(f"{code[:3]}-{code[3:6]}-{code[6:]}")
    join_url = host.locator(".join-url a").inner_text()
    assert join_url == f"{live_server.url}/live/{code}"
    qr = host.locator("img.qr")
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("img => img.naturalWidth") > 100  # the SVG loaded under the CSP

    # Four join in the lobby: three by URL, one by typing the code.
    ann = join_by_url(browser, join_url, "Ann", errors, progress=True)
    bob = join_by_url(browser, join_url, "Bob <b>bold</b>", errors)
    cy = join_by_url(browser, join_url, "Cy", errors)
    dee_context = browser.new_context()
    dee = dee_context.new_page()  # not watched: once removed, Dee's pages answer 403
    dee.goto(live_server.url + "/live/")
    dee.fill("#join-code", f"{code[:3].lower()} {code[3:6]}-{code[6:]}")
    dee.keyboard.press("Enter")
    dee.fill("#live-name", "Dee")
    dee.keyboard.press("Enter")
    expect(stage(dee)).to_have_attribute("data-state", "lobby")
    roster = host.locator(".roster li[data-pid]")
    expect(roster).to_have_count(4)
    expect(host.locator(".roster")).to_contain_text("Bob <b>bold</b>")  # shown as text
    players = [ann, bob, cy, dee]

    # The host starts by keyboard; everyone sees the first question.
    host.keyboard.press("s")
    expect(stage(host)).to_have_attribute("data-state", "question")
    for player in players:
        expect(stage(player)).to_have_attribute("data-state", "question")
        expect(player.locator("h1.question")).to_be_visible()
    question_title = host.locator("h1.question").inner_text()
    expect(ann.locator("h1.question")).to_have_text(question_title)

    # Answers: typed and sent with Ctrl+Enter, or just a confidence.
    for player, text in [(ann, "Ann's answer"), (bob, "Bob's answer")]:
        player.locator("#answer-text").click()
        player.keyboard.type(text)
        player.keyboard.press("Control+Enter")
        expect(player.locator(".answer-sent")).to_be_visible()
    cy.check("input[name=confidence][value=no_idea]")
    cy.get_by_role("button", name=re.compile("Send answer")).click()
    expect(cy.locator(".answer-sent")).to_be_visible()
    expect(host.locator(".answered-count")).to_have_text("3")

    # A reload keeps Ann's identity and answer.
    ann.reload()
    expect(stage(ann)).to_have_attribute("data-state", "question")
    expect(ann.locator("#answer-text")).to_have_value("Ann's answer")
    expect(ann.locator(".live-meta .me")).to_have_text("Ann")

    # A participant cannot steer: the server refuses Bob's forged host actions.
    headers = csrf_header(bob)
    for action in ("reveal", "next", "finish", "lock"):
        refused = bob.request.post(f"{live_server.url}/live/{code}/host/{action}",
                                   headers=headers)
        assert refused.status == 403
    assert bob.request.get(f"{live_server.url}/live/{code}/host").status == 403
    expect(stage(host)).to_have_attribute("data-state", "question")
    expect(host.locator(".badge.locked")).to_have_count(0)

    # A late joiner comes in during the question.
    eve = join_by_url(browser, join_url, "Eve", errors)
    expect(stage(eve)).to_have_attribute("data-state", "question")
    players.append(eve)
    expect(roster).to_have_count(5)

    # Cy starts typing a better answer and does not send it yet.
    cy.locator("#answer-text").click()
    cy.keyboard.type("Cy's draft")

    # Nobody's page holds the model answer before the reveal.
    before = {id(p): p.content() for p in players}

    # The host removes Dee; the kick sticks through a reload and a new join attempt.
    host.once("dialog", lambda dialog: dialog.accept())  # Remove asks first
    host.locator(".roster li", has_text="Dee").get_by_role("button", name="Remove Dee").click()
    expect(roster).to_have_count(4)
    expect(stage(dee)).to_have_attribute("data-state", "kicked")
    dee.reload()
    expect(dee.locator("h1")).to_have_text("You were removed from this session")
    dee.goto(live_server.url + f"/live/join?code={code}")
    expect(dee.locator("#live-name")).to_have_count(0)
    expect(dee.locator("h1")).to_have_text("You were removed from this session")
    players.remove(dee)

    # Cy's unsent draft survived the kick, and a redraw of Cy's own stage.
    expect(cy.locator("#answer-text")).to_have_value("Cy's draft")
    cy.get_by_role("button", name="Count them in my progress").click()
    expect(cy.locator(".progress-toggle")).to_contain_text("count in your own")
    expect(cy.locator("#answer-text")).to_have_value("Cy's draft")

    # Reveal by keyboard: the model answer reaches everyone now, and not before.
    host.keyboard.press("r")
    expect(stage(host)).to_have_attribute("data-state", "revealed")
    model = host.locator(".live-answer-reveal p").first.inner_text()
    assert len(model) > 20
    for player in players:
        expect(stage(player)).to_have_attribute("data-state", "revealed")
        expect(player.locator(".live-answer-reveal")).to_contain_text(model)
        assert model not in before[id(player)]
    expect(cy.locator(".team-answers")).to_contain_text("Bob's answer")

    # Self-grades by keyboard.
    for player, key in [(ann, "4"), (bob, "2"), (cy, "1"), (eve, "3")]:
        player.keyboard.press(key)
        expect(player.locator(".graded")).to_be_visible()
    expect(host.locator(".graded-count")).to_have_text("4")
    # Everyone rates two teammates' answers (Ann and Bob typed one), then N.
    for player in players:
        rate_all(player, "Most of them")
    expect(host.locator(".still-grading-names")).to_have_count(0)

    host.keyboard.press("n")
    for player in [host, *players]:
        expect(stage(player)).to_have_attribute("data-state", "scoreboard")
    expect(ann.locator(".my-score")).to_have_text("3 points")  # peers 2 + honest 1

    # Lock by keyboard: no one new can join now.
    host.keyboard.press("l")
    expect(host.locator(".badge.locked")).to_be_visible()
    late_context = browser.new_context()
    late = late_context.new_page()
    late.goto(join_url)
    expect(late.locator("main")).to_contain_text("locked")
    expect(late.locator("#live-name")).to_have_count(0)

    # Second question, then the end.
    host.keyboard.press("n")
    expect(stage(host)).to_have_attribute("data-state", "question")
    for player in players:
        expect(stage(player)).to_have_attribute("data-state", "question")
        expect(player.locator("h1.question")).not_to_have_text(question_title)
    eve.locator("#answer-text").fill("Eve again")
    eve.locator("#answer-text").press("Control+Enter")
    expect(eve.locator(".answer-sent")).to_be_visible()
    host.keyboard.press("r")
    expect(stage(eve)).to_have_attribute("data-state", "revealed")
    eve.keyboard.press("4")
    expect(eve.locator(".graded")).to_be_visible()
    host.keyboard.press("n")  # three still grading: N only arms
    expect(host.locator(".still-grading")).to_contain_text("3 still grading")
    host.wait_for_timeout(1100)  # a deliberate second press, not a double press
    host.keyboard.press("n")
    expect(stage(host)).to_have_attribute("data-state", "scoreboard")
    host.wait_for_timeout(1100)  # N right after a new stage is dropped: the room reads it
    host.keyboard.press("n")
    expect(stage(host)).to_have_attribute("data-state", "finished")
    for player in players:
        expect(stage(player)).to_have_attribute("data-state", "finished")
    # Ann's answer earned 2 from peers + 1 for an honest grade; Eve's lone answer of
    # round two no peer could rate, so her Easy counts 1.
    expect(ann.locator(".my-rank")).to_contain_text("number 1")
    expect(eve.locator(".my-rank")).to_contain_text("with 1 point.")

    # The summary: weakest topics, per-person scores, downloads.
    host.get_by_role("link", name="Team summary").click()
    expect(host.locator("h1")).to_contain_text("summary")
    expect(host.locator(".weak-tags li").first).to_be_visible()
    expect(host.locator(".live-summary .live-scoreboard")).to_contain_text("Eve")
    expect(host.locator(".live-summary .live-scoreboard tr.removed")).to_contain_text("Dee")
    with host.expect_download() as download_info:
        host.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as fh:
        assert "person,1,Ann," in fh.read()
    with host.expect_download() as download_info:
        host.get_by_role("link", name="Download Markdown").click()
    with open(download_info.value.path(), encoding="utf-8") as fh:
        assert "## Weakest topics" in fh.read()
    cy.get_by_role("link", name="Team summary").click()
    expect(cy.locator(".live-results tbody tr")).to_have_count(2)

    # Ann opted in: her grade counts in her own practice progress.
    ann.goto(live_server.url + "/")
    row = ann.locator(f'tr[data-pack="{PACK}"]')
    total = int(row.locator("td.num").first.inner_text())
    expect(row.locator(".new-count")).to_have_text(str(total - 1))
    bob.goto(live_server.url + "/")
    expect(bob.locator(f'tr[data-pack="{PACK}"] .new-count')).to_have_text(str(total))

    assert console_errors == []
    assert errors == []


def one_question_room(host, live_server, timer=None):
    """The host creates a one-question session from the form; returns its code."""
    host.goto(live_server.url + "/live/")
    host.select_option("#live-pack", PACK)
    host.fill("#live-count", "1")
    if timer is not None:
        host.fill("#live-timer", str(timer))
    host.get_by_role("button", name="Create session").click()
    return host.locator(".join-code").get_attribute("data-code")


def test_a_session_survives_a_server_restart(page, browser, live_server):
    host = page
    code = one_question_room(host, live_server)
    errors = []
    ann = join_by_url(browser, f"{live_server.url}/live/{code}", "Ann", errors)
    host.keyboard.press("s")
    expect(stage(ann)).to_have_attribute("data-state", "question")
    ann.locator("#answer-text").fill("survives a crash")
    ann.locator("#answer-text").press("Control+Enter")
    expect(ann.locator(".answer-sent")).to_be_visible()

    live_server.restart()  # killed, not shut down; same port, same data folder
    host.reload()
    expect(stage(host)).to_have_attribute("data-state", "question")
    expect(host.locator(".answered-count")).to_have_text("1")
    host.keyboard.press("r")
    expect(stage(ann)).to_have_attribute("data-state", "revealed")  # its poll picked it up
    expect(ann.locator(".my-answer")).to_contain_text("survives a crash")


def test_the_timer_counts_down_and_closes_the_answer(page, browser, live_server,
                                                     console_errors):
    host = page
    code = one_question_room(host, live_server, timer=3)
    errors = []
    ann = join_by_url(browser, f"{live_server.url}/live/{code}", "Ann", errors)
    host.keyboard.press("s")
    expect(stage(ann)).to_have_attribute("data-state", "question")
    expect(host.locator(".timer")).to_have_text(re.compile(r"0:0[0-3]"))
    send = ann.locator(".send-answer")
    expect(send).to_be_enabled()
    expect(ann.locator(".timer")).to_have_text("0:00", timeout=10_000)
    expect(send).to_have_attribute("aria-disabled", "true")
    expect(ann.locator(".times-up")).to_be_visible()
    expect(host.locator(".times-up")).to_be_visible()
    host.keyboard.press("r")
    expect(stage(ann)).to_have_attribute("data-state", "revealed")
    expect(ann.locator(".timer")).to_have_count(0)
    assert console_errors == [] and errors == []


def test_the_host_moves_to_another_device(page, browser, live_server, console_errors):
    """The laptop hands hosting to the projector's browser by a one-time link."""
    laptop = page
    code = one_question_room(laptop, live_server)
    errors = []
    ann = join_by_url(browser, f"{live_server.url}/live/{code}", "Ann", errors)
    laptop.get_by_role("button", name="Host from another device").click()
    link = laptop.locator(".handover-link a").inner_text()
    expect(laptop.locator(".live-handover img.qr")).to_have_js_property("complete", True)

    projector = browser.new_context().new_page()
    projector.goto(link)
    projector.keyboard.press("Enter")  # "Host from here" (focused, and its key)
    expect(stage(projector)).to_have_attribute("data-state", "lobby")
    projector.keyboard.press("s")
    expect(stage(ann)).to_have_attribute("data-state", "question")
    laptop.keyboard.press("Escape")  # back to the host screen: still a host there too
    expect(stage(laptop)).to_have_attribute("data-state", "question")
    laptop.keyboard.press("r")
    expect(stage(projector)).to_have_attribute("data-state", "revealed")

    again = browser.new_context().new_page()  # the link was used up
    again.goto(link)
    again.keyboard.press("Enter")
    expect(again.locator("main")).to_contain_text("works once")
    assert console_errors == [] and errors == []
