from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def account_home(request: HttpRequest) -> HttpResponse:  # replaced by the accounts work
    return render(request, "assessments/home.html")


def signup(request: HttpRequest) -> HttpResponse:  # replaced by the accounts work
    return render(request, "assessments/home.html")
