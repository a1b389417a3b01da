from __future__ import annotations

from django.urls import path

from advising import views

app_name = "advising"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
