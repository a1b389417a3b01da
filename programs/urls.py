from __future__ import annotations

from django.urls import path

from programs import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("programs.csv", views.program_csv, name="csv"),
    path("<int:pk>/", views.program_detail, name="detail"),
]
