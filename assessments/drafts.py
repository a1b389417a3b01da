"""Wizard drafts: where the answers live between steps, and who they belong to.

A logged-in applicant's draft is found by owner (their latest draft), so they resume
where they left off on any device. An anonymous visitor's draft is found by the token
kept in their session under "draft_token"; plans they generate anonymously are listed
by token under "plan_tokens". Logging in or signing up moves both to the account
(`anonymous_work_claim`), so trying MatchPlan first and signing up later loses nothing.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from assessments.models import AssessmentDraft, Plan
from assessments.profile import TOP_KEYS_OPTIONAL, TOP_KEYS_REQUIRED

if TYPE_CHECKING:
    from accounts.models import User

SESSION_DRAFT_KEY = "draft_token"
SESSION_PLAN_TOKENS_KEY = "plan_tokens"
# Bound the session list: a visitor generating plans in a loop must not grow the session forever.
MAX_SESSION_PLAN_TOKENS = 50


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


# --- session helpers (shared with the plan pages) ----------------------------------------


def session_plan_tokens(request: HttpRequest) -> list[str]:
    """Tokens of the plans this (anonymous) session generated, oldest first."""
    tokens = request.session.get(SESSION_PLAN_TOKENS_KEY, [])
    return [str(t) for t in tokens if _as_uuid(t) is not None] if isinstance(tokens, list) else []


def session_add_plan_token(request: HttpRequest, token: uuid.UUID | str) -> None:
    tokens = [t for t in session_plan_tokens(request) if t != str(token)]
    tokens.append(str(token))
    request.session[SESSION_PLAN_TOKENS_KEY] = tokens[-MAX_SESSION_PLAN_TOKENS:]


def session_draft_token(request: HttpRequest) -> uuid.UUID | None:
    return _as_uuid(request.session.get(SESSION_DRAFT_KEY))


# --- selectors ---------------------------------------------------------------------------


def draft_answers(draft: AssessmentDraft | None) -> dict[str, Any]:
    """The draft's answers as a dict.

    The JSON column can hold anything (a draft tampered with in the admin or the database,
    or written by an old version): a value that is not an object counts as no answers, so
    the wizard starts again at the first step instead of failing.
    """
    answers = draft.answers if draft is not None else None
    return answers if isinstance(answers, dict) else {}


def _drafts_of(*, owner_id: Any = None, token: Any = None) -> QuerySet[AssessmentDraft]:
    """A user's drafts, latest first; or the anonymous draft with this token."""
    if token is not None:
        return AssessmentDraft.objects.filter(token=token, owner__isnull=True)
    return AssessmentDraft.objects.filter(owner_id=owner_id).order_by("-updated_at", "-pk")


def _first_draft(drafts: QuerySet[AssessmentDraft], *, lock: bool) -> AssessmentDraft | None:
    if lock:
        drafts = drafts.select_for_update()
    return drafts.first()


def draft_for_user(*, user: User, lock: bool = False) -> AssessmentDraft | None:
    """The user's latest draft; ``lock`` reads it FOR UPDATE (inside a transaction)."""
    return _first_draft(_drafts_of(owner_id=user.pk), lock=lock)


def draft_for_request(request: HttpRequest, *, lock: bool = False) -> AssessmentDraft | None:
    """The draft the wizard shows this request, or None before the first saved step.

    Anonymous drafts are only ever found through the session's own token, and only
    while they have no owner: a token that leaks or lingers never opens an account's draft.
    ``lock`` reads it ``FOR UPDATE`` (inside a transaction): a step that will save reads
    and merges the answers under one row lock, so two saves never lose each other's answers.
    """
    if request.user.is_authenticated:
        return draft_for_user(user=request.user, lock=lock)
    token = session_draft_token(request)
    if token is None:
        return None
    return _first_draft(_drafts_of(token=token), lock=lock)


# --- services ----------------------------------------------------------------------------


# savepoint=False: the wizard calls it inside its own transaction, where a savepoint would
# only add two round trips (a failure rolls the whole request back anyway).
@transaction.atomic(savepoint=False)
def draft_save_answers(
    *,
    request: HttpRequest,
    draft: AssessmentDraft | None,
    answers: dict[str, Any],
    locked: bool = False,
) -> AssessmentDraft:
    """Merge one step's answers into the draft, creating the draft on the first save.

    A draft is only created when a step is saved, so browsing the wizard leaves no rows.
    ``locked`` says the caller read `draft` FOR UPDATE in the transaction it is still in;
    otherwise it is read again under a lock before the merge.
    """
    if draft is None:
        owner = request.user if request.user.is_authenticated else None
        draft = AssessmentDraft.objects.create(owner=owner, answers=dict(answers))
        if owner is None:
            request.session[SESSION_DRAFT_KEY] = str(draft.token)
        return draft
    if not locked:
        draft = AssessmentDraft.objects.select_for_update().get(pk=draft.pk)
    draft.answers = {**draft_answers(draft), **answers}
    draft.save(update_fields=["answers", "updated_at"])
    return draft


@transaction.atomic
def draft_claim(*, user: User, token: uuid.UUID | str | None) -> AssessmentDraft | None:
    """Give the anonymous draft with `token` to `user`; returns it, or None if none qualifies.

    An empty draft is deleted instead: it must not become the account's latest draft and
    hide the work the user saved earlier.
    """
    token = _as_uuid(token)
    if token is None:
        return None
    draft = (
        AssessmentDraft.objects.select_for_update().filter(token=token, owner__isnull=True).first()
    )
    if draft is None:
        return None
    if not draft.answers:
        draft.delete()
        return None
    draft.owner = user
    draft.save(update_fields=["owner", "updated_at"])
    return draft


@transaction.atomic
def plans_claim(*, user: User, tokens: list[str]) -> int:
    """Give the anonymous plans with these tokens to `user`; returns how many moved."""
    valid = [t for t in (_as_uuid(token) for token in tokens) if t is not None]
    if not valid:
        return 0
    return Plan.objects.filter(token__in=valid, owner__isnull=True).update(owner=user)


@dataclass(frozen=True)
class ClaimResult:
    draft: AssessmentDraft | None
    plan_count: int
    # The account already had other saved answers: the user chooses (draft_choose).
    needs_choice: bool = False


def _anonymous_draft(token: Any) -> AssessmentDraft | None:
    token = _as_uuid(token)
    if token is None:
        return None
    return AssessmentDraft.objects.filter(token=token, owner__isnull=True).first()


@transaction.atomic
def anonymous_work_claim(*, request_session: SessionBase, user: User) -> ClaimResult:
    """Move the session's anonymous draft and plans to `user` and forget their tokens.

    Called right after signup and after every login. When the account already has a draft
    with other answers, neither is dropped: the anonymous draft stays in the session
    (``pending_draft_choice``) until the user says which answers to keep (``draft_choose``).
    Plans are separate rows and always move.
    """
    tokens = request_session.get(SESSION_PLAN_TOKENS_KEY, [])
    plan_count = plans_claim(user=user, tokens=tokens if isinstance(tokens, list) else [])
    request_session.pop(SESSION_PLAN_TOKENS_KEY, None)
    anonymous = _anonymous_draft(request_session.get(SESSION_DRAFT_KEY))
    saved = draft_for_user(user=user)
    if anonymous is not None and draft_answers(anonymous) and saved is not None:
        if draft_answers(saved) and draft_answers(saved) != draft_answers(anonymous):
            return ClaimResult(draft=None, plan_count=plan_count, needs_choice=True)
        if draft_answers(saved):  # the very same answers: nothing to choose, nothing lost
            anonymous.delete()
            request_session.pop(SESSION_DRAFT_KEY, None)
            return ClaimResult(draft=saved, plan_count=plan_count)
    draft = draft_claim(user=user, token=request_session.get(SESSION_DRAFT_KEY))
    request_session.pop(SESSION_DRAFT_KEY, None)
    return ClaimResult(draft=draft, plan_count=plan_count)


def pending_draft_choice(request: HttpRequest) -> AssessmentDraft | None:
    """The answers a logged-in user gave before logging in, while they have not yet said
    whether to keep them or their account's saved answers; None when nothing is pending."""
    if not request.user.is_authenticated:
        return None
    return _anonymous_draft(request.session.get(SESSION_DRAFT_KEY))


DRAFT_KEEP_SAVED = "saved"
DRAFT_KEEP_NEW = "new"


@transaction.atomic
def draft_choose(*, request: HttpRequest, keep: str) -> AssessmentDraft | None:
    """Keep one of the two sets of answers the user was asked about; delete the other.

    ``keep`` is DRAFT_KEEP_SAVED (the account's draft) or DRAFT_KEEP_NEW (the answers
    given before logging in, which become the account's draft). Returns the kept draft.
    """
    if keep not in (DRAFT_KEEP_SAVED, DRAFT_KEEP_NEW):
        raise ValueError(f"keep must be {DRAFT_KEEP_SAVED!r} or {DRAFT_KEEP_NEW!r}")
    user = request.user
    token = _as_uuid(request.session.get(SESSION_DRAFT_KEY))
    request.session.pop(SESSION_DRAFT_KEY, None)
    saved = draft_for_user(user=user, lock=True)
    anonymous = (
        AssessmentDraft.objects.select_for_update().filter(token=token, owner__isnull=True).first()
        if token is not None
        else None
    )
    if anonymous is None:
        return saved
    if keep == DRAFT_KEEP_SAVED:
        anonymous.delete()
        return saved
    anonymous.owner = user
    anonymous.save(update_fields=["owner", "updated_at"])
    if saved is not None:
        saved.delete()
    return anonymous


# --- the engine's input ------------------------------------------------------------------


def draft_profile_data(draft: AssessmentDraft) -> dict[str, Any]:
    """The draft's answers as the engine's input: exactly its keys, wizard-only keys left out.

    parse_profile rejects unknown keys (a typo must not silently change a plan), so the
    wizard's extra answers (country, oet, hands-on and observership months...) stay here.
    """
    answers = draft_answers(draft)
    return {
        key: copy.deepcopy(answers[key])
        for key in (*TOP_KEYS_REQUIRED, *TOP_KEYS_OPTIONAL)
        if key in answers
    }
