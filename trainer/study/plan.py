"""The job loop: a study plan for one role, across packs, that Review and Focus follow.

A learner picks a role ("Flask backend: mid") and gets a plan: which packs, which
difficulties and tags in each, and how many new questions a day. The plan lives in the
profile's settings as ``{"role": ..., "packs": {pack_id: {"difficulties": [...],
"tags": [...]}}, "new_per_day": N}``; ``"plan": None`` (or no key) is "no plan".

The rules, in one place:

* a question is **in the plan** when its pack is in the plan, its difficulty is one of
  the pack's difficulties and, when the pack names tags, it has at least one of them
  (an empty list means every difficulty, or every tag);
* while a plan is on, Review skips every question outside it, new and due alike, and
  the plan's ``new_per_day`` is the daily new-question limit (for all packs, as the
  profile's own limit is); turning the plan off brings both back unchanged;
* Focus is not held to the plan (it is an explicit filter), but the modes page offers a
  Focus run per tag of the plan;
* a plan is made for the packs that are installed; a stored plan that names a pack
  since removed simply covers nothing there, and one that is not well formed counts as
  no plan (it is never an error on a page).
"""

from collections import Counter
from dataclasses import dataclass

from trainer.packs.model import DIFFICULTIES
from trainer.profiles import settings as profile_settings

NEW_PER_DAY_MAX = profile_settings.NEW_LIMIT_MAX
TAGS_MAX = 64
SETTING = "plan"


class PlanError(ValueError):
    """A plan a form asked for that cannot be; the message says why."""


@dataclass(frozen=True)
class Role:
    """A role a learner prepares for, and the plan it starts with."""

    id: str
    title: str
    summary: str
    new_per_day: int
    packs: dict  # pack id -> difficulties (a tuple; empty: all)


_ALL = ()
ROLES = {role.id: role for role in (
    Role("flask-backend-junior", "Flask backend: junior",
         "The basics of Flask, Python, SQL and HTTP, and your first behavioural stories.",
         10, {"flask_core": ("junior",), "python_core": ("junior",),
              "sql_databases": ("junior",), "http_apis": ("junior",),
              "behavioural": ("junior",)}),
    Role("flask-backend-mid", "Flask backend: mid",
         "Junior and mid questions in every pack: building and running a Flask service.",
         15, {"flask_core": ("junior", "mid"), "python_core": ("junior", "mid"),
              "sql_databases": ("junior", "mid"), "http_apis": ("junior", "mid"),
              "behavioural": ("junior", "mid")}),
    Role("flask-backend-senior", "Flask backend: senior",
         "Mid and senior questions: design, scaling, trade-offs and leading a team.",
         20, {"flask_core": ("mid", "senior"), "python_core": ("mid", "senior"),
              "sql_databases": ("mid", "senior"), "http_apis": ("mid", "senior"),
              "behavioural": _ALL}),
)}


@dataclass(frozen=True)
class Plan:
    """A profile's plan, validated. ``packs`` maps a pack id to ``(difficulties, tags)``."""

    role: str
    packs: dict
    new_per_day: int

    @property
    def title(self):
        role = ROLES.get(self.role)
        return role.title if role else "Your own plan"

    def covers(self, pack_id, question):
        """True when ``question`` of pack ``pack_id`` is in the plan."""
        if pack_id not in self.packs:
            return False
        difficulties, tags = self.packs[pack_id]
        return ((not difficulties or question.difficulty in difficulties)
                and (not tags or any(tag in tags for tag in question.tags)))

    def question_ids(self, pack):
        """The ids of ``pack``'s questions in the plan, in pack order."""
        return [q.id for q in pack.questions if self.covers(pack.id, q)]

    def to_setting(self):
        return {"role": self.role, "new_per_day": self.new_per_day,
                "packs": {pid: {"difficulties": list(d), "tags": list(t)}
                          for pid, (d, t) in self.packs.items()}}


def _names(value, allowed=None):
    """A stored list of names as a tuple, or None when it is not one."""
    if not isinstance(value, list) or len(value) > TAGS_MAX:
        return None
    if not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        return None
    if allowed is not None and not set(value) <= set(allowed):
        return None
    return tuple(dict.fromkeys(value))


def from_setting(value):
    """The :class:`Plan` a profile stores, or None for no plan (or one not well formed)."""
    if not isinstance(value, dict) or not isinstance(value.get("packs"), dict):
        return None
    role, limit = value.get("role"), value.get("new_per_day")
    if not isinstance(role, str) or len(role) > 64:
        return None
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= NEW_PER_DAY_MAX:
        return None
    packs = {}
    for pack_id, entry in value["packs"].items():
        if not isinstance(entry, dict):
            return None
        difficulties = _names(entry.get("difficulties", []), DIFFICULTIES)
        tags = _names(entry.get("tags", []))
        if difficulties is None or tags is None:
            return None
        packs[pack_id] = (difficulties, tags)
    return Plan(role, packs, limit)


def current_plan(profile):
    """The profile's plan, or None when it has none."""
    return profile.from_settings("plan", lambda: from_setting(profile.settings.get(SETTING)))


def plan_for_role(role_id, pack_ids):
    """The plan a role starts with, for the packs installed (``pack_ids``)."""
    role = ROLES.get(role_id)
    if role is None:
        raise PlanError("Pick one of the roles offered.")
    installed = set(pack_ids)
    packs = {pid: (tuple(d), ()) for pid, d in role.packs.items() if pid in installed}
    if not packs:
        raise PlanError("None of this role's packs is installed.")
    return Plan(role.id, packs, role.new_per_day)


def start_plan(profile, role_id, pack_ids):
    """Give the profile the plan of ``role_id`` (replacing any plan it had)."""
    plan = plan_for_role(role_id, pack_ids)
    profile.update_settings(**{SETTING: plan.to_setting()})
    return plan


def save_plan(profile, plan):
    profile.update_settings(**{SETTING: plan.to_setting()})
    return plan


def turn_off(profile):
    """No plan: Review offers every question again, under the profile's own limit."""
    profile.update_settings(**{SETTING: None})


def new_limit(profile):
    """Today's new-question limit: the plan's while one is on, else the profile's."""
    plan = current_plan(profile)
    return plan.new_per_day if plan is not None else profile_settings.new_limit(profile)


def review_scope(profile, pack):
    """The question ids of ``pack`` that Review may offer: the plan's, or None (all)."""
    plan = current_plan(profile)
    return None if plan is None else set(plan.question_ids(pack))


def parse_plan_form(form, packs):
    """The plan the plan page's form sends, validated against the installed ``packs``.

    ``form`` has ``getlist`` (a form's multi-dict): ``role``, ``new_per_day``, and per
    pack ``pack`` (the ids ticked), ``difficulty-<id>`` and ``tag-<id>`` (the ticked
    values; none ticked means all).
    """
    role = form.get("role", "")
    if role not in ROLES:
        role = "custom"
    raw = str(form.get("new_per_day", "")).strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4
            and 0 <= int(raw) <= NEW_PER_DAY_MAX):
        raise PlanError(f"New questions a day must be a whole number from 0 to "
                        f"{NEW_PER_DAY_MAX}.")
    by_id = {pack.id: pack for pack in packs}
    chosen = {}
    for pack_id in form.getlist("pack"):
        pack = by_id.get(pack_id)
        if pack is None or pack_id in chosen:
            continue
        difficulties = form.getlist(f"difficulty-{pack_id}")
        if not set(difficulties) <= set(DIFFICULTIES):
            raise PlanError("Difficulty is junior, mid or senior.")
        known = pack_tags(pack)
        tags = form.getlist(f"tag-{pack_id}")
        if not set(tags) <= set(known) or len(tags) > TAGS_MAX:
            raise PlanError(f"Pack '{pack.title}' has no such tag.")
        chosen[pack_id] = (tuple(d for d in DIFFICULTIES if d in difficulties),
                           tuple(t for t in known if t in tags))
    if not chosen:
        raise PlanError("Tick at least one pack, or turn the plan off.")
    return Plan(role, chosen, int(raw))


def pack_tags(pack):
    return sorted({tag for q in pack.questions for tag in q.tags})


def focus_tags(plan, pack, limit=8):
    """The tags a Focus run on the plan is offered for in ``pack``: the plan's own tags,
    or (when it names none) the commonest tags of its questions there."""
    if plan is None or pack.id not in plan.packs:
        return []
    counted = Counter(tag for q in pack.questions if plan.covers(pack.id, q) for tag in q.tags)
    named = plan.packs[pack.id][1]
    if named:
        return [tag for tag in named if counted[tag]]
    return [tag for tag, _ in sorted(counted.items(), key=lambda c: (-c[1], c[0]))[:limit]]


def focus_difficulty(plan, pack_id):
    """The difficulty a plan's Focus run filters on: the pack's one difficulty, else ""."""
    difficulties = plan.packs[pack_id][0] if plan and pack_id in plan.packs else ()
    return difficulties[0] if len(difficulties) == 1 else ""


def plan_rows(plan, packs):
    """One row per installed pack for the plan page: in the plan or not, its choices,
    and how many of its questions the plan covers."""
    rows = []
    for pack in packs:
        entry = plan.packs.get(pack.id) if plan else None
        rows.append({
            "pack": pack, "in_plan": entry is not None,
            "difficulties": entry[0] if entry else (),
            "tags": entry[1] if entry else (),
            "all_tags": pack_tags(pack),
            "covered": len(plan.question_ids(pack)) if entry else 0,
            "focus_tags": focus_tags(plan, pack),
            "focus_difficulty": focus_difficulty(plan, pack.id),
        })
    return rows
