from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from programs.models import Program


def program_list(request: HttpRequest) -> HttpResponse:  # replaced by the browser work
    return render(request, "assessments/home.html")


def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(Program, pk=pk)
    return render(request, "assessments/home.html")
