from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def plan_list(request: HttpRequest) -> HttpResponse:  # replaced by the plans work
    return render(request, "assessments/home.html")
