from __future__ import annotations

from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("methodology/", views.methodology, name="methodology"),
    path("assessment/", views.wizard, name="wizard"),
    path("plans/", views.plan_list, name="plan_list"),
]
