from __future__ import annotations

from django.urls import path

from advising import views

app_name = "advising"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("plans/<int:pk>/", views.plan_review, name="plan_review"),
    path("plans/<int:pk>/comments/", views.plan_comment, name="plan_comment"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
]
