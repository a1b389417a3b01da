"""Request guards that run before any view.

RejectNulMiddleware
-------------------
A NUL character (``\\x00``, ``%00`` in a URL) in the path, the query string, form fields
or cookies is never meant, and PostgreSQL refuses to store or compare text that holds
one: a list filter such as ``/admin/programs/program/?state=%00`` would reach the
database and fail with a 500. Every such request gets a plain 400 here instead, in every
part of the site, the admin included. Uploaded file contents are not examined (an XLSX
file holds NUL bytes legitimately; the import checks its cells itself).

It lives in accounts beside the other request-level protections (log redaction, rate
limits); config/ holds only settings and entry points.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict

NUL = "\x00"


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in data.lists())


def request_has_nul(request: HttpRequest) -> bool:
    if NUL in request.path or _has_nul(request.GET):
        return True
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    return request.method == "POST" and _has_nul(request.POST)


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_has_nul(request):
            response = HttpResponseBadRequest(
                "Bad request: the address or the form contains a NUL character (%00).",
                content_type="text/plain; charset=utf-8",
            )
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)
