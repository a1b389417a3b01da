from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from advising.models import Share
from advising.selectors import advisable_applicants, can_advise
from tests.advising.conftest import INVITATION_TOKEN, INVITED_EMAIL, World, client_for
from tests.factories import AdvisorFactory, PlanFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db

INVITATION_LINK = re.compile(r"https?://\S+/advising/invitations/[\w-]+/")


def _share(client: Any, email: str) -> Any:
    return client.post(reverse("advising:sharing"), {"advisor_email": email}, follow=True)


def _link_in(message: Any) -> str:
    match = INVITATION_LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def test_sharing_with_a_new_address_emails_an_invitation_with_a_working_link() -> None:
    applicant = UserFactory(full_name="Amal Applicant")
    PlanFactory(owner=applicant)
    response = _share(client_for(applicant), "  Mentor@Example.org ")

    assert "We sent an invitation to mentor@example.org" in response.content.decode()
    share = Share.objects.get(applicant=applicant)
    assert share.advisor_email == "mentor@example.org"
    assert share.advisor is None and share.status == "invited"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mentor@example.org"]
    assert "Amal Applicant" in message.subject
    link = _link_in(message)

    page = client_for(None).get(link)
    assert page.status_code == 200
    assert "Create your advisor account" in page.content.decode()
    assert 'value="mentor@example.org"' in page.content.decode()


def test_the_invitation_names_an_applicant_without_a_name_once() -> None:
    # sign-up asks for no name: most applicants have only their email address
    applicant = UserFactory(email="amal@example.org", full_name="")
    _share(client_for(applicant), "mentor@example.org")
    (message,) = mail.outbox
    assert "amal@example.org would like you to review" in message.body
    assert "(amal@example.org)" not in message.body


def test_accepting_an_invitation_creates_an_advisor_account_with_access(world: World) -> None:
    client = client_for(None)
    url = reverse("advising:invitation", args=[INVITATION_TOKEN])

    response = client.post(
        url,
        {
            "email": "attacker@example.org",  # disabled field: the invitation decides
            "full_name": "Nia New",
            "password1": "a-long-passphrase-9",
            "password2": "a-long-passphrase-9",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("advising:dashboard")
    advisor = User.objects.get(email=INVITED_EMAIL)
    assert advisor.full_name == "Nia New"
    assert advisor.is_advisor
    assert advisor.check_password("a-long-passphrase-9")
    assert not User.objects.filter(email="attacker@example.org").exists()
    world.invitation.refresh_from_db()
    assert world.invitation.advisor == advisor and world.invitation.accepted_at is not None
    assert can_advise(advisor, world.applicant_a)
    assert not can_advise(advisor, world.applicant_b)
    # signed in straight away
    dashboard = client.get(reverse("advising:dashboard"))
    assert dashboard.status_code == 200
    assert "Amal Applicant" in dashboard.content.decode()


def test_invitation_signup_shows_password_errors_and_creates_nothing(world: World) -> None:
    url = reverse("advising:invitation", args=[INVITATION_TOKEN])

    response = client_for(None).post(
        url, {"full_name": "", "password1": "12345678", "password2": "12345679"}
    )

    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    response = client_for(None).post(url, {"password1": "password", "password2": "password"})
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email=INVITED_EMAIL).exists()
    world.invitation.refresh_from_db()
    assert world.invitation.accepted_at is None


def test_an_invitation_link_works_only_once(world: World) -> None:
    url = reverse("advising:invitation", args=[INVITATION_TOKEN])
    data = {"password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    assert client_for(None).post(url, data).status_code == 302

    again = client_for(None).get(url)

    assert again.status_code == 410
    assert "already accepted" in again.content.decode()


def test_unknown_invitation_token_is_404(db: Any) -> None:
    response = client_for(None).get(reverse("advising:invitation", args=["nope"]))
    assert response.status_code == 404
    assert "We do not know this link" in response.content.decode()


def test_revoked_and_expired_invitations_cannot_be_used(world: World) -> None:
    url = reverse("advising:invitation", args=[INVITATION_TOKEN])
    Share.objects.filter(pk=world.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=15)
    )
    assert client_for(None).get(url).status_code == 410

    Share.objects.filter(pk=world.invitation.pk).update(
        created_at=timezone.now(), revoked_at=timezone.now()
    )
    response = client_for(None).post(
        url, {"password1": "a-long-passphrase-9", "password2": "a-long-passphrase-9"}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email=INVITED_EMAIL).exists()


def test_inviting_again_after_an_invitation_expired_sends_a_fresh_link(world: World) -> None:
    Share.objects.filter(pk=world.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=15)
    )
    applicant = client_for(world.applicant_a)
    assert (
        "Invite the same address again"
        in applicant.get(reverse("advising:sharing")).content.decode()
    )

    response = _share(applicant, INVITED_EMAIL)

    assert f"We sent an invitation to {INVITED_EMAIL}" in response.content.decode()
    (old, new) = Share.objects.filter(advisor_email=INVITED_EMAIL).order_by("pk")
    assert old.status == "revoked" and new.status == "invited"
    (message,) = mail.outbox
    assert client_for(None).get(_link_in(message)).status_code == 200
    # a pending, unexpired invitation still stops a second one
    response = _share(applicant, INVITED_EMAIL)
    until = (timezone.localdate() + dt.timedelta(days=14)).strftime("%-d %b %Y")
    assert f"You already invited this address; the link in that email works until {until}." in (
        response.content.decode()
    )
    assert "To send a new invitation, revoke the current one first." in response.content.decode()
    assert Share.objects.filter(advisor_email=INVITED_EMAIL).count() == 2


def test_an_expired_invitation_stays_if_the_new_email_cannot_be_sent(
    world: World, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.advising.broken_mail.Backend"
    Share.objects.filter(pk=world.invitation.pk).update(
        created_at=timezone.now() - dt.timedelta(days=15)
    )
    response = _share(client_for(world.applicant_a), INVITED_EMAIL)

    assert "Nothing was shared" in response.content.decode()
    (share,) = Share.objects.filter(advisor_email=INVITED_EMAIL)
    assert share.status == "expired"


def test_sharing_with_an_existing_advisor_sends_an_invitation_like_any_address(
    world: World,
) -> None:
    response = _share(client_for(world.applicant_b), world.advisor_shared.email)

    assert f"We sent an invitation to {world.advisor_shared.email}" in response.content.decode()
    assert not can_advise(world.advisor_shared, world.applicant_b)  # not until accepted
    (message,) = mail.outbox
    assert message.to == [world.advisor_shared.email]
    link = _link_in(message)
    advisor = client_for(world.advisor_shared)
    assert advisor.post(link).status_code == 302
    assert can_advise(world.advisor_shared, world.applicant_b)


def test_the_sharing_form_answers_the_same_whoever_owns_the_address(world: World) -> None:
    """No account, an applicant's account and an advisor's account: the same message, the
    same status on the sharing page and the same email (docs/advising.md)."""
    addresses = ["nobody@example.org", world.applicant_b.email, world.advisor_unrelated.email]
    pages, statuses, mails = [], [], []
    for address in addresses:
        applicant = UserFactory()
        client = client_for(applicant)
        page = _share(client, address).content.decode()
        pages.append(page.replace(address, "ADDRESS").replace(applicant.email, "ME"))
        statuses.append(Share.objects.get(applicant=applicant).status)
        message = mail.outbox[-1]
        body = INVITATION_LINK.sub("LINK", message.body)
        mails.append(
            (
                message.subject.replace(str(applicant), "A"),
                body.replace(address, "ADDRESS")
                .replace(applicant.email, "ME")
                .replace(str(applicant), "A"),
            )
        )
    assert statuses == ["invited"] * 3
    assert mails[0] == mails[1] == mails[2]
    strip = re.compile(r'csrfmiddlewaretoken" value="[^"]+"|CSRFToken": "[^"]+"|/sharing/\d+/')
    assert strip.sub("", pages[0]) == strip.sub("", pages[1]) == strip.sub("", pages[2])


def test_sharing_with_an_existing_non_advisor_account_sends_an_invitation_to_log_in(
    world: World,
) -> None:
    """The applicant learns nothing about which addresses have accounts; the holder of
    the address accepts by logging in, and their account joins the Advisors group."""
    _share(client_for(world.applicant_a), world.applicant_b.email)
    share = Share.objects.get(applicant=world.applicant_a, advisor_email=world.applicant_b.email)
    assert share.status == "invited"
    assert not can_advise(world.applicant_b, world.applicant_a)
    link = _link_in(mail.outbox[0])

    anonymous = client_for(None).get(link)
    assert "Log in to accept" in anonymous.content.decode()
    client = client_for(world.applicant_b)
    assert "Accept and open the advisor dashboard" in client.get(link).content.decode()
    response = client.post(link)

    assert response.status_code == 302
    world.applicant_b.refresh_from_db()
    assert world.applicant_b.is_advisor
    assert can_advise(world.applicant_b, world.applicant_a)


def test_an_invitation_cannot_be_accepted_by_another_account(world: World) -> None:
    url = reverse("advising:invitation", args=[INVITATION_TOKEN])

    response = client_for(world.advisor_unrelated).post(url)

    assert response.status_code == 403
    assert "This invitation is for another email address" in response.content.decode()
    world.invitation.refresh_from_db()
    assert world.invitation.accepted_at is None


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("a@example.org", "This is your own email address."),
        ("shared@example.org", "You already share your plans with this address."),
        (INVITED_EMAIL.upper(), "You already invited this address; the link in that email"),
        ("not-an-email", "Enter a valid email address."),
    ],
)
def test_share_form_rejects_bad_addresses(world: World, email: str, error: str) -> None:
    before = Share.objects.count()

    response = client_for(world.applicant_a).post(
        reverse("advising:sharing"), {"advisor_email": email}
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Share.objects.count() == before
    assert mail.outbox == []


def test_revoking_removes_access_at_once(world: World) -> None:
    advisor = world.advisor_shared
    plan_url = reverse("advising:plan_review", args=[world.plan_a.pk])
    assert client_for(advisor).get(plan_url).status_code == 200

    response = client_for(world.applicant_a).post(
        reverse("advising:share_revoke", args=[world.share.pk]), follow=True
    )

    assert "can no longer see your plans" in response.content.decode()
    world.share.refresh_from_db()
    assert world.share.revoked_at is not None
    assert client_for(advisor).get(plan_url).status_code == 404
    assert world.applicant_a not in advisable_applicants(advisor)
    dashboard = client_for(advisor).get(reverse("advising:dashboard")).content.decode()
    assert "Amal Applicant" not in dashboard


def test_revoking_frees_the_address_for_a_new_invitation(world: World) -> None:
    client = client_for(world.applicant_a)
    client.post(reverse("advising:share_revoke", args=[world.invitation.pk]))

    _share(client, INVITED_EMAIL)

    assert (
        Share.objects.filter(applicant=world.applicant_a, advisor_email=INVITED_EMAIL).count() == 2
    )
    assert len(mail.outbox) == 1


def test_sharing_page_lists_assigned_advisors_read_only_and_shares_with_status(
    world: World,
) -> None:
    html = client_for(world.applicant_a).get(reverse("advising:sharing")).content.decode()

    assert "Ada Assigned" in html
    assert "Assigned by your school or MatchPlan administrator" in html
    assert "Sam Shared" in html and "Active" in html
    assert INVITED_EMAIL in html and "Invited" in html
    revoke_urls = re.findall(r'action="(/advising/sharing/\d+/revoke/)"', html)
    assert sorted(revoke_urls) == sorted(
        reverse("advising:share_revoke", args=[pk]) for pk in (world.share.pk, world.invitation.pk)
    )


def test_sharing_page_does_not_list_other_applicants_shares(world: World) -> None:
    ShareFactory(applicant=world.applicant_b, advisor=world.advisor_unrelated)

    html = client_for(world.applicant_a).get(reverse("advising:sharing")).content.decode()

    assert world.advisor_unrelated.email not in html


def test_advisor_email_carries_no_scores_and_a_comment_email_no_comment_text(world: World) -> None:
    _share(client_for(world.applicant_b), "fresh@example.org")
    client_for(world.advisor_assigned).post(
        reverse("advising:plan_comment", args=[world.plan_a.pk]),
        {"body": "Your Step 2 CK of 238 is fine."},
    )
    bodies = "\n".join(m.body for m in mail.outbox)
    # the invitation's random token may hold any digits: look outside the links
    text = re.sub(r"https?://\S+", "", bodies)
    assert mail.outbox and "238" not in text
    assert "Step 2 CK" not in bodies


def test_an_existing_advisor_accepts_even_if_the_emails_differ_in_case(
    world: World,
) -> None:
    advisor = AdvisorFactory(email="mixed@example.org")

    _share(client_for(world.applicant_a), "MIXED@example.org")

    share = Share.objects.get(advisor_email="mixed@example.org")
    assert share.status == "invited"
    client_for(advisor).post(_link_in(mail.outbox[-1]))
    share.refresh_from_db()
    assert share.status == "active"


def test_the_share_form_cannot_be_used_to_send_mail_in_bulk(world: World) -> None:
    from advising.services import SHARES_PER_DAY

    client = client_for(world.applicant_b)
    for n in range(SHARES_PER_DAY):
        _share(client, f"bulk{n}@example.org")

    response = _share(client, "one-too-many@example.org")

    assert "Please try again tomorrow" in response.content.decode()
    assert len(mail.outbox) == SHARES_PER_DAY
    assert not Share.objects.filter(advisor_email="one-too-many@example.org").exists()


def test_a_name_with_line_breaks_does_not_break_the_email_subject(world: World) -> None:
    world.applicant_b.full_name = "Bo\nBcc: victim@example.org"
    world.applicant_b.save()

    _share(client_for(world.applicant_b), "line@example.org")

    assert mail.outbox[0].subject.startswith("Bo Bcc: victim@example.org invited you")


def test_account_summary_include_lists_who_can_see_the_plans(world: World) -> None:
    from django.template.loader import render_to_string

    html = render_to_string(
        "advising/includes/account_sharing_summary.html", {"user": world.applicant_a}
    )

    assert "Ada Assigned" in html and "(assigned)" in html
    assert "Sam Shared" in html and "(active)" in html
    assert INVITED_EMAIL in html and "(invited)" in html
    assert reverse("advising:sharing") in html
    alone = render_to_string(
        "advising/includes/account_sharing_summary.html", {"user": world.staff}
    )
    assert "Only you can see your plans." in alone


def test_sharing_page_and_invitation_say_the_advisor_also_sees_the_season(world: World) -> None:
    # Sharing opens the season tracker too (tracker.selectors.advisable_seasons), notes
    # included; the applicant agrees to that here, and the invited advisor reads it.
    sharing = client_for(world.applicant_a).get(reverse("advising:sharing")).content.decode()
    assert "your application season" in sharing
    assert "the start of each note" in sharing
    invitation = client_for(None).get(reverse("advising:invitation", args=[INVITATION_TOKEN]))
    assert "their saved plans and their application season" in invitation.content.decode()
