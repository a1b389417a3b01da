from __future__ import annotations

from django.urls import path

from tracker import views

app_name = "tracker"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/", views.season_settings, name="settings"),
    path("add/", views.add, name="add"),
    path("applications/<int:pk>/", views.application, name="application"),
    path("applications/<int:pk>/move/", views.move, name="move"),
    path("applications/<int:pk>/notes/", views.notes, name="notes"),
    path("applications/<int:pk>/remove/", views.remove, name="remove"),
    path("applications/<int:pk>/rank/", views.rank_add, name="rank_add"),
    path("progress/", views.progress, name="progress"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar.ics", views.calendar_ics, name="calendar_ics"),
    path("rank-list/", views.rank_list, name="rank_list"),
    path("rank-list/order/", views.rank_order, name="rank_order"),
    path("rank-list/<int:pk>/move/", views.rank_move, name="rank_move"),
    path("rank-list.csv", views.rank_csv, name="rank_csv"),
    path("rank-list/print/", views.rank_print, name="rank_print"),
    path("outcome/", views.outcome, name="outcome"),
    path("advise/<int:pk>/", views.advise, name="advise"),
    path("advise/<int:pk>/comments/", views.advise_comment, name="advise_comment"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
