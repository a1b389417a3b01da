from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("programs/", include("programs.urls")),
    path("advising/", include("advising.urls")),
    path("season/", include("tracker.urls")),
    path("", include("assessments.urls")),
]

handler500 = "core.views.server_error"
