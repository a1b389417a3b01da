from __future__ import annotations

from django.urls import path

from assessments.views import explorer, pages, plans, wizard
from core import views as core_views

app_name = "assessments"

urlpatterns = [
    # site-wide pages (core), under the names every template and script reverses
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # pages
    path("methodology/", pages.methodology, name="methodology"),
    # wizard
    path("assessment/", wizard.wizard, name="wizard"),
    path("assessment/answers/choose/", wizard.draft_choice, name="draft_choice"),
    path("assessment/<slug:step>/", wizard.wizard_step, name="wizard_step"),
    # the specialty explorer
    path("explore/", explorer.explorer_page, name="explorer"),
    path("explore/compare/", explorer.explorer_compare, name="explorer_compare"),
    path("explore/pick/", explorer.explorer_pick, name="explorer_pick"),
    # plans
    path("plans/", plans.plan_list, name="plan_list"),
    path("plans/compare/", plans.plan_compare, name="plan_compare"),
    path("plans/<uuid:token>/", plans.plan_detail, name="plan_detail"),
    path("plans/<uuid:token>/print/", plans.plan_print, name="plan_print"),
    path("plans/<uuid:token>/delete/", plans.plan_delete, name="plan_delete"),
    path("plans/<uuid:token>/programs.csv", plans.plan_csv, name="plan_csv"),
    path("plans/<uuid:token>/what-if/", plans.plan_whatif, name="plan_whatif"),
    path("plans/<uuid:token>/explore/", explorer.plan_explorer, name="plan_explorer"),
    path(
        "plans/<uuid:token>/explore/compare/",
        explorer.plan_explorer_compare,
        name="plan_explorer_compare",
    ),
]
