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
    path("plans/compare/", plans.plan_compare, name="plan_compare"),
    path("plans/<uuid:token>/", plans.plan_detail, name="plan_detail"),
    path("plans/<uuid:token>/programs.csv", plans.plan_csv, name="plan_csv"),
    path("plans/<uuid:token>/what-if/", plans.plan_whatif, name="plan_whatif"),
]
