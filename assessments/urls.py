from __future__ import annotations

from django.urls import path

from assessments.views import pages, plans, wizard

app_name = "assessments"

urlpatterns = [
    # pages
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("methodology/", pages.methodology, name="methodology"),
    # wizard
    path("assessment/", wizard.wizard, name="wizard"),
    path("assessment/<slug:step>/", wizard.wizard_step, name="wizard_step"),
    # plans
    path("plans/", plans.plan_list, name="plan_list"),
    # placeholder from the wizard work until the plan pages replace it
    path("plans/<uuid:token>/", plans.plan_detail, name="plan_detail"),
]
