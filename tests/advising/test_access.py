"""Every advising URL against every role, with the exact status each one gets.

Decisions (also in advising/views.py): anonymous users are redirected to log in, except
on the invitation, whose token is the credential; signed-in users outside the Advisors
group get 403 on advisor pages, staff and superusers included (admins read plans in
Django admin); an advisor outside the access rule gets 404, as does anyone revoking a
share that is not theirs.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.advising.conftest import INVITATION_TOKEN, World, client_for

ROLES = [
    "anonymous",
    "applicant_a",
    "applicant_b",
    "advisor_unrelated",
    "advisor_assigned",
    "advisor_shared",
    "staff",
]

ADVISOR_PAGE = {
    "anonymous": 302,
    "applicant_a": 403,
    "applicant_b": 403,
    "advisor_unrelated": 200,
    "advisor_assigned": 200,
    "advisor_shared": 200,
    "staff": 403,
}
PLAN_A_READ = {**ADVISOR_PAGE, "advisor_unrelated": 404}
PLAN_A_WRITE = {**PLAN_A_READ, "advisor_assigned": 302, "advisor_shared": 302}
ANY_SIGNED_IN = dict.fromkeys(ROLES, 200) | {"anonymous": 302}
ANY_SIGNED_IN_POST = dict.fromkeys(ROLES, 302)  # success redirects; anonymous to login
REVOKE_A_SHARE = dict.fromkeys(ROLES, 404) | {"anonymous": 302, "applicant_a": 302}
OWNER_ONLY = dict.fromkeys(ROLES, 404) | {"anonymous": 302, "applicant_a": 200}
# The invitation is for an address none of these accounts has.
INVITATION = dict.fromkeys(ROLES, 403) | {"anonymous": 200}
INVITATION_SIGNUP_POST = dict.fromkeys(ROLES, 403) | {"anonymous": 302}


def _request(world: World, name: str, client: Any) -> Any:
    plan = world.plan_a.pk
    signup = {
        "full_name": "New Advisor",
        "password1": "a-long-passphrase-9",
        "password2": "a-long-passphrase-9",
    }
    invitation_url = reverse("advising:invitation", args=[INVITATION_TOKEN])
    calls = {
        "dashboard": lambda: client.get(reverse("advising:dashboard")),
        "dashboard_partial": lambda: client.get(
            reverse("advising:dashboard"), {"tier": "viable"}, HTTP_HX_REQUEST="true"
        ),
        "sharing": lambda: client.get(reverse("advising:sharing")),
        "share_post": lambda: client.post(
            reverse("advising:sharing"), {"advisor_email": "someone-new@example.org"}
        ),
        "revoke_post": lambda: client.post(reverse("advising:share_revoke", args=[world.share.pk])),
        "plan_review": lambda: client.get(reverse("advising:plan_review", args=[plan])),
        "comment_post": lambda: client.post(
            reverse("advising:plan_comment", args=[plan]), {"body": "Please add a backup."}
        ),
        "status_post": lambda: client.post(
            reverse("advising:plan_status", args=[plan]), {"status": "reviewed"}
        ),
        "applicant_plan_page": lambda: client.get(
            reverse("assessments:plan_detail", args=[world.plan_a.token])
        ),
        "applicant_plan_explorer": lambda: client.get(
            reverse("assessments:plan_explorer", args=[world.plan_a.token])
        ),
        "invitation_get": lambda: client.get(invitation_url),
        "invitation_post": lambda: client.post(invitation_url, signup),
    }
    return calls[name]()


MATRIX = {
    "dashboard": ADVISOR_PAGE,
    "dashboard_partial": ADVISOR_PAGE,
    "sharing": ANY_SIGNED_IN,
    "share_post": ANY_SIGNED_IN_POST,
    "revoke_post": REVOKE_A_SHARE,
    "plan_review": PLAN_A_READ,
    "comment_post": PLAN_A_WRITE,
    "status_post": PLAN_A_WRITE,
    # The applicant's own page (built by the plans work): advisors read plans through
    # advising:plan_review instead, so they get 404 here like everybody else.
    "applicant_plan_page": OWNER_ONLY,
    # The specialty explorer of a plan follows the plan page (tests/explorer/test_access.py
    # adds anonymous visitors with a draft or a plan).
    "applicant_plan_explorer": OWNER_ONLY,
    "invitation_get": INVITATION,
    "invitation_post": INVITATION_SIGNUP_POST,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(MATRIX))
def test_access_matrix(world: World, name: str, role: str) -> None:
    response = _request(world, name, client_for(world.user(role)))

    expected = MATRIX[name][role]
    assert response.status_code == expected, f"{name} as {role}"
    if expected == 302 and role == "anonymous" and not name.startswith("invitation"):
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    "name",
    ["share_revoke", "plan_comment", "plan_status"],
)
def test_post_only_urls_refuse_get(world: World, name: str) -> None:
    pk = world.share.pk if name == "share_revoke" else world.plan_a.pk
    response = client_for(
        world.advisor_assigned if name != "share_revoke" else world.applicant_a
    ).get(reverse(f"advising:{name}", args=[pk]))
    assert response.status_code == 405


def test_advisor_gets_404_for_a_plan_not_yet_saved_to_an_account(world: World) -> None:
    from tests.factories import PlanFactory

    anonymous_plan = PlanFactory(owner=None)
    response = client_for(world.advisor_assigned).get(
        reverse("advising:plan_review", args=[anonymous_plan.pk])
    )
    assert response.status_code == 404


def test_removing_an_advisor_from_the_group_ends_their_access(world: World) -> None:
    world.advisor_assigned.groups.clear()
    client = client_for(world.advisor_assigned)

    assert client.get(reverse("advising:plan_review", args=[world.plan_a.pk])).status_code == 403
    assert client.get(reverse("advising:dashboard")).status_code == 403
