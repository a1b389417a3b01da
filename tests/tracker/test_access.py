"""Every tracker URL against every role (the roles of tests/advising/test_access.py).

Applicant pages: anonymous visitors are sent to log in; a signed-in user without a season
gets the page's empty state, or 404 where there is nothing to show (exports, print) or
change; another applicant's application or rank entry is 404. Advisor pages follow
advising's rules: 403 outside the Advisors group (staff included), 404 for an applicant the
advisor does not advise. The unsubscribe link's token is the credential: any role may use it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import get_resolver, reverse

from tests.advising.conftest import World, client_for
from tests.advising.test_access import ROLES
from tests.factories import ApplicationFactory, SeasonFactory, applied, season_date_passed
from tracker import reminders
from tracker.models import RankListEntry, Status

pytestmark = pytest.mark.django_db

SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": 302}
SIGNED_IN_POST = dict.fromkeys(ROLES, 302)
OWNER_ONLY = dict.fromkeys(ROLES, 404) | {"anonymous": 302, "applicant_a": 200}
OWNER_POST = dict.fromkeys(ROLES, 404) | {"anonymous": 302, "applicant_a": 302}
ADVISOR_OF_A = {
    "anonymous": 302,
    "applicant_a": 403,
    "applicant_b": 403,
    "advisor_unrelated": 404,
    "advisor_assigned": 200,
    "advisor_shared": 200,
    "staff": 403,
}
ADVISOR_OF_A_POST = ADVISOR_OF_A | {"advisor_assigned": 302, "advisor_shared": 302}
TOKEN_HOLDER = dict.fromkeys(ROLES, 200)


@pytest.fixture
def season_world(world: World) -> dict[str, Any]:
    season = SeasonFactory(owner=world.applicant_a, plan=world.plan_a)
    season_date_passed(season.match_year, "soap_starts")  # so the outcome can be recorded
    considering = ApplicationFactory(season=season)
    interviewed = applied(season, status=Status.INTERVIEWED, interviewed=True)
    to_rank = applied(season, status=Status.INTERVIEWED, interviewed=True)
    entry = RankListEntry.objects.create(season=season, application=interviewed, position=1)
    return {
        "season": season,
        "considering": considering,
        "interviewed": interviewed,
        "to_rank": to_rank,
        "entry": entry,
        "token": reminders.unsubscribe_token(world.applicant_a),
    }


def _calls(s: dict[str, Any], client: Any) -> dict[str, Any]:
    app, entry = s["considering"], s["entry"]
    program = s["interviewed"].program_id
    return {
        "home": lambda: client.get(reverse("tracker:home")),
        "settings": lambda: client.post(reverse("tracker:settings"), {"reminders": "on"}),
        "add_get": lambda: client.get(reverse("tracker:add"), {"program": program}),
        "add_post": lambda: client.post(reverse("tracker:add"), {"program": program}),
        "application": lambda: client.get(reverse("tracker:application", args=[app.pk])),
        "move": lambda: client.post(
            reverse("tracker:move", args=[app.pk]), {"status": "applied", "platform": "eras"}
        ),
        "notes": lambda: client.post(reverse("tracker:notes", args=[app.pk]), {"notes": "n"}),
        "remove": lambda: client.post(reverse("tracker:remove", args=[app.pk])),
        "rank_add": lambda: client.post(reverse("tracker:rank_add", args=[s["to_rank"].pk])),
        "progress": lambda: client.get(reverse("tracker:progress")),
        "calendar": lambda: client.get(reverse("tracker:calendar")),
        "calendar_ics": lambda: client.get(reverse("tracker:calendar_ics")),
        "rank_list": lambda: client.get(reverse("tracker:rank_list")),
        "rank_order": lambda: client.post(reverse("tracker:rank_order"), {"entry": [entry.pk]}),
        "rank_move": lambda: client.post(
            reverse("tracker:rank_move", args=[entry.pk]), {"direction": "down"}
        ),
        "rank_csv": lambda: client.get(reverse("tracker:rank_csv")),
        "rank_print": lambda: client.get(reverse("tracker:rank_print")),
        "outcome": lambda: client.post(reverse("tracker:outcome"), {"result": "not_matched"}),
        "advise": lambda: client.get(reverse("tracker:advise", args=[s["season"].pk])),
        "advise_comment": lambda: client.post(
            reverse("tracker:advise_comment", args=[s["season"].pk]), {"body": "Add programs."}
        ),
        "unsubscribe_get": lambda: client.get(reverse("tracker:unsubscribe", args=[s["token"]])),
        "unsubscribe_post": lambda: client.post(reverse("tracker:unsubscribe", args=[s["token"]])),
    }


MATRIX = {
    "home": SIGNED_IN,
    "settings": OWNER_POST,
    "add_get": SIGNED_IN,
    "add_post": SIGNED_IN_POST,
    "application": OWNER_ONLY,
    "move": OWNER_POST,
    "notes": OWNER_POST,
    "remove": OWNER_POST,
    "rank_add": OWNER_POST,
    "progress": SIGNED_IN,
    "calendar": SIGNED_IN,
    "calendar_ics": OWNER_ONLY,
    "rank_list": SIGNED_IN,
    "rank_order": OWNER_POST,
    "rank_move": OWNER_POST,
    "rank_csv": OWNER_ONLY,
    "rank_print": OWNER_ONLY,
    "outcome": OWNER_POST,
    "advise": ADVISOR_OF_A,
    "advise_comment": ADVISOR_OF_A_POST,
    "unsubscribe_get": TOKEN_HOLDER,
    "unsubscribe_post": TOKEN_HOLDER,
}
# Each URL name of the tracker and the matrix rows that reach it.
URL_ROWS = {
    "home": ["home"],
    "settings": ["settings"],
    "add": ["add_get", "add_post"],
    "application": ["application"],
    "move": ["move"],
    "notes": ["notes"],
    "remove": ["remove"],
    "rank_add": ["rank_add"],
    "progress": ["progress"],
    "calendar": ["calendar"],
    "calendar_ics": ["calendar_ics"],
    "rank_list": ["rank_list"],
    "rank_order": ["rank_order"],
    "rank_move": ["rank_move"],
    "rank_csv": ["rank_csv"],
    "rank_print": ["rank_print"],
    "outcome": ["outcome"],
    "advise": ["advise"],
    "advise_comment": ["advise_comment"],
    "unsubscribe": ["unsubscribe_get", "unsubscribe_post"],
}


def test_the_matrix_covers_every_tracker_url() -> None:
    names = {
        name
        for name in get_resolver().namespace_dict["tracker"][1].reverse_dict
        if isinstance(name, str)
    }
    assert names == set(URL_ROWS)
    assert {row for rows in URL_ROWS.values() for row in rows} == set(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_access_matrix(world: World, season_world: dict[str, Any], name: str, role: str) -> None:
    response = _calls(season_world, client_for(world.user(role)))[name]()

    expected = MATRIX[name][role]
    assert response.status_code == expected, f"{name} as {role}"
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name",
    [
        "settings",
        "move",
        "notes",
        "remove",
        "rank_add",
        "rank_order",
        "rank_move",
        "outcome",
        "advise_comment",
    ],
)
def test_post_only_urls_refuse_get(world: World, season_world: dict[str, Any], name: str) -> None:
    args = {
        "move": [season_world["considering"].pk],
        "notes": [season_world["considering"].pk],
        "remove": [season_world["considering"].pk],
        "rank_add": [season_world["to_rank"].pk],
        "rank_move": [season_world["entry"].pk],
        "advise_comment": [season_world["season"].pk],
    }.get(name, [])
    user = world.advisor_assigned if name == "advise_comment" else world.applicant_a
    assert client_for(user).get(reverse(f"tracker:{name}", args=args)).status_code == 405
